import { StatusError, statusErrors } from '../http/status-error.js';
import { isRecord } from '../kube-object.js';

export type PatchKind = 'merge' | 'json' | 'strategic' | 'apply';

export function patchKindOf(contentType: string | undefined): PatchKind {
  const type = (contentType ?? '').split(';')[0]?.trim();
  switch (type) {
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/json-patch+json':
      return 'json';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+json':
      return 'apply';
    default:
      throw statusErrors.unsupportedMediaType(
        `the body of a PATCH must be one of application/merge-patch+json, application/json-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got ${type || 'none'})`,
      );
  }
}

/** RFC 7386: objects merge key by key, null removes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  const result: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/**
 * Strategic merge without the Go type information Kubernetes uses for built-in lists: directives
 * (`$patch`, `$retainKeys`, `$setElementOrder/...`) are dropped, then it merges like RFC 7386.
 */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  return mergePatch(target, withoutDirectives(patch));
}

function withoutDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDirectives);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.startsWith('$'))
      .map(([key, item]) => [key, withoutDirectives(item)]),
  );
}

function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw statusErrors.unsupportedMediaType(`"${pointer}" is not a JSON pointer`);
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function parentAndKey(document: unknown, pointer: string): { parent: unknown; key: string } {
  const parts = decodePointer(pointer);
  const key = parts.pop();
  if (key === undefined)
    throw statusErrors.badRequest('a JSON patch operation cannot target the whole document');
  let parent = document;
  for (const part of parts) {
    parent = Array.isArray(parent) ? parent[Number(part)] : isRecord(parent) ? parent[part] : undefined;
    if (parent === undefined)
      throw statusErrors.badRequest(`JSON patch path "${pointer}": "${part}" does not exist`);
  }
  return { parent, key };
}

function read(document: unknown, pointer: string): unknown {
  let current = document;
  for (const part of decodePointer(pointer)) {
    current = Array.isArray(current) ? current[Number(part)] : isRecord(current) ? current[part] : undefined;
    if (current === undefined) throw statusErrors.badRequest(`JSON patch path "${pointer}" does not exist`);
  }
  return current;
}

function add(document: unknown, pointer: string, value: unknown): void {
  const { parent, key } = parentAndKey(document, pointer);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) {
      throw statusErrors.badRequest(`JSON patch path "${pointer}": index out of range`);
    }
    parent.splice(index, 0, value);
  } else if (isRecord(parent)) parent[key] = value;
  else throw statusErrors.badRequest(`JSON patch path "${pointer}" does not point into an object or array`);
}

function remove(document: unknown, pointer: string): unknown {
  const { parent, key } = parentAndKey(document, pointer);
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= parent.length) {
      throw statusErrors.badRequest(`JSON patch path "${pointer}": index out of range`);
    }
    return parent.splice(index, 1)[0];
  }
  if (isRecord(parent) && key in parent) {
    const value = parent[key];
    delete parent[key];
    return value;
  }
  throw statusErrors.badRequest(`JSON patch path "${pointer}" does not exist`);
}

/** RFC 6902. */
export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations))
    throw statusErrors.badRequest('a JSON patch must be an array of operations');
  const document = { root: clone(target) };
  const rooted = (path: unknown) => {
    if (typeof path !== 'string')
      throw statusErrors.badRequest('every JSON patch operation needs a "path" string');
    return `/root${path}`;
  };
  for (const operation of operations) {
    if (!isRecord(operation)) throw statusErrors.badRequest('every JSON patch operation must be an object');
    switch (operation.op) {
      case 'add':
        add(document, rooted(operation.path), clone(operation.value));
        break;
      case 'remove':
        remove(document, rooted(operation.path));
        break;
      case 'replace':
        remove(document, rooted(operation.path));
        add(document, rooted(operation.path), clone(operation.value));
        break;
      case 'move': {
        const value = remove(document, rooted(operation.from));
        add(document, rooted(operation.path), value);
        break;
      }
      case 'copy':
        add(document, rooted(operation.path), clone(read(document, rooted(operation.from))));
        break;
      case 'test':
        if (JSON.stringify(read(document, rooted(operation.path))) !== JSON.stringify(operation.value)) {
          throw new StatusError(
            422,
            'Invalid',
            `JSON patch test failed: "${String(operation.path)}" does not equal the expected value`,
          );
        }
        break;
      default:
        throw statusErrors.badRequest(`unknown JSON patch operation "${String(operation.op)}"`);
    }
  }
  return document.root;
}
