import fastJsonPatch, { type Operation } from 'fast-json-patch';
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

const { applyPatch, JsonPatchError } = fastJsonPatch;

/**
 * RFC 7386: objects merge key by key, null removes, anything else replaces. Only own properties
 * are read, and keys are defined rather than assigned, so no key reaches a prototype.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  const result: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else
      Object.defineProperty(result, key, {
        value: mergePatch(Object.hasOwn(result, key) ? result[key] : undefined, value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
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

/** RFC 6902, by fast-json-patch: it refuses paths through `__proto__` and `constructor/prototype`. */
export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations))
    throw statusErrors.badRequest('a JSON patch must be an array of operations');
  try {
    return applyPatch(structuredClone(target), operations as Operation[], true, true).newDocument;
  } catch (error) {
    if (error instanceof JsonPatchError && error.name === 'TEST_OPERATION_FAILED')
      throw new StatusError(
        422,
        'Invalid',
        `JSON patch test failed: "${String(error.operation?.path)}" does not equal the expected value`,
      );
    if (error instanceof JsonPatchError || error instanceof TypeError)
      throw statusErrors.badRequest(`the JSON patch cannot be applied: ${error.message.split('\n')[0]}`);
    throw error;
  }
}
