import {
  Background,
  Controls,
  Handle,
  MiniMap,
  Position,
  ReactFlow,
  type Edge,
  type Node,
  type NodeProps,
  type ReactFlowInstance,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { memo, useEffect, useMemo, useState } from 'react';
import type { Health, TopologyGraph, TopologyNode } from '../api/types';
import { layoutGraph, type Point } from '../lib/topologyLayout';

type GraphNodeData = { readonly label: string; readonly kind: string; readonly namespace: string | null; readonly status: Health };
type GraphNode = Node<GraphNodeData, 'resource'>;

const statusBorder: Record<Health, string> = {
  healthy: 'border-status-healthy',
  degraded: 'border-status-warning',
  error: 'border-status-error',
  unknown: 'border-status-unknown',
};
const statusWord: Record<Health, string> = { healthy: 'healthy', degraded: 'degraded', error: 'error', unknown: 'unknown' };

/** One resource: kind, name, namespace, with its status as the left border colour and a word. */
const ResourceNode = memo(function ResourceNode({ data, selected }: NodeProps<GraphNode>) {
  return (
    <div
      className={`w-60 rounded-md border border-l-4 bg-panel px-2 py-1 text-left ${statusBorder[data.status]} ${selected ? 'ring-2 ring-accent' : ''}`}
      title={`${data.kind} ${data.namespace ? `${data.namespace}/` : ''}${data.label} (${statusWord[data.status]})`}
    >
      <Handle type="target" position={Position.Left} className="!size-1.5 !border-0 !bg-fg-muted" />
      <div className="flex items-center justify-between text-[10px] tracking-wide text-fg-muted uppercase">
        <span>{data.kind}</span>
        <span>{statusWord[data.status]}</span>
      </div>
      <div className="truncate text-xs font-medium text-fg">{data.label}</div>
      {data.namespace && <div className="truncate text-[10px] text-fg-muted">{data.namespace}</div>}
      <Handle type="source" position={Position.Right} className="!size-1.5 !border-0 !bg-fg-muted" />
    </div>
  );
});

const nodeTypes = { resource: ResourceNode };

/** Above this many nodes the view starts zoomed at the top-left instead of fitting all. */
const FIT_LIMIT = 300;

/**
 * The topology graph (React Flow). Positions are laid out once per node id and kept across
 * refetches, so a live update adds or recolours nodes without moving the rest. Only the nodes
 * and edges in view are rendered, which keeps a 2,000-node graph pannable.
 */
export function TopologyView({
  graph,
  onSelect,
  height = 'h-[70vh]',
}: {
  graph: TopologyGraph;
  onSelect?: (node: TopologyNode) => void;
  height?: string;
}) {
  // Positions by node id, kept for the component's life (a cache, not render state).
  const [positions] = useState(() => new Map<string, Point>());

  const { nodes, edges } = useMemo(() => {
    const missing = graph.nodes.filter((n) => !positions.has(n.id));
    if (missing.length > 0) {
      // Lay out the whole graph so new nodes land next to their neighbours; keep known ones.
      const fresh = layoutGraph(graph.nodes, graph.edges);
      for (const [id, point] of fresh) if (!positions.has(id)) positions.set(id, point);
    }
    const nodes: GraphNode[] = graph.nodes.map((n) => ({
      id: n.id,
      type: 'resource',
      position: positions.get(n.id) ?? { x: 0, y: 0 },
      data: { label: n.label, kind: n.kind, namespace: n.namespace ?? null, status: n.status ?? 'unknown' },
      draggable: false,
      connectable: false,
    }));
    const edges: Edge[] = graph.edges.map((e) => ({
      id: e.id,
      source: e.source,
      target: e.target,
      ...(e.label ? { label: e.label } : {}),
      animated: false,
      style: e.kind === 'targets' || e.kind === 'owns' ? { strokeDasharray: '4 3' } : undefined,
    }));
    return { nodes, edges };
  }, [graph, positions]);

  const byId = useMemo(() => new Map(graph.nodes.map((n) => [n.id, n])), [graph]);
  const large = nodes.length > FIT_LIMIT;
  const [flow, setFlow] = useState<ReactFlowInstance<GraphNode> | null>(null);
  // A small graph that grows live is refitted so the new node is in view.
  useEffect(() => {
    if (flow && !large) void flow.fitView();
  }, [flow, large, nodes.length]);

  return (
    <div className={`${height} w-full overflow-hidden rounded-lg border border-line`} data-testid="topology-graph" data-node-count={nodes.length}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onlyRenderVisibleElements
        fitView={!large}
        defaultViewport={{ x: 20, y: 20, zoom: 0.6 }}
        minZoom={0.05}
        nodesDraggable={false}
        nodesConnectable={false}
        proOptions={{ hideAttribution: true }}
        onInit={setFlow}
        onNodeClick={(_, node) => {
          const found = byId.get(node.id);
          if (found) onSelect?.(found);
        }}
      >
        <Background gap={24} />
        <Controls showInteractive={false} />
        {!large && <MiniMap pannable zoomable ariaLabel="Topology overview" />}
      </ReactFlow>
    </div>
  );
}
