import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { ApiError, apiDelete, clusterPath } from '../../api/client';
import { useGateway, useTopology } from '../../api/queries';
import type { TopologyNode } from '../../api/types';
import { PageHeader } from '../../components/PageHeader';
import { TopologyView } from '../../components/TopologyView';
import { GuardedLink, useWriteRefusal } from '../../components/WriteGuard';
import { Button, Card, ErrorBox, HealthBadge, Loading, Table, Td, healthOf } from '../../components/ui';
import { ScaleDataPlane } from './ScaleDataPlane';

/** Delete the owning GatewayBundle; a 409 lists what depends on it, then "Delete anyway". */
function DeleteBundle({ namespace, name }: { namespace: string; name: string }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [dependants, setDependants] = useState<string[] | null>(null);
  const refusal = useWriteRefusal('GatewayBundle', namespace);
  const del = useMutation({
    mutationFn: (force: boolean) => apiDelete(clusterPath(`/gatewaybundles/${namespace}/${name}${force ? '?force=true' : ''}`)),
    onSuccess: async () => {
      await client.invalidateQueries();
      await navigate('/gateways');
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409) {
        const found = (error.detail as { dependants?: { kind: string; namespace?: string; name: string }[] } | undefined)?.dependants ?? [];
        setDependants(found.map((d) => `${d.kind} ${d.namespace ? `${d.namespace}/` : ''}${d.name}`));
      }
    },
  });
  return (
    <div className="space-y-2">
      {dependants === null ? (
        <Button variant="danger" onClick={() => del.mutate(false)} disabled={del.isPending || refusal !== null} title={refusal ?? undefined}>
          Delete GatewayBundle {name}
        </Button>
      ) : (
        <div role="alert" className="rounded-md border border-status-warning/60 bg-status-warning/10 p-3 text-sm">
          <p className="font-medium">
            This gateway has {dependants.length} dependant{dependants.length === 1 ? '' : 's'} attached. Delete anyway?
          </p>
          <ul className="mt-1 list-disc pl-5 text-fg-muted">
            {dependants.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
          <div className="mt-2 flex gap-2">
            <Button variant="danger" onClick={() => del.mutate(true)}>
              Delete anyway
            </Button>
            <Button onClick={() => setDependants(null)}>Cancel</Button>
          </div>
        </div>
      )}
      {del.error && !(del.error instanceof ApiError && del.error.status === 409) && <ErrorBox error={del.error} />}
    </div>
  );
}

export function GatewayDetailPage() {
  const { namespace = '', name = '' } = useParams();
  const detail = useGateway(namespace, name);
  const topology = useTopology({ namespace, name });
  const [selected, setSelected] = useState<TopologyNode | null>(null);
  const gw = detail.data?.gateway;
  const bundle = gw?.owners.find((o) => o.kind === 'GatewayBundle');

  return (
    <section className="space-y-4">
      <PageHeader
        title={`Gateway ${name}`}
        actions={
          bundle && (
            <GuardedLink to={`/gateways/${encodeURIComponent(namespace)}/${encodeURIComponent(bundle.name)}/edit`} kind="GatewayBundle" namespace={namespace}>
              Edit
            </GuardedLink>
          )
        }
      >
        {namespace} · class {gw?.gateway_class_name ?? '…'}
      </PageHeader>
      {detail.error && <ErrorBox error={detail.error} />}
      {detail.isPending && <Loading what="Loading gateway" />}
      {gw && (
        <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
          <Card title="Status">
            <dl className="space-y-1 text-sm">
              <div className="flex justify-between"><dt className="text-fg-muted">Health</dt><dd><HealthBadge health={gw.health} /></dd></div>
              <div className="flex justify-between"><dt className="text-fg-muted">Accepted</dt><dd><HealthBadge health={healthOf(gw.accepted)} label={String(gw.accepted ?? '—')} /></dd></div>
              <div className="flex justify-between"><dt className="text-fg-muted">Programmed</dt><dd><HealthBadge health={healthOf(gw.programmed)} label={String(gw.programmed ?? '—')} /></dd></div>
              <div className="flex justify-between"><dt className="text-fg-muted">Addresses</dt><dd>{gw.addresses.map((a) => a.value).join(', ') || '—'}</dd></div>
              <div className="flex justify-between"><dt className="text-fg-muted">Routes</dt><dd>{gw.route_count}</dd></div>
            </dl>
            {bundle && (
              <div className="mt-4 space-y-4">
                <ScaleDataPlane namespace={namespace} name={bundle.name} />
                <DeleteBundle namespace={namespace} name={bundle.name} />
              </div>
            )}
          </Card>
          <div className="lg:col-span-2">
            <Table caption="Listeners" head={['Listener', 'Protocol', 'Port', 'Hostname', 'TLS', 'Routes', 'Status']}>
              {gw.listeners.map((l) => (
                <tr key={l.name}>
                  <Td className="font-medium">{l.name}</Td>
                  <Td>{l.protocol}</Td>
                  <Td>{l.port}</Td>
                  <Td>{l.hostname ?? '*'}</Td>
                  <Td>{l.tls_mode ?? '—'}</Td>
                  <Td>{l.attached_routes ?? l.computed_routes}</Td>
                  <Td><HealthBadge health={l.health} /></Td>
                </tr>
              ))}
            </Table>
          </div>
        </div>
      )}
      {detail.data && (
        <Table caption="Attached routes" head={['Route', 'Kind', 'Namespace', 'Listeners', 'Accepted']}>
          {detail.data.routes.map((r) => (
            <tr key={`${r.kind}/${r.namespace}/${r.name}`}>
              <Td className="font-medium">{r.name}</Td>
              <Td>{r.kind}</Td>
              <Td>{r.namespace}</Td>
              <Td>{r.listeners.join(', ') || '—'}</Td>
              <Td><HealthBadge health={healthOf(r.accepted)} label={String(r.accepted ?? 'unknown')} /></Td>
            </tr>
          ))}
        </Table>
      )}
      <Card title="Topology">
        {topology.error && <ErrorBox error={topology.error} />}
        {topology.data && <TopologyView graph={topology.data} onSelect={setSelected} height="h-[28rem]" />}
        {selected && (
          <p className="mt-2 text-sm" aria-live="polite">
            Selected: {selected.kind} {selected.namespace ? `${selected.namespace}/` : ''}
            {selected.name} — {selected.status}
          </p>
        )}
      </Card>
    </section>
  );
}
