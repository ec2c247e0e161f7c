import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useTopology } from '../api/queries';
import type { TopologyNode } from '../api/types';
import { PageHeader } from '../components/PageHeader';
import { TopologyView } from '../components/TopologyView';
import { Card, ErrorBox, HealthBadge, Loading, Tag } from '../components/ui';
import { useWebSocket } from '../hooks/useWebSocket';
import { useUiStore } from '../state/ui';

/** Where a click on a node leads, when the console has a page for it. */
function drillDown(node: TopologyNode): string | null {
  if (node.kind === 'Gateway' && node.namespace) return `/gateways/${node.namespace}/${node.name}`;
  if (node.kind === 'InferencePool' || node.kind === 'InferenceStack') return '/inference';
  if (node.kind.endsWith('Route')) return '/routes';
  if (node.kind.endsWith('Policy')) return '/policies';
  return null;
}

export function TopologyPage() {
  const cluster = useUiStore((s) => s.cluster);
  const namespace = useUiStore((s) => s.namespace);
  const client = useQueryClient();
  const topology = useTopology();
  const [selected, setSelected] = useState<TopologyNode | null>(null);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);

  // The websocket says "something changed": refetch, at most twice a second.
  const refetch = () => {
    if (pending.current !== null) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      void client.invalidateQueries({ queryKey: ['cluster', cluster, 'topology'] });
    }, 500);
  };
  const base = cluster ? `/api/v1/clusters/${encodeURIComponent(cluster)}` : '/api/v1';
  const live = useWebSocket(`${base}/ws/topology`, refetch, { onOpen: refetch });

  const graph = useMemo(() => {
    if (!topology.data || namespace === null) return topology.data;
    // Namespace filter: that namespace's nodes plus the cluster-scoped ones (GatewayClasses).
    const nodes = topology.data.nodes.filter((n) => n.namespace === namespace || n.namespace === null || n.namespace === undefined);
    const ids = new Set(nodes.map((n) => n.id));
    return { ...topology.data, nodes, edges: topology.data.edges.filter((e) => ids.has(e.source) && ids.has(e.target)) };
  }, [topology.data, namespace]);

  const target = selected ? drillDown(selected) : null;
  return (
    <section className="space-y-4">
      <PageHeader
        title="Topology"
        actions={<span className="text-xs text-fg-muted" role="status">Live updates: {live === 'open' ? 'connected' : live}</span>}
      >
        GatewayClasses → Gateways → listeners → routes → backends → pods, with policies and parent resources.
      </PageHeader>
      {topology.error && <ErrorBox error={topology.error} />}
      {topology.isPending && <Loading what="Loading topology" />}
      {graph && (
        <>
          <p className="text-sm text-fg-muted">
            {graph.nodes.length} nodes, {graph.edges.length} edges. Click a node for details.
          </p>
          <TopologyView key={namespace ?? '*'} graph={graph} onSelect={setSelected} />
        </>
      )}
      {selected && (
        <Card title="Selected">
          <div className="flex flex-wrap items-center gap-3 text-sm">
            <Tag>{selected.kind}</Tag>
            <span className="font-medium">{selected.namespace ? `${selected.namespace}/` : ''}{selected.name}</span>
            <HealthBadge health={selected.status ?? 'unknown'} />
            {target && <Link className="underline decoration-accent underline-offset-4" to={target}>Open</Link>}
          </div>
        </Card>
      )}
    </section>
  );
}
