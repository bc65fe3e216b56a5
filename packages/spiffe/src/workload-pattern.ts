import { parseSpiffeId } from './spiffe-id.js';

/**
 * Which workloads may use a key (`ServiceEncryptionKey.spec.allowedWorkloads`): exact SPIFFE
 * IDs, or patterns in which a path segment `*` stands for exactly one segment and a last
 * segment `**` for one or more. The trust domain is always literal, so a pattern never reaches
 * into another trust domain. Examples:
 *
 *   spiffe://openkcm.local/ns/default/sa/orders   only that workload
 *   spiffe://openkcm.local/ns/default/sa/*        every service account of namespace default
 *   spiffe://openkcm.local/ns/payments/**         everything below ns/payments
 */
export interface WorkloadPattern {
  text: string;
  matches(id: string): boolean;
}

export function parseWorkloadPattern(text: string): WorkloadPattern {
  // A pattern is a SPIFFE ID once its wildcards are read as ordinary segments; a "*" anywhere
  // else (inside a segment, "**" before the end) is then an invalid character and refused.
  const pathStart = text.indexOf('/', 'spiffe://'.length);
  const prefix = pathStart < 0 ? text : text.slice(0, pathStart);
  const path = pathStart < 0 ? '' : text.slice(pathStart);
  const parsed = parseSpiffeId(prefix + path.replace(/\/\*\*$/, '/any').replace(/\/\*(?=\/|$)/g, '/any'));
  const pattern = path.split('/').slice(1);
  return {
    text,
    matches(id: string): boolean {
      let candidate: ReturnType<typeof parseSpiffeId>;
      try {
        candidate = parseSpiffeId(id);
      } catch {
        return false;
      }
      if (candidate.trustDomain !== parsed.trustDomain) return false;
      const rest = pattern.at(-1) === '**';
      const fixed = rest ? pattern.slice(0, -1) : pattern;
      if (rest ? candidate.segments.length <= fixed.length : candidate.segments.length !== fixed.length)
        return false;
      return fixed.every((segment, index) => segment === '*' || segment === candidate.segments[index]);
    },
  };
}

/** True when any pattern admits the workload. */
export function workloadAllowed(patterns: readonly WorkloadPattern[], id: string): boolean {
  return patterns.some((pattern) => pattern.matches(id));
}
