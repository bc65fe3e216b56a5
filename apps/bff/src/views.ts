import {
  type L1State,
  l1StateOf,
  type OverviewResponse,
  type RecentEvent,
  type TopologyResponse,
  worstL1State,
} from '@openkcm/bff-api';
import type { KubeObject } from '@openkcm/kube-client';

function ready(object: KubeObject): { status: string; reason: string; message: string } | undefined {
  return (
    object.status?.conditions as
      | Array<{ type: string; status: string; reason: string; message: string }>
      | undefined
  )?.find((condition) => condition.type === 'Ready');
}

/** FR-402: the numbers the dashboard shows, from Tenant, Accounts and keys. */
export function overview(
  tenant: KubeObject | undefined,
  accounts: KubeObject[],
  keys: KubeObject[],
  now: Date,
): Omit<OverviewResponse, 'recentEvents' | 'plugins'> {
  const day = now.getTime() + 24 * 3_600_000;
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
      dueForRotationIn24h: keys.filter(
        (key) => key.spec?.state !== 'Disabled' && Date.parse(String(key.status?.nextRotation ?? '')) <= day,
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

/** The newest Kubernetes Events of the workspace, newest first, in the few fields the dashboard shows. */
export function recentEvents(events: KubeObject[], limit: number): RecentEvent[] {
  const time = (event: KubeObject) =>
    String(
      Reflect.get(event, 'lastTimestamp') ??
        Reflect.get(event, 'eventTime') ??
        Reflect.get(event.metadata, 'creationTimestamp') ??
        '',
    );
  return [...events]
    .sort((a, b) => time(b).localeCompare(time(a)))
    .slice(0, limit)
    .map((event) => {
      const involved = Reflect.get(event, 'involvedObject') as { kind?: string; name?: string } | undefined;
      return {
        time: time(event),
        type: String(Reflect.get(event, 'type') ?? 'Normal'),
        reason: String(Reflect.get(event, 'reason') ?? ''),
        message: String(Reflect.get(event, 'message') ?? ''),
        object: `${involved?.kind ?? ''}/${involved?.name ?? ''}`,
      };
    });
}
