/**
 * `/routes/:kind/:namespace/:name` (spec §3.3): one route — the status per parent, its rules
 * and backends, RED metrics and the traffic split (HTTPRoute; the API measures per HTTPRoute
 * upstreams only), a link to the route check, and delete.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { apiDelete, clusterPath } from '../../api/client';
import { apiMessage, useScopeRed } from '../../api/observabilityQueries';
import { useClusterGet } from '../../api/queries';
import type { KubeObject } from '../../api/types';
import { LinkButton } from '../../components/LinkButton';
import { PageHeader } from '../../components/PageHeader';
import { useWriteRefusal } from '../../components/WriteGuard';
import { Button, Card, ErrorBox, HealthBadge, Loading } from '../../components/ui';
import { TrafficSplitView } from '../canary/TrafficSplitView';
import { NotFoundPage } from '../NotFoundPage';
import { RangePicker, useRange } from '../observability/ObservabilityLayout';
import { RedPanels } from '../observability/RedPanels';
import { METRIC_RANGES } from '../observability/timeRange';
import { ROUTE_KINDS, routeStatus } from './RoutesPage';
import { ParentStatus, RouteRules, parentRefText } from './routeDetailParts';

type RouteKind = (typeof ROUTE_KINDS)[number];

export function RouteDetailPage() {
  const { kind = '', namespace = '', name = '' } = useParams();
  const known = ROUTE_KINDS.find((k) => k.kind.toLowerCase() === kind.toLowerCase());
  if (known === undefined) return <NotFoundPage />;
  return <RouteDetail kind={known} namespace={namespace} name={name} />;
}

function DeleteRoute({ kind, namespace, name }: { kind: RouteKind; namespace: string; name: string }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const refusal = useWriteRefusal(kind.kind, namespace);
  const [confirm, setConfirm] = useState(false);
  const del = useMutation<unknown, Error>({
    mutationFn: () => apiDelete(clusterPath(`${kind.path}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`)),
    onSuccess: async () => {
      await client.invalidateQueries();
      await navigate('/routes');
    },
  });
  return (
    <div className="space-y-2">
      {confirm ? (
        <div role="alertdialog" aria-label="Confirm delete" className="rounded-md border border-status-error/50 bg-status-error/10 p-3 text-sm">
          <p className="font-medium">
            Delete {kind.kind} {namespace}/{name}? Traffic it routes stops being routed.
          </p>
          <div className="mt-2 flex gap-2">
            <Button variant="danger" onClick={() => del.mutate()} disabled={del.isPending}>
              {del.isPending ? 'Deleting…' : `Delete ${kind.kind}`}
            </Button>
            <Button onClick={() => setConfirm(false)}>Cancel</Button>
          </div>
        </div>
      ) : (
        <Button variant="danger" onClick={() => setConfirm(true)} disabled={refusal !== null} title={refusal ?? undefined}>
          Delete…
        </Button>
      )}
      {refusal && <p className="text-xs text-fg-muted">{refusal}</p>}
      {del.error && <ErrorBox error={del.error} title="Delete failed" />}
    </div>
  );
}

/** RED charts of an HTTPRoute over a picked range (`GET /metrics/route`). */
function RouteMetrics({ namespace, name }: { namespace: string; name: string }) {
  const [range, setRange] = useRange('15m', METRIC_RANGES);
  const red = useScopeRed('route', namespace, name, range, true);
  return (
    <Card title="Metrics (rate, errors, duration)" actions={<RangePicker value={range} options={METRIC_RANGES} onChange={setRange} />}>
      <p className="mb-3 text-xs text-fg-muted">Summed over the NGINX upstreams of the route’s backends (NGINX counts per upstream, not per route).</p>
      {red.error && <ErrorBox error={new Error(apiMessage(red.error))} title="Metrics unavailable" />}
      {red.isPending && <Loading what="Loading metrics" />}
      {red.data && <RedPanels view={red.data} range={range} live filter={{ namespace, route: name }} />}
    </Card>
  );
}

function RouteDetail({ kind, namespace, name }: { kind: RouteKind; namespace: string; name: string }) {
  const route = useClusterGet<KubeObject>(['object', kind.path, namespace, name], `${kind.path}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`, {
    refetchInterval: 10_000,
    retry: (count, error) => (error as { status?: number }).status !== 404 && count < 2,
  });
  const data = route.data;
  const status = data ? routeStatus(data) : null;
  const hostnames = ((data?.spec?.['hostnames'] ?? []) as string[]).join(', ');
  const parents = ((data?.spec?.['parentRefs'] ?? []) as { name: string; namespace?: string; sectionName?: string }[]).map((p) => parentRefText(p, namespace));
  const check = new URLSearchParams({ route: `${kind.kind}/${namespace}/${name}` });
  const http = kind.kind === 'HTTPRoute';
  return (
    <section className="space-y-4">
      <PageHeader
        title={`${kind.kind} ${name}`}
        actions={
          <div className="flex items-start gap-2">
            <LinkButton to={`/diagnostics/route-check?${check.toString()}`}>Run route check</LinkButton>
            {http && <LinkButton to={`/observability/logs?${new URLSearchParams({ route: name }).toString()}`}>Access logs</LinkButton>}
          </div>
        }
      >
        {namespace}
        {hostnames ? ` · ${hostnames}` : ''}
      </PageHeader>
      {route.isPending && <Loading what={`Loading ${kind.kind}`} />}
      {route.error && <ErrorBox error={route.error} title={`Cannot read ${kind.kind} ${namespace}/${name}`} />}
      {data && status && (
        <>
          <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
            <Card title="Overview">
              <dl className="space-y-1 text-sm">
                <div className="flex justify-between gap-2"><dt className="text-fg-muted">Status</dt><dd><HealthBadge health={status.health} label={status.label} /></dd></div>
                <div className="flex justify-between gap-2"><dt className="text-fg-muted">Parents</dt><dd className="text-right text-xs">{parents.join(', ') || '—'}</dd></div>
                <div className="flex justify-between gap-2"><dt className="text-fg-muted">Hostnames</dt><dd className="text-right font-mono text-xs">{hostnames || '*'}</dd></div>
                <div className="flex justify-between gap-2"><dt className="text-fg-muted">Rules</dt><dd>{((data.spec?.['rules'] ?? []) as unknown[]).length}</dd></div>
              </dl>
              <div className="mt-4">
                <DeleteRoute kind={kind} namespace={namespace} name={name} />
              </div>
            </Card>
            <div className="lg:col-span-2">
              <ParentStatus route={data} />
            </div>
          </div>
          <Card title="Rules">
            <RouteRules route={{ ...data, kind: kind.kind }} />
          </Card>
          {http ? (
            <>
              <RouteMetrics namespace={namespace} name={name} />
              <TrafficSplitView route={{ namespace, name }} />
            </>
          ) : (
            <Card title="Metrics">
              <p className="text-sm text-fg-muted">
                Per-route metrics and the traffic split are measured for HTTPRoutes only: the API sums the NGINX upstream counters of an HTTPRoute’s backends, and has no such
                reading for a {kind.kind} yet.
              </p>
            </Card>
          )}
        </>
      )}
    </section>
  );
}
