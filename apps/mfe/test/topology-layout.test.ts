import type { TopologyResponse } from '@openkcm/bff-api';
import { describe, expect, it } from 'vitest';
import { GROUP_ABOVE, layoutTopology } from '../src/screens/topology-layout.js';

function workspace(keysPerAccount: number[]): TopologyResponse {
  const nodes: TopologyResponse['nodes'] = [
    { id: 'l1:Local:root', kind: 'L1', label: 'root', state: 'Available' },
  ];
  const edges: TopologyResponse['edges'] = [];
  keysPerAccount.forEach((count, account) => {
    nodes.push({ id: `l2:a${account}`, kind: 'L2', label: `a${account}`, state: 'Ready' });
    edges.push({ from: 'l1:Local:root', to: `l2:a${account}` });
    for (let key = 0; key < count; key++) {
      nodes.push({
        id: `l3:a${account}-k${key}`,
        kind: 'L3',
        label: `a${account}-k${key}`,
        state: key % 2 ? 'Disabled' : 'Active',
      });
      edges.push({ from: `l2:a${account}`, to: `l3:a${account}-k${key}` });
    }
  });
  return { nodes, edges };
}

describe('the topology layout', () => {
  it('draws small Accounts key by key, in three columns, each Account beside its keys', () => {
    const layout = layoutTopology(workspace([2, 1]), new Set());
    expect(layout.nodes.map((node) => [node.id, node.x])).toEqual([
      ['l3:a0-k0', 720],
      ['l3:a0-k1', 720],
      ['l2:a0', 360],
      ['l3:a1-k0', 720],
      ['l2:a1', 360],
      ['l1:Local:root', 0],
    ]);
    const a0 = layout.nodes.find((node) => node.id === 'l2:a0');
    expect(a0?.y).toBe(32); // halfway between its two keys
    expect(layout.edges).toHaveLength(5);
  });

  it('puts the workloads that used a key to its right, the key centred on them', () => {
    const topology = workspace([1]);
    for (const workload of ['spiffe://openkcm.local/ns/a/sa/x', 'spiffe://openkcm.local/ns/a/sa/y']) {
      topology.nodes.push({ id: `wl:a0-k0:${workload}`, kind: 'Workload', label: workload, state: 'Active' });
      topology.edges.push({ from: 'l3:a0-k0', to: `wl:a0-k0:${workload}` });
    }
    const layout = layoutTopology(topology, new Set());
    const workloads = layout.nodes.filter((node) => node.kind === 'Workload');
    expect(workloads.map((node) => [node.x, node.y])).toEqual([
      [1080, 0],
      [1080, 64],
    ]);
    expect(layout.nodes.find((node) => node.id === 'l3:a0-k0')?.y).toBe(32);
    expect(layout.edges.filter((edge) => edge.source === 'l3:a0-k0')).toHaveLength(2);
  });

  it('groups the keys of a large Account into one node with counts per state until it is expanded', () => {
    const big = workspace([GROUP_ABOVE + 4]);
    const grouped = layoutTopology(big, new Set());
    const group = grouped.nodes.find((node) => node.kind === 'group');
    expect(group).toMatchObject({
      account: 'a0',
      label: `${GROUP_ABOVE + 4} keys`,
      counts: { Active: 5, Disabled: 5 },
    });
    expect(grouped.nodes.filter((node) => node.kind === 'L3')).toHaveLength(0);
    const expanded = layoutTopology(big, new Set(['a0']));
    expect(expanded.nodes.filter((node) => node.kind === 'L3')).toHaveLength(GROUP_ABOVE + 4);
  });

  it('stays small with hundreds of keys: one node per Account and group', () => {
    const layout = layoutTopology(workspace(Array.from({ length: 100 }, () => 20)), new Set());
    expect(layout.nodes).toHaveLength(1 + 100 + 100);
  });
});
