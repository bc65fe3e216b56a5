import {
  Background,
  Controls,
  type Edge,
  MarkerType,
  MiniMap,
  type Node,
  type NodeMouseHandler,
  ReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { Icon, Text } from '@openkcm/ui-kit';
import { useMemo, useState } from 'react';
import { useEnvironment, useTopology } from '../api/hooks.js';
import { Empty, QueryView } from '../components/states.js';
import { phaseColor } from '../components/status.js';
import { GROUP_ABOVE, type LaidOutNode, layoutTopology } from './topology-layout.js';

const LEVEL_ICONS: Record<LaidOutNode['kind'], string> = {
  L1: 'locked',
  L2: 'chain-link',
  L3: 'key',
  Workload: 'cloud',
  group: 'key',
};
const LEGEND: Array<[string, string]> = [
  ['Active', 'usable'],
  ['Disabled', 'disabled or being deleted'],
  ['NotReady', 'not ready or unusable'],
  ['Pending', 'pending or not checked'],
];
/** Nodes are coloured by how they are, not by level: the level is in each node's label. */
const colorOf = (node: LaidOutNode) => phaseColor(node.kind === 'group' ? 'Group' : node.state || 'Unknown');

function describe(node: LaidOutNode): string {
  if (node.kind === 'group')
    return `${node.label} (${Object.entries(node.counts ?? {})
      .map(([state, count]) => `${count} ${state}`)
      .join(', ')}) · click to expand`;
  if (node.kind === 'Workload') return `Workload: ${node.label}`;
  const prefix = node.kind === 'L1' ? 'L1 root key' : node.kind === 'L2' ? 'L2 Account' : 'L3 key';
  return `${prefix}: ${node.label}${node.state ? ` · ${node.state}` : ''}`;
}

/**
 * FR-404: L1 → L2 → L3, and the workloads that used each key recently (FR-302). Clicking an Account opens its keys; big groups of keys expand on click;
 * zoom, pan and a minimap keep hundreds of keys navigable.
 */
export default function Topology({
  showAccountKeys,
  openKey,
}: {
  showAccountKeys: (account: string) => void;
  openKey: (name: string) => void;
}) {
  const topology = useTopology();
  const { host } = useEnvironment();
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const layout = useMemo(
    () => (topology.data ? layoutTopology(topology.data, expanded) : undefined),
    [topology.data, expanded],
  );
  const nodes: Node[] = useMemo(
    () =>
      (layout?.nodes ?? []).map((node) => ({
        id: node.id,
        position: { x: node.x, y: node.y },
        data: {
          label: (
            <span style={{ display: 'inline-flex', alignItems: 'center', gap: '0.375rem' }}>
              <Icon name={LEVEL_ICONS[node.kind]} aria-hidden="true" style={{ flex: 'none' }} />
              {describe(node)}
            </span>
          ),
        },
        ariaLabel: describe(node),
        connectable: false,
        draggable: false,
        className: `topology-${node.kind}`,
        style: {
          width: 300,
          borderRadius: 8,
          border: `2px solid ${colorOf(node)}`,
          background: 'var(--sapTile_Background, #fff)',
          color: 'var(--sapTextColor, #1d2d3e)',
          fontFamily: 'var(--sapFontFamily, sans-serif)',
          fontSize: 13,
          cursor: node.kind === 'L1' || node.kind === 'Workload' ? 'default' : 'pointer',
        },
        sourcePosition: 'right' as never,
        targetPosition: 'left' as never,
      })),
    [layout],
  );
  const edges: Edge[] = useMemo(
    () =>
      (layout?.edges ?? []).map((edge) => ({
        ...edge,
        animated: false,
        // Arrows point the way wrapping goes: L1 wraps L2, L2 wraps L3, a workload uses its key.
        markerEnd: { type: MarkerType.ArrowClosed, width: 18, height: 18 },
      })),
    [layout],
  );
  const onNodeClick: NodeMouseHandler = (_event, clicked) => {
    const node = layout?.nodes.find((candidate) => candidate.id === clicked.id);
    if (node?.kind === 'L2' && node.account) showAccountKeys(node.account);
    if (node?.kind === 'L3') openKey(node.label);
    if (node?.kind === 'group' && node.account)
      setExpanded((current) => new Set([...current, node.account ?? '']));
  };
  return (
    <QueryView what="the topology" query={topology}>
      {(data) =>
        data.nodes.length === 0 ? (
          <Empty title="Nothing to draw yet">
            Create an Account and service keys to see how they are chained.
          </Empty>
        ) : (
          <>
            <Text>
              Click an Account (L2) to list its keys, a key (L3) to open it; groups of more than {GROUP_ABOVE}{' '}
              keys expand on click. Scroll to zoom, drag to pan.
            </Text>
            <ul
              aria-label="Legend"
              style={{ display: 'flex', flexWrap: 'wrap', gap: '1rem', listStyle: 'none', padding: 0 }}
            >
              {LEGEND.map(([phase, meaning]) => (
                <li key={phase} style={{ display: 'flex', alignItems: 'center', gap: '0.25rem' }}>
                  <span
                    aria-hidden="true"
                    style={{
                      width: '1rem',
                      height: '0.75rem',
                      border: `2px solid ${phaseColor(phase)}`,
                      borderRadius: 3,
                    }}
                  />
                  <Text>{meaning}</Text>
                </li>
              ))}
              <li>
                <Text>Arrows: L1 root key → L2 Account → L3 service key → workload</Text>
              </li>
            </ul>
            <figure
              style={{ height: '70vh', minHeight: '24rem', margin: '0.5rem 0 0' }}
              data-testid="topology"
              aria-label="Key hierarchy: L1 root keys, L2 Accounts, L3 service keys and the workloads using them"
            >
              <ReactFlow
                // fitView acts when the graph mounts: a graph that gains or loses nodes (a live update,
                // the workloads column appearing) is fitted again, or new nodes could stay out of view.
                key={nodes.length}
                nodes={nodes}
                edges={edges}
                onNodeClick={onNodeClick}
                fitView
                minZoom={0.05}
                nodesConnectable={false}
                nodesDraggable={false}
                colorMode={host.theme}
                proOptions={{ hideAttribution: true }}
                onlyRenderVisibleElements
              >
                <Background />
                <MiniMap
                  pannable
                  zoomable
                  ariaLabel="Minimap of the key hierarchy"
                  nodeColor={(node) => String(node.style?.border ?? '').replace('2px solid ', '')}
                />
                <Controls showInteractive={false} />
              </ReactFlow>
            </figure>
          </>
        )
      }
    </QueryView>
  );
}
