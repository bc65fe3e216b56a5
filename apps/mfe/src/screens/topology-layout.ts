import type { TopologyResponse } from '@openkcm/bff-api';

/** Above this many keys under one Account, its keys are drawn as one group node until expanded. */
export const GROUP_ABOVE = 6;
const COLUMN = { L1: 0, L2: 360, L3: 720, Workload: 1080 } as const;
const ROW = 64;

export interface LaidOutNode {
  id: string;
  kind: 'L1' | 'L2' | 'L3' | 'Workload' | 'group';
  label: string;
  state: string;
  x: number;
  y: number;
  /** For L2 and group nodes: the Account name. */
  account?: string;
  /** For group nodes: how many keys per phase. */
  counts?: Record<string, number>;
}

export interface Layout {
  nodes: LaidOutNode[];
  edges: Array<{ id: string; source: string; target: string }>;
}

/**
 * Columns L1 → L2 → L3, each Account's keys below it; large groups collapse into one node so a
 * workspace with hundreds of keys stays readable.
 */
export function layoutTopology(topology: TopologyResponse, expanded: ReadonlySet<string>): Layout {
  const byId = new Map(topology.nodes.map((node) => [node.id, node]));
  const children = new Map<string, string[]>();
  for (const edge of topology.edges) children.set(edge.from, [...(children.get(edge.from) ?? []), edge.to]);
  const nodes: LaidOutNode[] = [];
  const edges: Layout['edges'] = [];
  let row = 0;
  const place = (id: string, kind: LaidOutNode['kind'], y: number, extra: Partial<LaidOutNode> = {}) => {
    const node = byId.get(id);
    nodes.push({
      id,
      kind,
      label: node?.label ?? id,
      state: node?.state ?? '',
      x: COLUMN[kind === 'group' ? 'L3' : kind],
      y,
      ...extra,
    });
  };
  for (const root of topology.nodes.filter((node) => node.kind === 'L1')) {
    const rootRow = row;
    for (const accountId of children.get(root.id) ?? []) {
      const accountRow = row;
      const account = byId.get(accountId)?.label ?? accountId;
      const keys = children.get(accountId) ?? [];
      if (keys.length > GROUP_ABOVE && !expanded.has(account)) {
        const counts: Record<string, number> = {};
        for (const key of keys) {
          const state = byId.get(key)?.state ?? 'Pending';
          counts[state] = (counts[state] ?? 0) + 1;
        }
        const groupId = `group:${account}`;
        nodes.push({
          id: groupId,
          kind: 'group',
          label: `${keys.length} keys`,
          state: '',
          x: COLUMN.L3,
          y: row * ROW,
          account,
          counts,
        });
        edges.push({ id: `${accountId}->${groupId}`, source: accountId, target: groupId });
        row += 1;
      } else {
        for (const key of keys) {
          // The workloads that used the key recently stand to its right, the key centred on them.
          const keyRow = row;
          for (const workload of children.get(key) ?? []) {
            place(workload, 'Workload', row * ROW);
            edges.push({ id: `${key}->${workload}`, source: key, target: workload });
            row += 1;
          }
          if (row === keyRow) row += 1;
          place(key, 'L3', ((keyRow + row - 1) / 2) * ROW);
          edges.push({ id: `${accountId}->${key}`, source: accountId, target: key });
        }
      }
      if (row === accountRow) row += 1;
      place(accountId, 'L2', ((accountRow + row - 1) / 2) * ROW, { account });
      edges.push({ id: `${root.id}->${accountId}`, source: root.id, target: accountId });
    }
    if (row === rootRow) row += 1;
    place(root.id, 'L1', ((rootRow + row - 1) / 2) * ROW);
    row += 0.5;
  }
  return { nodes, edges };
}
