/**
 * `/inference/pools/:namespace/:name`: one InferencePool — its stack's status, the metrics
 * panels of spec §3.10.3 (TTFT, TPS, queue, KV cache, prefix cache, GPU per pod), the scaling
 * timeline (§3.10.4), cost, the GPU heatmap and the latest EPP decisions.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useParams } from 'react-router';
import {
  STACK_LABEL,
  useCost,
  usePoolDetail,
  usePoolMetrics,
  usePoolScalingEvents,
  usePoolSignal,
  usePoolTtft,
  useStack,
  type Range,
  type ScalingEvent,
  type SignalRoute,
  type SignalView,
} from '../../api/inferenceQueries';
import { useScope } from '../../api/queries';
import type { Health } from '../../api/types';
import { LinkButton } from '../../components/LinkButton';
import { PageHeader } from '../../components/PageHeader';
import { Card, ErrorBox, HealthBadge, Loading, Tag, healthOf } from '../../components/ui';
import { clock, formatMiB, formatMoney, formatNumber, type NamedSeries } from './chartData';
import { PanelState, TimeChart, TtftChart } from './charts';
import { EppVisualizer } from './EppVisualizer';
import { GpuHeatmap } from './GpuHeatmap';
import { LatencyBreakdownCard, ModelComparisonCard } from './LatencyPanels';
import { socketLabel, useScalingFeed } from './liveFeeds';
import { RangeSelect } from './RangeSelect';
import { replicaSteps } from './scalingTimeline';
import { ScalingWhatIf } from './ScalingWhatIf';

export function phaseHealth(phase: string | undefined): Health {
  if (phase === 'Ready') return 'healthy';
  if (phase === 'Error') return 'error';
  if (phase === 'Degraded' || phase === 'Provisioning' || phase === 'Pending') return 'degraded';
  return 'unknown';
}

interface StackSpec {
  model?: { name?: string; modelId?: string; backend?: string; gpuType?: string; gpusPerPod?: number };
  epp?: { strategy?: string };
  autoscaling?: {
    backend?: string;
    queueDepthThreshold?: { value?: number; duration?: string };
    kvCacheThreshold?: { value?: number; duration?: string };
    gpuUtilThreshold?: { value?: number; duration?: string };
  };
  pool?: { minReplicas?: number; maxReplicas?: number; replicas?: number };
}
interface StackStatus {
  phase?: string;
  currentReplicas?: number;
  desiredReplicas?: number;
}

/** The autoscaler's trigger on a signal as a chart line ("scale up > 4 for 30s"). */
function trigger(t: { value?: number; duration?: string } | undefined): { value: number; label: string } | undefined {
  if (t?.value === undefined) return undefined;
  return { value: t.value, label: `scale up > ${t.value}${t.duration ? ` for ${t.duration}` : ''} (pod avg)` };
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex justify-between gap-3">
      <dt className="text-fg-muted">{label}</dt>
      <dd className="text-right">{children}</dd>
    </div>
  );
}

/** Per-pod series plus the pool's (the wider line), from a signal route. */
function perPod(view: SignalView | undefined, withPool: boolean, scale = 1): NamedSeries[] {
  if (!view) return [];
  const scaled = (points: readonly (readonly [number, number])[]) => (scale === 1 ? points : points.map(([t, v]) => [t, v * scale] as const));
  const pods = view.per_pod.map((s) => ({ name: s.labels?.['pod'] ?? '?', points: scaled(s.points) }));
  return withPool && pods.length > 1 ? [{ name: 'pool', points: scaled(view.pool_series) }, ...pods] : pods;
}

function SignalPanel({ namespace, name, signal, range, title, unit, withPool = false, yMax, format, threshold }: {
  namespace: string;
  name: string;
  signal: SignalRoute;
  range: Range;
  title: string;
  unit: string;
  withPool?: boolean;
  yMax?: number;
  format?: (v: number) => string;
  threshold?: { value: number; label: string } | undefined;
}) {
  const q = usePoolSignal(namespace, name, signal, range);
  const series = perPod(q.data, withPool);
  const fmt = format ?? ((v: number) => `${formatNumber(v)} ${unit}`);
  // The pool's value now, or the busiest pod's when there is no pool line.
  const latest = series.map((s) => ({ name: s.name, value: s.points.at(-1)?.[1] })).filter((s): s is { name: string; value: number } => s.value !== undefined);
  const top = latest.find((s) => s.name === 'pool') ?? latest.sort((a, b) => b.value - a.value)[0];
  const summary = top === undefined ? undefined : top.name === 'pool' ? `Pool now: ${fmt(top.value)}` : latest.length > 1 ? `Highest now: ${top.name} ${fmt(top.value)}` : `Now: ${fmt(top.value)}`;
  return (
    <TimeChart
      title={title}
      series={series}
      unit={unit}
      format={fmt}
      error={q.error}
      pending={q.isPending}
      {...(yMax !== undefined ? { yMax } : {})}
      {...(threshold !== undefined ? { threshold } : {})}
      summary={summary}
    />
  );
}

function ScalingTimeline({ namespace, name, range, current }: { namespace: string; name: string; range: Range; current: number | null }) {
  const client = useQueryClient();
  const { cluster } = useScope();
  const events = usePoolScalingEvents(namespace, name, range);
  const socket = useScalingFeed(namespace, name, () => {
    void client.invalidateQueries({ queryKey: ['cluster', cluster, 'inference-scaling', namespace, name] });
  });
  const list: readonly ScalingEvent[] = events.data ?? [];
  const now = events.dataUpdatedAt / 1000;
  const start = list[0]?.time ?? now;
  const steps = replicaSteps(list, start, now, current);
  return (
    <Card title="Scaling events" actions={<span className="text-xs text-fg-muted">websocket: {socketLabel(socket)}</span>}>
      {events.error ? (
        <PanelState error={events.error} pending={false} empty={false} what="scaling events" />
      ) : events.isPending ? (
        <Loading what="Loading scaling events" />
      ) : list.length === 0 ? (
        <p className="text-sm text-fg-muted">No scaling events in this window{current !== null ? `; the pool holds ${current} replica${current === 1 ? '' : 's'}` : ''}.</p>
      ) : (
        <div className="space-y-3">
          <TimeChart bare gaps={false} title="Replicas" series={[{ name: 'replicas', points: steps }]} unit="replicas" curve="stepAfter" height={140} format={(v) => `${v} replicas`} />
          <ol aria-label="Scaling events" className="max-h-64 space-y-1 overflow-y-auto text-xs">
            {[...list].reverse().map((e) => (
              <li key={`${e.time}/${e.kind}/${e.name}/${e.message}`} className="flex gap-2 rounded-md border border-line px-2 py-1">
                <span className="font-mono text-fg-muted">{clock(e.time, true)}</span>
                <span className={e.type === 'Warning' ? 'text-status-error' : ''}>
                  {e.direction === 'up' ? '▲ up' : e.direction === 'down' ? '▼ down' : e.reason}
                  {e.to_replicas !== null && (e.from_replicas !== null ? ` ${e.from_replicas} → ${e.to_replicas}` : ` to ${e.to_replicas}`)}
                </span>
                <span className="min-w-0 flex-1 truncate text-fg-muted" title={e.message}>
                  {e.trigger ? `trigger: ${e.trigger}` : e.message}
                </span>
                <Tag>{e.kind}</Tag>
              </li>
            ))}
          </ol>
        </div>
      )}
    </Card>
  );
}

function CostCard({ namespace, name, range }: { namespace: string; name: string; range: Range }) {
  const cost = useCost(namespace, range);
  const mine = cost.data?.pools.find((p) => p.pool === name);
  return (
    <Card title="Cost">
      {cost.error || cost.isPending ? (
        <PanelState error={cost.error} pending={cost.isPending} empty={false} what="cost estimates" />
      ) : !mine ? (
        <p className="text-sm text-fg-muted">No cost estimate for this pool.</p>
      ) : (
        <div className="space-y-3 text-sm">
          <div className="flex gap-6">
            <div>
              <p className="text-xs text-fg-muted">Hourly</p>
              <p className="text-xl font-semibold" data-testid="cost-hourly">{formatMoney(mine.hourly)}</p>
            </div>
            <div>
              <p className="text-xs text-fg-muted">Daily</p>
              <p className="text-xl font-semibold">{formatMoney(mine.daily)}</p>
            </div>
            <div>
              <p className="text-xs text-fg-muted">This window ({formatNumber(mine.window_hours, 2)} h)</p>
              <p className="text-xl font-semibold">{formatMoney(mine.window_cost)}</p>
            </div>
          </div>
          <dl className="space-y-1 text-xs">
            <Row label="Basis">
              {mine.replicas} replica{mine.replicas === 1 ? '' : 's'} × {mine.gpus_per_pod} {mine.gpu_type} × {mine.price_per_gpu_hour === null ? 'no price configured' : `${formatMoney(mine.price_per_gpu_hour)}/GPU-hour`}
            </Row>
            <Row label="Average replicas / busy pods">
              {formatNumber(mine.avg_replicas)} / {formatNumber(mine.avg_busy_pods)}
            </Row>
          </dl>
          {mine.finding ? (
            <p role="note" className="rounded-md border border-status-warning/60 bg-status-warning/10 p-2 text-xs">
              {mine.finding}
            </p>
          ) : (
            <p className="text-xs text-fg-muted">No over-provisioning found in this window.</p>
          )}
        </div>
      )}
    </Card>
  );
}

export function PoolDetailPage() {
  const { namespace = '', name = '' } = useParams();
  const [range, setRange] = useState<Range>('15m');
  const detail = usePoolDetail(namespace, name);
  const stackName = detail.data?.pool.labels?.[STACK_LABEL] ?? null;
  const stack = useStack(namespace, stackName);
  const metrics = usePoolMetrics(namespace, name, range);
  const ttft = usePoolTtft(namespace, name, range);
  const spec = (stack.data?.spec ?? {}) as StackSpec;
  const status = (stack.data?.status ?? {}) as StackStatus;
  const pool = detail.data?.pool;
  const readyPods = detail.data?.pods.filter((p) => p.ready).length;
  const current = status.currentReplicas ?? detail.data?.pods.length ?? null;
  const prefix = metrics.data?.series['prefix_hit_rate'] ?? [];
  const rps = metrics.data?.series['requests_per_second'] ?? [];

  const header = (
    <PageHeader
      title={`InferencePool ${name}`}
      actions={
        <>
          <RangeSelect value={range} onChange={setRange} />
          <LinkButton to={`/inference/pools/${namespace}/${name}/epp`}>Live EPP decisions</LinkButton>
        </>
      }
    >
      {namespace}
      {stackName ? ` · InferenceStack ${stackName}` : ' · not managed by an InferenceStack'}
    </PageHeader>
  );
  // Without the pool (not found, not readable) the metrics panels would only repeat the error.
  if (!pool) {
    return (
      <section className="space-y-4">
        {header}
        {detail.error && <ErrorBox error={detail.error} title="Could not load the pool" />}
        {detail.isPending && <Loading what="Loading pool" />}
      </section>
    );
  }

  return (
    <section className="space-y-4">
      {header}
      <Card title="Status">
        <dl className="grid grid-cols-1 gap-x-8 gap-y-1 text-sm sm:grid-cols-2 lg:grid-cols-3" aria-label="Pool status">
          <Row label="Stack phase">{stackName ? <HealthBadge health={phaseHealth(status.phase)} label={status.phase ?? (stack.isPending ? '…' : 'Pending')} /> : '—'}</Row>
          <Row label="Replicas">
            <span data-testid="replicas">
              {status.currentReplicas ?? readyPods ?? '—'} / {status.desiredReplicas ?? detail.data?.pods.length ?? '—'}
            </span>
          </Row>
          <Row label="Pods ready">
            {readyPods ?? '—'} / {detail.data?.pods.length ?? '—'}
          </Row>
          <Row label="Model">{spec.model?.name ?? spec.model?.modelId ?? '—'}</Row>
          <Row label="Backend">{spec.model?.backend ?? '—'}</Row>
          <Row label="GPU">{spec.model?.gpuType ? `${spec.model.gpusPerPod ?? 1} × ${spec.model.gpuType} per pod` : '—'}</Row>
          <Row label="EPP strategy">{spec.epp?.strategy ?? '—'}</Row>
          <Row label="Autoscaling">{spec.autoscaling ? `${spec.autoscaling.backend ?? '?'}, ${spec.pool?.minReplicas ?? '?'}–${spec.pool?.maxReplicas ?? '?'} replicas` : 'fixed size'}</Row>
          <Row label="Pool health"><HealthBadge health={pool.health} /></Row>
          <Row label="Accepted"><HealthBadge health={healthOf(pool.accepted)} label={String(pool.accepted ?? '—')} /></Row>
          <Row label="Endpoint picker">{pool.endpoint_picker ? `${pool.endpoint_picker.name}:${pool.endpoint_picker.port ?? '?'}` : '—'}</Row>
          <Row label="GPU memory now">{formatMiB(metrics.data?.now['gpu_mem_used_mib'])}</Row>
        </dl>
      </Card>
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
        <TtftChart buckets={ttft.data?.buckets ?? []} p50={ttft.data?.p50} p95={ttft.data?.p95} p99={ttft.data?.p99} error={ttft.error} pending={ttft.isPending} />
        <SignalPanel namespace={namespace} name={name} signal="tps" range={range} title="Tokens per second" unit="tokens/s" withPool />
        <SignalPanel namespace={namespace} name={name} signal="queue-depth" range={range} title="Queue depth per pod" unit="requests" threshold={trigger(spec.autoscaling?.queueDepthThreshold)} />
        <TimeChart
          title="Request rate"
          series={[{ name: 'requests/s', points: rps }]}
          unit="req/s"
          error={metrics.error}
          pending={metrics.isPending}
          summary="Correlate with the queue depth to check the scaling thresholds."
        />
        <SignalPanel namespace={namespace} name={name} signal="kv-cache" range={range} title="KV-cache utilisation" unit="%" yMax={100} format={(v) => `${v.toFixed(1)} %`} threshold={trigger(spec.autoscaling?.kvCacheThreshold)} />
        <TimeChart
          title="Prefix cache hit rate"
          series={[{ name: 'hit rate', points: prefix.map(([t, v]) => [t, v * 100] as const) }]}
          unit="%"
          yMax={100}
          format={(v) => `${v.toFixed(1)} %`}
          error={metrics.error}
          pending={metrics.isPending}
        />
        <SignalPanel namespace={namespace} name={name} signal="gpu-utilization" range={range} title="GPU utilisation per pod" unit="%" yMax={100} format={(v) => `${Math.round(v)} %`} threshold={trigger(spec.autoscaling?.gpuUtilThreshold)} />
        <SignalPanel namespace={namespace} name={name} signal="gpu-memory" range={range} title="GPU memory per pod" unit="MiB" format={formatMiB} />
      </div>
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
        <ScalingTimeline namespace={namespace} name={name} range={range} current={current} />
        <CostCard namespace={namespace} name={name} range={range} />
      </div>
      {stack.data && spec.autoscaling && <ScalingWhatIf namespace={namespace} name={name} range={range} stack={stack.data} current={current} />}
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
        <LatencyBreakdownCard namespace={namespace} name={name} range={range} />
        <ModelComparisonCard namespace={namespace} range={range} />
      </div>
      <GpuHeatmap namespace={namespace} pool={name} range={range} />
      <section aria-labelledby="epp-heading" className="space-y-2">
        <h2 id="epp-heading" className="text-lg font-semibold">
          EPP decisions
        </h2>
        <EppVisualizer namespace={namespace} pool={name} compact />
      </section>
    </section>
  );
}
