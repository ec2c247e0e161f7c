/**
 * `/observability`: RED of every data plane (or the header namespace's Gateways) over a range,
 * then per-Gateway numbers (Prometheus) and per-route numbers (access-log rollups), each
 * linking to its own RED view.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { apiMessage, useRedSummary, useScopeRed, useTopN } from '../../api/observabilityQueries';
import { useGateways } from '../../api/queries';
import type { GatewayView } from '../../api/types';
import { Card, Empty, ErrorBox, Loading, Table, Td } from '../../components/ui';
import { LiveToggle, RangePicker, useLiveWindow, useRange } from './ObservabilityLayout';
import { RedPanels } from './RedPanels';
import { formatMs, formatRate, formatShare } from './series';
import { METRIC_RANGES, type RangeKey } from './timeRange';

const linkClass = 'text-fg underline decoration-fg-muted/50 underline-offset-2 hover:decoration-fg';

function GatewayRow({ gateway, range, live }: { gateway: GatewayView; range: RangeKey; live: boolean }) {
  const red = useScopeRed('gateway', gateway.namespace, gateway.name, range, live);
  const now = red.data?.now;
  const detail = `/observability/gateway/${encodeURIComponent(gateway.namespace)}/${encodeURIComponent(gateway.name)}?range=${range}`;
  return (
    <tr>
      <Td>
        <Link className={linkClass} to={detail}>
          {gateway.namespace}/{gateway.name}
        </Link>
      </Td>
      {red.error ? (
        <Td className="text-xs text-status-error">{apiMessage(red.error)}</Td>
      ) : (
        <>
          <Td className="tabular-nums">
            <span data-testid="gateway-rate">{now ? formatRate(now.requests_per_second) : '…'}</span>
          </Td>
          <Td className="tabular-nums">{now ? formatShare(now.error_rate) : '…'}</Td>
          <Td className="tabular-nums">{now ? formatMs(now.avg_latency_ms) : '…'}</Td>
          <Td className="tabular-nums">{now?.active_connections != null ? Math.round(now.active_connections) : '—'}</Td>
        </>
      )}
      <Td>
        <Link className={linkClass} to={`/gateways/${encodeURIComponent(gateway.namespace)}/${encodeURIComponent(gateway.name)}`}>
          Gateway
        </Link>
      </Td>
    </tr>
  );
}

function GatewayTable({ range, live }: { range: RangeKey; live: boolean }) {
  const gateways = useGateways();
  const items = gateways.data?.items ?? [];
  return (
    <Card title="Per Gateway (Prometheus)">
      {gateways.error && <ErrorBox error={gateways.error} />}
      {gateways.isPending && <Loading what="Loading Gateways" />}
      {gateways.data && items.length === 0 && <Empty>No Gateways in this namespace.</Empty>}
      {items.length > 0 && (
        <Table caption="RED per Gateway" head={['Gateway', 'Requests', 'Error rate', 'Avg latency', 'Connections', '']}>
          {items.map((g) => (
            <GatewayRow key={`${g.namespace}/${g.name}`} gateway={g} range={range} live={live} />
          ))}
        </Table>
      )}
    </Card>
  );
}

function RouteTable({ range, live }: { range: RangeKey; live: boolean }) {
  const routes = useTopN('routes', useLiveWindow(range, live), 20);
  const items = routes.data?.items ?? [];
  return (
    <Card title="Per route (access logs)">
      {routes.error && <ErrorBox error={new Error(apiMessage(routes.error))} title="Top routes unavailable" />}
      {routes.isPending && <Loading what="Loading routes" />}
      {routes.data && items.length === 0 && <Empty>No access logs in this range.</Empty>}
      {items.length > 0 && (
        <Table caption="Busiest routes" head={['Route', 'Gateway', 'Requests', '5xx', 'Error rate', 'Avg latency', '']}>
          {items.map((r) => {
            const ns = String(r['namespace'] ?? '');
            const name = String(r['route'] ?? '');
            const search = new URLSearchParams({ route: name, range });
            return (
              <tr key={`${ns}/${r['gateway']}/${name}`}>
                <Td>
                  {name ? (
                    <Link className={linkClass} to={`/observability/route/${encodeURIComponent(ns)}/${encodeURIComponent(name)}?range=${range}`}>
                      {ns}/{name}
                    </Link>
                  ) : (
                    <span className="text-fg-muted">{ns || '—'}/(no route)</span>
                  )}
                </Td>
                <Td className="text-xs">{String(r['gateway'] ?? '—')}</Td>
                <Td className="tabular-nums">{String(r['requests'] ?? 0)}</Td>
                <Td className="tabular-nums">{String(r['errors'] ?? 0)}</Td>
                <Td className="tabular-nums">{formatShare(Number(r['error_rate']))}</Td>
                <Td className="tabular-nums">{formatMs(Number(r['avg_ms']))}</Td>
                <Td>
                  <Link className={linkClass} to={`/observability/logs?${search.toString()}`} aria-label={`Logs of ${ns}/${name}`}>
                    Logs
                  </Link>
                </Td>
              </tr>
            );
          })}
        </Table>
      )}
    </Card>
  );
}

export function OverviewPage() {
  const [range, setRange] = useRange('15m', METRIC_RANGES);
  const [live, setLive] = useState(true);
  const summary = useRedSummary(range, live);
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 className="text-lg font-semibold">Traffic overview</h2>
        <div className="flex items-center gap-4">
          <LiveToggle live={live} onChange={setLive} />
          <RangePicker value={range} options={METRIC_RANGES} onChange={setRange} />
        </div>
      </div>
      {summary.error && <ErrorBox error={new Error(apiMessage(summary.error))} title="Metrics unavailable" />}
      {summary.isPending && <Loading what="Loading metrics" />}
      {summary.data && <RedPanels view={summary.data} range={range} live={live} />}
      <div className="grid gap-4 2xl:grid-cols-2">
        <GatewayTable range={range} live={live} />
        <RouteTable range={range} live={live} />
      </div>
    </div>
  );
}
