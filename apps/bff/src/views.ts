import {
  type AttentionItem,
  type L1State,
  l1StateOf,
  OVERDUE_AFTER_MS,
  type OverviewResponse,
  PENDING_ATTENTION_AFTER_MS,
  type PendingDeletionResponse,
  type RecentEvent,
  type TopologyResponse,
  worstL1State,
} from '@openkcm/bff-api';
import type { KubeObject } from '@openkcm/kube-client';

function ready(
  object: KubeObject,
): { status: string; reason: string; message: string; lastTransitionTime?: string } | undefined {
  return (
    object.status?.conditions as
      | Array<{ type: string; status: string; reason: string; message: string; lastTransitionTime?: string }>
      | undefined
  )?.find((condition) => condition.type === 'Ready');
}

const ATTENTION_ORDER: AttentionItem['problem'][] = [
  'NotReady',
  'Pending',
  'OverdueRotation',
  'Disabled',
  'PendingDeletion',
];

/** Why one object needs a look, or nothing: not Ready, Pending too long, disabled, or late rotating. */
function problemOf(kind: AttentionItem['kind'], object: KubeObject, now: number): AttentionItem | undefined {
  const name = object.metadata.name ?? '';
  const created = String(object.metadata.creationTimestamp ?? '');
  const condition = ready(object);
  const since = condition?.lastTransitionTime ?? created;
  if (condition?.status === 'False')
    return { kind, name, problem: 'NotReady', reason: condition.reason, message: condition.message, since };
  if (condition?.status !== 'True') {
    if (now - Date.parse(since) < PENDING_ATTENTION_AFTER_MS) return undefined;
    return condition
      ? { kind, name, problem: 'Pending', reason: condition.reason, message: condition.message, since }
      : {
          kind,
          name,
          problem: 'Pending',
          reason: 'WaitingForController',
          message: 'No controller has reported on it yet; check that the OpenKCM controller runs.',
          since: created,
        };
  }
  if (object.spec?.state === 'Disabled')
    return {
      kind,
      name,
      problem: 'Disabled',
      reason: 'Disabled',
      message: 'Workloads cannot encrypt or decrypt with it; rotation is paused.',
      since,
    };
  const next = Date.parse(String(object.status?.nextRotation ?? ''));
  if (kind === 'ServiceEncryptionKey' && next + OVERDUE_AFTER_MS < now)
    return {
      kind,
      name,
      problem: 'OverdueRotation',
      reason: 'RotationOverdue',
      message: 'Its scheduled rotation has not happened; check CMK and the Account.',
      since: new Date(next).toISOString(),
    };
  return undefined;
}

/** The overview's "Needs attention" list, worst first, then oldest first. */
export function attention(
  tenant: KubeObject | undefined,
  accounts: KubeObject[],
  keys: KubeObject[],
  pending: PendingDeletionResponse | undefined,
  now: Date,
): AttentionItem[] {
  const time = now.getTime();
  const items = [
    ...(tenant ? [problemOf('Tenant', tenant, time)] : []),
    ...accounts.map((account) => problemOf('Account', account, time)),
    ...keys.map((key) => problemOf('ServiceEncryptionKey', key, time)),
  ].filter((item): item is AttentionItem => item !== undefined);
  for (const account of pending?.accounts ?? [])
    items.push({
      kind: 'Account',
      name: account.name,
      problem: 'PendingDeletion',
      reason: 'PendingDeletion',
      message:
        'Deleted; its root key is destroyed at the end of the waiting period unless the deletion is cancelled.',
      since: account.deleteAfter,
    });
  for (const key of pending?.keys ?? [])
    items.push({
      kind: 'ServiceEncryptionKey',
      name: key.name,
      problem: 'PendingDeletion',
      reason: 'PendingDeletion',
      message:
        'Deleted; its versions are destroyed at the end of the waiting period unless the deletion is cancelled.',
      since: key.deleteAfter,
    });
  return items.sort(
    (a, b) =>
      ATTENTION_ORDER.indexOf(a.problem) - ATTENTION_ORDER.indexOf(b.problem) ||
      a.since.localeCompare(b.since),
  );
}

/** FR-402: the numbers the dashboard shows, from Tenant, Accounts and keys. */
export function overview(
  tenant: KubeObject | undefined,
  accounts: KubeObject[],
  keys: KubeObject[],
  now: Date,
): Omit<OverviewResponse, 'recentEvents' | 'plugins' | 'attention'> {
  const late = now.getTime() - OVERDUE_AFTER_MS;
  const byState: Record<string, number> = {};
  for (const key of keys) {
    const state = String(key.spec?.state ?? 'Enabled');
    byState[state] = (byState[state] ?? 0) + 1;
  }
  return {
    tenant: tenant
      ? {
          name: tenant.metadata.name ?? '',
          phase: String(tenant.status?.phase ?? 'Provisioning'),
          ready: ready(tenant) ?? null,
        }
      : null,
    accounts: {
      total: accounts.length,
      active: accounts.filter((account) => ready(account)?.status === 'True').length,
    },
    keys: {
      total: keys.length,
      byState,
      overdueForRotation: keys.filter(
        (key) => key.spec?.state !== 'Disabled' && Date.parse(String(key.status?.nextRotation ?? '')) < late,
      ).length,
    },
    l1Health: accounts.map((account) => ({
      account: account.metadata.name ?? '',
      providerType: String(account.spec?.providerType ?? ''),
      keyReference: String(account.spec?.keyReference ?? ''),
      state: l1StateOf(ready(account)),
      ready: ready(account)?.status ?? 'Unknown',
      reason: ready(account)?.reason ?? null,
      message: ready(account)?.message ?? null,
    })),
  };
}

/** FR-404: L1 roots, the Accounts they wrap (L2), and the keys each Account protects (L3). */
export function topology(accounts: KubeObject[], keys: KubeObject[]): TopologyResponse {
  const nodes: TopologyResponse['nodes'] = [];
  const edges: Array<{ from: string; to: string }> = [];
  const roots = new Map<string, { node: (typeof nodes)[number]; states: L1State[] }>();
  for (const account of accounts) {
    const root = `l1:${account.spec?.providerType}:${account.spec?.keyReference}`;
    let entry = roots.get(root);
    if (!entry) {
      entry = {
        node: { id: root, kind: 'L1', label: String(account.spec?.keyReference ?? ''), state: 'Unknown' },
        states: [],
      };
      roots.set(root, entry);
      nodes.push(entry.node);
    }
    entry.states.push(l1StateOf(ready(account)));
    entry.node.state = worstL1State(entry.states);
    const id = `l2:${account.metadata.name}`;
    nodes.push({
      id,
      kind: 'L2',
      label: account.metadata.name ?? '',
      state: String(account.status?.phase ?? 'Pending'),
    });
    edges.push({ from: root, to: id });
  }
  for (const key of keys) {
    const id = `l3:${key.metadata.name}`;
    nodes.push({
      id,
      kind: 'L3',
      label: key.metadata.name ?? '',
      state: String(key.status?.phase ?? 'Pending'),
    });
    const account = (key.spec?.accountRef as { name?: string } | undefined)?.name;
    if (account && accounts.some((candidate) => candidate.metadata.name === account))
      edges.push({ from: `l2:${account}`, to: id });
    const workloads = key.status?.activeWorkloads;
    for (const workload of Array.isArray(workloads) ? (workloads as unknown[]) : []) {
      const workloadId = `wl:${key.metadata.name}:${String(workload)}`;
      nodes.push({ id: workloadId, kind: 'Workload', label: String(workload), state: 'Active' });
      edges.push({ from: id, to: workloadId });
    }
  }
  return { nodes, edges };
}

/** The newest Kubernetes Events (of one object, if given), newest first, in the fields the console shows. */
export function recentEvents(
  events: KubeObject[],
  limit: number,
  of?: { kind: string; name: string },
): RecentEvent[] {
  const involved = (event: KubeObject) =>
    Reflect.get(event, 'involvedObject') as { kind?: string; name?: string } | undefined;
  const time = (event: KubeObject) =>
    String(
      Reflect.get(event, 'lastTimestamp') ??
        Reflect.get(event, 'eventTime') ??
        Reflect.get(event.metadata, 'creationTimestamp') ??
        '',
    );
  return events
    .filter((event) => !of || (involved(event)?.kind === of.kind && involved(event)?.name === of.name))
    .sort((a, b) => time(b).localeCompare(time(a)))
    .slice(0, limit)
    .map((event) => {
      const object = involved(event);
      return {
        time: time(event),
        type: String(Reflect.get(event, 'type') ?? 'Normal'),
        reason: String(Reflect.get(event, 'reason') ?? ''),
        message: String(Reflect.get(event, 'message') ?? ''),
        object: `${object?.kind ?? ''}/${object?.name ?? ''}`,
      };
    });
}
