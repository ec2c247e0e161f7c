/**
 * The RED view of one scope (everything, a Gateway, a route): tiles for the current values
 * and charts over the range — rate and errors from Prometheus, latency percentiles from the
 * access-log rollups (NGINX exposes no latency histogram to Prometheus).
 */
import { apiMessage, useClusterName, useSqlSeries, type RedView } from '../../api/observabilityQueries';
import { useConfig, useScope } from '../../api/queries';
import { exploreUrl } from '../../lib/grafana';
import { ErrorBox, Loading } from '../../components/ui';
import { COLORS, TimeChart, Tile } from './charts';
import { formatMs, formatRate, formatShare, percentileRows, redRows } from './series';
import { percentileSql } from './sql';
import { rangeSeconds, stepSeconds } from './timeRange';

interface PercentileFilter {
  readonly namespace?: string | null;
  readonly route?: string | null;
  readonly gateway?: string | null;
}

/** p50/p95/p99 over the range from the rollups (`POST /logs/sql`). */
function usePercentiles(range: string, filter: PercentileFilter, live: boolean) {
  const cluster = useClusterName();
  const { namespace } = useScope();
  const scopeNamespace = filter.namespace !== undefined ? filter.namespace : namespace;
  // Wait for the cluster's name: the rows of other clusters must not mix in.
  const sql =
    cluster === undefined
      ? null
      : percentileSql({
          rangeSeconds: rangeSeconds(range),
          stepSeconds: stepSeconds(range),
          cluster,
          namespace: scopeNamespace,
          route: filter.route ?? null,
          gateway: filter.gateway ?? null,
        });
  return useSqlSeries(['percentiles', sql], sql, live);
}

const QUERY_LABELS: Record<string, string> = {
  requests: 'Requests',
  errors_4xx: '4xx',
  errors_5xx: '5xx',
  latency_ms: 'Upstream latency',
  connections: 'Connections',
};

/** "Open in Grafana" for each PromQL of the view, when the server names a Grafana. */
function GrafanaLinks({ view, range }: { view: RedView; range: string }) {
  const grafana = useConfig().data?.grafana_url;
  const queries = Object.entries(view.queries ?? {});
  if (!grafana || queries.length === 0) return null;
  return (
    <p className="text-xs text-fg-muted">
      Open in Grafana:{' '}
      {queries.map(([name, expr], i) => (
        <span key={name}>
          {i > 0 && ' · '}
          <a href={exploreUrl(grafana, expr, range)} target="_blank" rel="noreferrer" className="text-fg underline decoration-accent underline-offset-4">
            {QUERY_LABELS[name] ?? name}
          </a>
        </span>
      ))}
    </p>
  );
}

/** Tiles and charts of one RED view; `filter` narrows the percentile query to its route. */
export function RedPanels({ view, range, live, filter = {} }: { view: RedView; range: string; live: boolean; filter?: PercentileFilter }) {
  const rows = redRows(view);
  const percentiles = usePercentiles(range, filter, live);
  const pRows = percentileRows(percentiles.data?.rows ?? []);
  const now = view.now;
  const noMetrics = view.metric_generation === 'none';
  const domain = [view.start, view.end] as const;
  return (
    <div className="space-y-4">
      {noMetrics && (
        <p role="status" className="rounded-md border border-status-warning/50 bg-status-warning/10 p-3 text-sm">
          Prometheus answered but holds no NGINX series for this scope yet (neither NGINX Agent v3 nor NGF 1.x names).
        </p>
      )}
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Tile label="Requests" value={formatRate(now.requests_per_second)} hint="over the last rate window" />
        <Tile label="Error rate" value={formatShare(now.error_rate)} hint={`${formatRate(now.errors_per_second)} 4xx + 5xx`} />
        <Tile label="Avg latency" value={formatMs(now.avg_latency_ms)} hint="upstream response time (Prometheus)" />
        <Tile label="Connections" value={now.active_connections === null ? '—' : String(Math.round(now.active_connections))} hint="active" />
      </div>
      <GrafanaLinks view={view} range={range} />
      <div className="grid gap-4 xl:grid-cols-2">
        <TimeChart title="Request rate" unit="req/s" range={range} domain={domain} rows={rows} series={[{ key: 'requests', label: 'requests', color: COLORS.requests }]} />
        <TimeChart
          title="Errors"
          unit="req/s"
          range={range} domain={domain}
          rows={rows}
          stacked
          series={[
            { key: 'errors_4xx', label: '4xx', color: COLORS.errors_4xx },
            { key: 'errors_5xx', label: '5xx', color: COLORS.errors_5xx },
          ]}
        />
        <TimeChart title="Error rate" unit="%" range={range} domain={domain} rows={rows} series={[{ key: 'error_pct', label: '4xx + 5xx share', color: COLORS.error_pct }]} />
        <div>
          {percentiles.error ? (
            <div className="space-y-2">
              <ErrorBox title="Latency percentiles unavailable" error={new Error(apiMessage(percentiles.error))} />
              <p className="text-xs text-fg-muted">Percentiles are read from the access logs with SQL, which needs read access to HTTPRoutes cluster-wide.</p>
            </div>
          ) : percentiles.isPending ? (
            <Loading what="Loading latency percentiles" />
          ) : (
            <TimeChart
              title="Latency percentiles"
              unit="ms"
              range={range} domain={domain}
              rows={pRows}
              empty="No access logs in this range."
              series={[
                { key: 'p50', label: 'p50', color: COLORS.p50 },
                { key: 'p95', label: 'p95', color: COLORS.p95 },
                { key: 'p99', label: 'p99', color: COLORS.p99 },
              ]}
            />
          )}
        </div>
        <TimeChart title="Upstream latency (avg)" unit="ms" range={range} domain={domain} rows={rows} series={[{ key: 'latency_ms', label: 'avg', color: COLORS.latency_ms }]} empty="NGINX reported no upstream response times (NGINX Plus only)." />
        <TimeChart title="Active connections" unit="conns" range={range} domain={domain} rows={rows} series={[{ key: 'connections', label: 'active', color: COLORS.connections }]} empty="No connection series for this scope." />
      </div>
    </div>
  );
}
