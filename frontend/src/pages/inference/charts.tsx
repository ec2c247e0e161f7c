/** Recharts panels of the inference pages: time series and the TTFT histogram (dark first). */
import type { ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Card, Empty, ErrorBox, Loading } from '../../components/ui';
import { failureReason } from '../../api/inferenceQueries';
import { barOf, clock, hasPoints, histogramBars, mergeSeries, quantileLabel, withGaps, type NamedSeries } from './chartData';

/** Series colours, distinguishable on the dark panel (and the light one). */
export const PALETTE = ['#38bdf8', '#f472b6', '#a3e635', '#fb923c', '#c084fc', '#facc15', '#2dd4bf', '#f87171'];
const AXIS = { stroke: 'var(--color-fg-muted)', fontSize: 11 };
const TOOLTIP = {
  contentStyle: { background: 'var(--color-panel-raised)', border: '1px solid var(--color-line)', borderRadius: 6, fontSize: 12 },
  labelStyle: { color: 'var(--color-fg-muted)' },
};

/** Why a metrics panel has nothing to draw, in words (no Prometheus is a setup, not an error). */
export function PanelState({ error, pending, empty, what }: { error: unknown; pending: boolean; empty: boolean; what: string }): ReactNode {
  if (error) {
    const reason = failureReason(error);
    if (reason === 'NoPrometheus') return <Empty>No Prometheus is configured for this console: {what} are not available.</Empty>;
    if (reason === 'AnalyticsUnavailable') return <Empty>The analytics store is not available: {what} cannot be read.</Empty>;
    return <ErrorBox error={error} title={`Could not load ${what}`} />;
  }
  if (pending) return <Loading what={`Loading ${what}`} />;
  if (empty) return <Empty>No {what} in this window yet.</Empty>;
  return null;
}

interface TimeChartProps {
  readonly title: string;
  readonly series: readonly NamedSeries[];
  readonly unit: string;
  readonly format?: (value: number) => string;
  readonly error?: unknown;
  readonly pending?: boolean;
  readonly height?: number;
  readonly yMax?: number;
  /** A caption under the title: the current values, a threshold... */
  readonly summary?: ReactNode;
  /** `stepAfter` for counts that jump (replicas). */
  readonly curve?: 'monotone' | 'stepAfter';
  /** A horizontal line: the autoscaler's threshold for this signal. */
  readonly threshold?: { readonly value: number; readonly label: string };
  /** Without its own card (inside another panel). */
  readonly bare?: boolean;
  /** Break lines over holes in the samples (off for sparse event-driven series). */
  readonly gaps?: boolean;
}

/** Lines over time, one per series, in a card titled `title`. */
export function TimeChart({ title, series, unit, format, error, pending = false, height = 200, yMax, summary, curve = 'monotone', threshold, bare = false, gaps = true }: TimeChartProps) {
  const empty = !hasPoints(series);
  const state = PanelState({ error, pending: pending && empty, empty, what: title.toLowerCase() });
  const fmt = format ?? ((v: number) => `${Number.isInteger(v) ? v : v.toFixed(1)} ${unit}`);
  const merged = mergeSeries(series);
  const rows = gaps ? withGaps(merged) : merged;
  // Under 5 minutes of data, minutes alone would label every tick the same.
  const span = rows.length > 1 ? (rows[rows.length - 1]?.['t'] ?? 0) - (rows[0]?.['t'] ?? 0) : 0;
  const tick = (t: number) => clock(t, span < 300);
  const figure = (
    <figure aria-label={`${title} chart`} data-chart={title} data-points={series.reduce((n, s) => n + s.points.length, 0)}>
      {summary !== undefined && <figcaption className="mb-2 text-xs text-fg-muted">{summary}</figcaption>}
      {state ?? (
        <div style={{ height }}>
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={rows} margin={{ top: 4, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
              <CartesianGrid stroke="var(--color-line)" strokeDasharray="3 3" />
              <XAxis dataKey="t" type="number" domain={['dataMin', 'dataMax']} tickFormatter={tick} {...AXIS} />
              <YAxis width={56} domain={[0, yMax ?? 'auto']} tickFormatter={(v: number) => fmt(v).replace(` ${unit}`, '')} {...AXIS} />
              <Tooltip {...TOOLTIP} labelFormatter={(t) => clock(Number(t), true)} formatter={(v) => fmt(Number(v))} />
              {series.length > 1 && <Legend wrapperStyle={{ fontSize: 11 }} />}
              {threshold && (
                <ReferenceLine y={threshold.value} stroke="#fb923c" strokeDasharray="6 3" ifOverflow="extendDomain" label={{ value: threshold.label, fill: '#fb923c', fontSize: 11, position: 'insideTopLeft' }} />
              )}
              {series.map((s, i) => (
                <Line key={s.name} dataKey={s.name} name={s.name} type={curve} dot={false} isAnimationActive={false} connectNulls={!gaps} stroke={PALETTE[i % PALETTE.length]} strokeWidth={s.name === 'pool' ? 2.5 : 1.5} />
              ))}
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
    </figure>
  );
  return bare ? figure : <Card title={title}>{figure}</Card>;
}

interface HistogramProps {
  readonly buckets: readonly (readonly [string, number])[];
  readonly p50: number | null | undefined;
  readonly p95: number | null | undefined;
  readonly p99: number | null | undefined;
  readonly error?: unknown;
  readonly pending?: boolean;
}

/** Time-to-first-token distribution with the p50 and p95 marked. */
export function TtftChart({ buckets, p50, p95, p99, error, pending = false }: HistogramProps) {
  const bars = histogramBars(buckets);
  const total = bars.reduce((n, b) => n + b.count, 0);
  const state = PanelState({ error, pending: pending && total === 0, empty: total === 0, what: 'time-to-first-token samples' });
  // A quantile past the last finite bound belongs to the overflow bar.
  const mark = (q: number | null | undefined) => (quantileLabel(q, buckets).startsWith('≥') ? bars.at(-1)?.label : barOf(bars, q));
  const p50Bar = mark(p50);
  const p95Bar = mark(p95);
  return (
    <Card title="Time to first token">
      <figure aria-label="Time to first token histogram" data-chart="Time to first token" data-points={bars.filter((b) => b.count > 0).length}>
        <figcaption className="mb-2 flex gap-4 text-xs text-fg-muted">
          <span>p50 <strong className="text-fg">{quantileLabel(p50, buckets)}</strong></span>
          <span>p95 <strong className="text-fg">{quantileLabel(p95, buckets)}</strong></span>
          <span>p99 <strong className="text-fg">{quantileLabel(p99, buckets)}</strong></span>
          <span>{Math.round(total).toLocaleString('en-US')} requests</span>
        </figcaption>
        {state ?? (
          <div style={{ height: 200 }}>
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={bars} margin={{ top: 16, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
                <CartesianGrid stroke="var(--color-line)" strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="label" {...AXIS} interval={0} angle={-30} textAnchor="end" height={48} />
                <YAxis width={48} {...AXIS} />
                <Tooltip {...TOOLTIP} formatter={(v) => [`${Math.round(Number(v))} requests`, 'count']} cursor={{ fill: 'var(--color-panel-raised)' }} />
                <Bar dataKey="count" fill={PALETTE[0]} isAnimationActive={false} />
                {p50Bar && <ReferenceLine x={p50Bar} stroke="#a3e635" strokeDasharray="4 2" label={{ value: 'p50', fill: '#a3e635', fontSize: 11, position: 'top' }} />}
                {p95Bar && <ReferenceLine x={p95Bar} stroke="#fb923c" strokeDasharray="4 2" label={{ value: 'p95', fill: '#fb923c', fontSize: 11, position: 'insideTopRight' }} />}
              </BarChart>
            </ResponsiveContainer>
          </div>
        )}
      </figure>
    </Card>
  );
}
