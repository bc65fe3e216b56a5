import type { JsonSchema } from '@openkcm/schema';
import { isRecord, type KubeObject } from '../kube-object.js';
import type { PrinterColumn, ResourceType } from './resource-type.js';

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function text(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

/** The resource types a stored CustomResourceDefinition serves, one per served version. */
export function typesFromCrd(crd: KubeObject): ResourceType[] {
  const spec = isRecord(crd.spec) ? crd.spec : {};
  const names = isRecord(spec.names) ? spec.names : {};
  const group = text(spec.group);
  const kind = text(names.kind);
  const plural = text(names.plural);
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isRecord) : [];
  return versions
    .filter((version) => version.served !== false)
    .map((version) => {
      const validation = isRecord(version.schema) ? version.schema : {};
      const schema = isRecord(validation.openAPIV3Schema)
        ? (validation.openAPIV3Schema as JsonSchema)
        : undefined;
      const subresources = isRecord(version.subresources) ? version.subresources : {};
      const columns = Array.isArray(version.additionalPrinterColumns) ? version.additionalPrinterColumns : [];
      return {
        group,
        version: text(version.name),
        kind,
        listKind: text(names.listKind, `${kind}List`),
        plural,
        singular: text(names.singular, kind.toLowerCase()),
        shortNames: strings(names.shortNames),
        categories: strings(names.categories),
        namespaced: spec.scope !== 'Cluster',
        hasStatus: isRecord(subresources.status),
        schema,
        printerColumns: columns.filter(isRecord).map(
          (column): PrinterColumn => ({
            name: text(column.name),
            type: text(column.type, 'string'),
            jsonPath: text(column.jsonPath),
            ...(typeof column.format === 'string' ? { format: column.format } : {}),
            ...(typeof column.description === 'string' ? { description: column.description } : {}),
            ...(typeof column.priority === 'number' ? { priority: column.priority } : {}),
          }),
        ),
        access: 'workspace',
        global: false,
        allowUnconditionalUpdate: false,
      } satisfies ResourceType;
    });
}
