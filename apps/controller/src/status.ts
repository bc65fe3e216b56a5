import type { Condition } from '@openkcm/api';
import { clusterOf, type KubeClient, type KubeObject } from '@openkcm/kube-client';

export interface DesiredCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

function currentConditions(object: KubeObject): Condition[] {
  const conditions = object.status?.conditions;
  return Array.isArray(conditions) ? (conditions as Condition[]) : [];
}

/** Conditions as Kubernetes keeps them: lastTransitionTime moves only when the status does. */
/** A time as Kubernetes writes it: RFC 3339 in whole seconds. */
export function kubeTime(iso: string): string {
  return iso.replace(/\.\d{3}Z$/, 'Z');
}

export function withConditions(object: KubeObject, desired: DesiredCondition[], now: Date): Condition[] {
  const previous = currentConditions(object);
  const generation = object.metadata.generation ?? 1;
  const next = desired.map((condition) => {
    const before = previous.find((item) => item.type === condition.type);
    const lastTransitionTime =
      before && before.status === condition.status ? before.lastTransitionTime : kubeTime(now.toISOString());
    return { ...condition, observedGeneration: generation, lastTransitionTime };
  });
  const untouched = previous.filter((item) => !desired.some((condition) => condition.type === item.type));
  return [...next, ...untouched];
}

/** Structural equality: the API server may return fields in another order than we wrote them. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, index) => same(item, b[index]))
    );
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const left = Object.entries(a).filter(([, value]) => value !== undefined);
  const right = Object.entries(b).filter(([, value]) => value !== undefined);
  return (
    left.length === right.length &&
    left.every(([key, value]) => same(value, (b as Record<string, unknown>)[key]))
  );
}

/**
 * Writes the status when it differs, and records an Event when the Ready condition changes:
 * a reconcile that finds everything as it should be writes nothing.
 */
export async function writeStatus(
  kube: KubeClient,
  path: string,
  object: KubeObject,
  status: Record<string, unknown>,
  now: Date,
): Promise<void> {
  const merged = { ...object.status, ...status };
  if (same(merged, object.status ?? {})) return;
  await kube.mergePatch(`${path}/status`, { status });
  const before = currentConditions(object).find((condition) => condition.type === 'Ready');
  const after = (status.conditions as Condition[] | undefined)?.find(
    (condition) => condition.type === 'Ready',
  );
  if (after && (before?.status !== after.status || before?.reason !== after.reason)) {
    await recordEvent(
      kube,
      object,
      after.status === 'False' ? 'Warning' : 'Normal',
      after.reason,
      after.message,
      now,
    ).catch(() => undefined);
  }
}

export async function recordEvent(
  kube: KubeClient,
  object: KubeObject,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
  now: Date,
): Promise<void> {
  const cluster = clusterOf(object);
  const namespace = object.metadata.namespace ?? 'default';
  if (!cluster) return;
  const time = kubeTime(now.toISOString());
  await kube.request('POST', `/clusters/${cluster}/api/v1/namespaces/${namespace}/events`, {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { generateName: `${object.metadata.name}.` },
    involvedObject: {
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.metadata.name,
      namespace,
      uid: object.metadata.uid,
    },
    reason,
    message,
    type,
    source: { component: 'openkcm-controller' },
    reportingComponent: 'openkcm-controller',
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
  });
}
