import type { KubeObject } from '../kube-object.js';
import type { PrinterColumn, ResourceType } from '../registry/resource-type.js';
import { compileJsonPath } from './json-path.js';

/** `kubectl get` asks for `application/json;as=Table;v=v1;g=meta.k8s.io`. */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  const first = accept.split(',')[0] ?? '';
  return /as=Table/.test(first) && /g=meta\.k8s\.io/.test(first);
}

/** Ages the way kubectl prints them: 45s, 3m12s, 5h, 2d3h, 14d, 2y. */
export function humanDuration(milliseconds: number): string {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return `${minutes}m${seconds % 60 ? `${seconds % 60}s` : ''}`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return `${hours}h${minutes % 60 ? `${minutes % 60}m` : ''}`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (days < 8) return `${days}d${hours % 24 ? `${hours % 24}h` : ''}`;
  if (days < 365 * 2) return `${days}d`;
  return `${Math.floor(days / 365)}y`;
}

function cell(column: PrinterColumn, object: KubeObject, now: number): unknown {
  const values = compileJsonPath(column.jsonPath)(object);
  if (values.length === 0) return column.type === 'integer' || column.type === 'number' ? null : '<none>';
  const [first] = values;
  if (column.type === 'date' && typeof first === 'string' && column.format !== 'date-time') {
    const time = Date.parse(first);
    return Number.isNaN(time) ? first : humanDuration(now - time);
  }
  if (values.length > 1)
    return values
      .map((value) => (typeof value === 'object' ? JSON.stringify(value) : String(value)))
      .join(',');
  return typeof first === 'object' && first !== null ? JSON.stringify(first) : first;
}

function partialMetadata(object: KubeObject): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

export function toTable(
  type: ResourceType,
  objects: KubeObject[],
  listMeta: Record<string, unknown>,
  includeObject: string | null,
): Record<string, unknown> {
  const now = Date.now();
  const columns = type.printerColumns;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the object', priority: 0 },
      ...columns.map((column) => ({
        name: column.name,
        type: column.type === 'date' && column.format !== 'date-time' ? 'string' : column.type,
        format: column.format ?? '',
        description: column.description ?? '',
        priority: column.priority ?? 0,
      })),
    ],
    rows: objects.map((object) => ({
      cells: [object.metadata.name, ...columns.map((column) => cell(column, object, now))],
      ...(includeObject === 'None'
        ? {}
        : { object: includeObject === 'Object' ? object : partialMetadata(object) }),
    })),
  };
}
