/**
 * A key that reaches Object.prototype when a walker assigns through it: `__proto__` anywhere, and
 * `prototype` under `constructor` (as secure-json-parse refuses them). Both are ordinary own
 * properties after JSON.parse; the danger is the code that walks them later.
 */
function reachesPrototype(key: string, parentKey: string | undefined): boolean {
  return key === '__proto__' || (key === 'prototype' && parentKey === 'constructor');
}

/** The nesting depth every service accepts; Kubernetes objects and CRD schemas stay far below it. */
export const MAX_JSON_DEPTH = 64;

/** Why a parsed body was refused: the caller turns it into its own 400. */
export class UntrustedJsonError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'UntrustedJsonError';
  }
}

/**
 * Checks a value parsed from outside (JSON or YAML) before anything walks, merges or clones it:
 * no object key that could reach a prototype, and no
 * nesting deeper than maxDepth (recursive walkers overflow the stack on 10,000 levels). Iterative,
 * so the check itself cannot overflow.
 */
export function assertSafeJson(value: unknown, maxDepth = MAX_JSON_DEPTH): void {
  const pending: Array<{ value: unknown; depth: number; path: string; key?: string }> = [
    { value, depth: 0, path: '' },
  ];
  for (let item = pending.pop(); item; item = pending.pop()) {
    if (typeof item.value !== 'object' || item.value === null) continue;
    if (item.depth >= maxDepth)
      throw new UntrustedJsonError(
        `the body is nested more than ${maxDepth} levels deep; flatten it`,
        item.path,
      );
    if (Array.isArray(item.value)) {
      for (const [index, child] of item.value.entries())
        pending.push({ value: child, depth: item.depth + 1, path: `${item.path}/${index}` });
      continue;
    }
    for (const key of Object.keys(item.value)) {
      const path = `${item.path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      if (reachesPrototype(key, item.key))
        throw new UntrustedJsonError(`the body may not contain the key "${key}" (at ${path})`, path);
      pending.push({ value: (item.value as Record<string, unknown>)[key], depth: item.depth + 1, path, key });
    }
  }
}

/** JSON.parse, then assertSafeJson: the one way services read a JSON body. */
export function parseUntrustedJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  const value: unknown = JSON.parse(text);
  assertSafeJson(value, maxDepth);
  return value;
}
