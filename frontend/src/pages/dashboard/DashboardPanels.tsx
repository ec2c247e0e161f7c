/**
 * The dashboard's live panels: RED of the data planes (Prometheus), the inference summary,
 * alerts firing now, and the operator's recent drift corrections. Each panel says plainly
 * when its source is not there (no Prometheus configured, no alert rules) instead of
 * showing zeros.
 */
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { apiMessage, useRedSummary } from '../../api/observabilityQueries';
import { useClusterGet, useScope, withQuery } from '../../api/queries';
import type { components } from '../../api/schema.gen';
import { HealthBadge, age } from '../../components/ui';
import { Tile } from '../observability/charts';
import { formatMs, formatRate, formatShare } from '../observability/series';

type Schemas = components['schemas'];
type InferenceSummary = Schemas['InferenceSummary'];
type ActiveAlert = Schemas['ActiveAlertView'];
type EventPage = Schemas['ViewPage_EventView_'];

const POLL_MS = 15_000;

function Panel({ title, to, children }: { title: string; to?: string; children: ReactNode }) {
  return (
    <section className="rounded-lg border border-line bg-panel p-4" aria-label={title}>
      <div className="mb-3 flex items-center justify-between">
        <h2 className="text-sm font-semibold">{title}</h2>
        {to && (
          <Link to={to} className="text-xs text-fg underline decoration-accent underline-offset-4">
            Open
          </Link>
        )}
      </div>
      {children}
    </section>
  );
}

function Unavailable({ error }: { error: unknown }) {
  return <p className="text-sm text-fg-muted">Not available: {apiMessage(error)}</p>;
}

function number(value: number | null | undefined, digits = 0): string {
  return value === null || value === undefined ? '—' : value.toFixed(digits);
}

export function RedSummaryPanel() {
  const red = useRedSummary('1h', true);
  const now = red.data?.now;
  return (
    <Panel title="Traffic (RED, last hour)" to="/observability">
      {red.error && <Unavailable error={red.error} />}
      {red.isPending && <p className="text-sm text-fg-muted">Loading…</p>}
      {now && (
        <div className="grid grid-cols-3 gap-3">
          <Tile label="Requests" value={formatRate(now.requests_per_second)} />
          <Tile label="Error rate" value={formatShare(now.error_rate)} />
          <Tile label="Avg latency" value={formatMs(now.avg_latency_ms)} />
        </div>
      )}
    </Panel>
  );
}

export function InferenceSummaryPanel() {
  const { namespace } = useScope();
  const summary = useClusterGet<InferenceSummary>(
    ['dashboard', 'inference-summary', namespace],
    withQuery('/inference/metrics/summary', { namespace, range: '15m', step: 60 }),
    { refetchInterval: POLL_MS, retry: false },
  );
  const data = summary.data;
  return (
    <Panel title="Inference" to="/inference">
      {summary.error && <Unavailable error={summary.error} />}
      {summary.isPending && <p className="text-sm text-fg-muted">Loading…</p>}
      {data?.now && (
        <div className="grid grid-cols-3 gap-3">
          <Tile label="Pools" value={String(data.pools)} hint={`${data.ready_pods}/${data.pods} pods ready`} />
          <Tile label="Inference requests" value={formatRate(data.now['requests_per_second'])} />
          <Tile label="Tokens/s" value={number(data.now['tokens_per_second'])} />
          <Tile label="Queue depth" value={number(data.now['queue_depth'])} hint="requests waiting, all pools" />
          <Tile label="GPU util" value={`${number(data.now['gpu_util_pct'])} %`} hint="mean over GPUs" />
          <Tile label="KV cache" value={`${number(data.now['kv_cache_pct'])} %`} hint="mean over pods" />
        </div>
      )}
    </Panel>
  );
}

export function AlertsPanel() {
  const alerts = useClusterGet<ActiveAlert[]>(['dashboard', 'alerts'], '/alerts/active', { refetchInterval: POLL_MS, retry: false });
  const firing = (alerts.data ?? []).filter((a) => a.state === 'firing');
  return (
    <Panel title="Alerts firing" to="/settings">
      {alerts.error && <Unavailable error={alerts.error} />}
      {alerts.data && firing.length === 0 && <p className="text-sm text-fg-muted">None firing.</p>}
      <ul className="space-y-2">
        {firing.slice(0, 6).map((a) => (
          <li key={`${a.rule_id}/${JSON.stringify(a.labels)}`} className="flex items-start gap-2 text-sm">
            <HealthBadge health={a.severity === 'critical' ? 'error' : 'degraded'} label={a.severity} />
            <span>
              <span className="font-medium">{a.rule_name}</span>{' '}
              <span className="text-fg-muted">
                {Object.entries(a.labels)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(' ')}{' '}
                · value {a.value.toFixed(2)} · for {age(a.since)}
              </span>
            </span>
          </li>
        ))}
      </ul>
    </Panel>
  );
}

export function DriftPanel() {
  const { namespace } = useScope();
  const events = useClusterGet<EventPage>(
    ['dashboard', 'drift', namespace],
    withQuery('/events', { namespace, reason: 'DriftCorrected', limit: 5 }),
    { refetchInterval: POLL_MS, retry: false },
  );
  const items = events.data?.items ?? [];
  return (
    <Panel title="Recent drift corrected" to="/audit">
      {events.error && <Unavailable error={events.error} />}
      {events.data && items.length === 0 && <p className="text-sm text-fg-muted">No drift corrected recently.</p>}
      <ul className="space-y-2">
        {items.map((e) => (
          <li key={`${e.namespace}/${e.name}`} className="text-sm">
            <span className="font-medium">
              {e.involved_object.kind} {e.namespace}/{e.involved_object.name}
            </span>
            : <span className="text-fg-muted">{e.message}</span>{' '}
            <span className="text-xs text-fg-muted">({age(e.last_seen)} ago)</span>
          </li>
        ))}
      </ul>
    </Panel>
  );
}
