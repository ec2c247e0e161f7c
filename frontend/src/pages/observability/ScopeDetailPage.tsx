/**
 * `/observability/gateway/:namespace/:name` and `/observability/route/:namespace/:name`: the
 * RED view of one Gateway (its NGINX pods) or one HTTPRoute (the upstreams of its backends).
 */
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { apiMessage, useScopeRed } from '../../api/observabilityQueries';
import { LinkButton } from '../../components/LinkButton';
import { ErrorBox, Loading } from '../../components/ui';
import { NotFoundPage } from '../NotFoundPage';
import { LiveToggle, RangePicker, useRange } from './ObservabilityLayout';
import { RedPanels } from './RedPanels';
import { METRIC_RANGES } from './timeRange';

export function ScopeDetailPage() {
  const { kind = '', namespace = '', name = '' } = useParams();
  if (kind !== 'gateway' && kind !== 'route') return <NotFoundPage />;
  return <ScopeDetail kind={kind} namespace={namespace} name={name} />;
}

function ScopeDetail({ kind, namespace, name }: { kind: 'gateway' | 'route'; namespace: string; name: string }) {
  const [range, setRange] = useRange('15m', METRIC_RANGES);
  const [live, setLive] = useState(true);
  const red = useScopeRed(kind, namespace, name, range, live);
  const logs = new URLSearchParams(kind === 'route' ? { route: name } : { q: '' });
  const label = kind === 'gateway' ? 'Gateway' : 'HTTPRoute';
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <p className="text-xs text-fg-muted">
            <Link to={`/observability?range=${range}`} className="underline underline-offset-2">
              Overview
            </Link>{' '}
            / {label}
          </p>
          <h2 className="text-lg font-semibold">
            {label} {namespace}/{name}
          </h2>
          <p className="text-xs text-fg-muted">
            {kind === 'gateway' ? 'Server-zone counters of the Gateway’s NGINX pods.' : 'Summed over the NGINX upstreams of the route’s backends (NGINX counts per upstream, not per route).'}
          </p>
        </div>
        <div className="flex items-center gap-4">
          <LiveToggle live={live} onChange={setLive} />
          <RangePicker value={range} options={METRIC_RANGES} onChange={setRange} />
          {kind === 'route' && <LinkButton to={`/observability/logs?${logs.toString()}`}>Access logs</LinkButton>}
          {kind === 'gateway' && <LinkButton to={`/gateways/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`}>Gateway detail</LinkButton>}
        </div>
      </div>
      {red.error && <ErrorBox error={new Error(apiMessage(red.error))} title="Metrics unavailable" />}
      {red.isPending && <Loading what="Loading metrics" />}
      {red.data && (
        <RedPanels
          view={red.data}
          range={range}
          live={live}
          filter={kind === 'route' ? { namespace, route: name } : { namespace: null, gateway: name }}
        />
      )}
    </div>
  );
}
