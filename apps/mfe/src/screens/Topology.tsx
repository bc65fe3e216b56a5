import {
  Background,
  Controls,
  type Edge,
  MiniMap,
  type Node,
  type NodeMouseHandler,
  ReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { Text } from '@openkcm/ui-kit';
import { useMemo, useState } from 'react';
import { useEnvironment, useTopology } from '../api/hooks.js';
import { Empty, QueryView } from '../components/states.js';
import { GROUP_ABOVE, type LaidOutNode, layoutTopology } from './topology-layout.js';

const COLORS: Record<LaidOutNode['kind'], string> = {
  L1: 'var(--sapChart_OrderedColor_6, #8d2a00)',
  L2: 'var(--sapChart_OrderedColor_8, #1c4c98)',
  L3: 'var(--sapChart_OrderedColor_10, #37837b)',
  Workload: 'var(--sapChart_OrderedColor_4, #5d36ff)',
  group: 'var(--sapChart_OrderedColor_10, #37837b)',
};

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
export default function Topology({ showAccountKeys }: { showAccountKeys: (account: string) => void }) {
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
        data: { label: describe(node) },
        ariaLabel: describe(node),
        connectable: false,
        draggable: false,
        className: `topology-${node.kind}`,
        style: {
          width: 300,
          borderRadius: 8,
          border: `2px solid ${COLORS[node.kind]}`,
          background: 'var(--sapTile_Background, #fff)',
          color: 'var(--sapTextColor, #1d2d3e)',
          fontFamily: 'var(--sapFontFamily, sans-serif)',
          fontSize: 13,
          cursor: node.kind === 'L2' || node.kind === 'group' ? 'pointer' : 'default',
        },
        sourcePosition: 'right' as never,
        targetPosition: 'left' as never,
      })),
    [layout],
  );
  const edges: Edge[] = useMemo(
    () => (layout?.edges ?? []).map((edge) => ({ ...edge, animated: false })),
    [layout],
  );
  const onNodeClick: NodeMouseHandler = (_event, clicked) => {
    const node = layout?.nodes.find((candidate) => candidate.id === clicked.id);
    if (node?.kind === 'L2' && node.account) showAccountKeys(node.account);
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
              Click an Account (L2) to list its keys; groups of more than {GROUP_ABOVE} keys expand on click.
              Scroll to zoom, drag to pan.
            </Text>
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
                  nodeColor={(node) =>
                    COLORS[(node.className?.replace('topology-', '') ?? 'L3') as LaidOutNode['kind']] ??
                    COLORS.L3
                  }
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
