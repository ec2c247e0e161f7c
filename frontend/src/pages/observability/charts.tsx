/** Time-series charts of the observability pages (Recharts), each a captioned figure. */
import type { ReactNode } from 'react';
import { Area, AreaChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { tickLabel } from './timeRange';

/** Series colours readable on both the dark and the light theme. */
export const COLORS = {
  requests: '#38bdf8',
  errors_4xx: '#eab308',
  errors_5xx: '#ef4444',
  error_pct: '#f97316',
  latency_ms: '#a78bfa',
  connections: '#2dd4bf',
  p50: '#22c55e',
  p95: '#eab308',
  p99: '#ef4444',
} as const;

export interface SeriesSpec<K extends string> {
  readonly key: K;
  readonly label: string;
  readonly color: string;
}

interface ChartProps<Row extends { t: number }, K extends string> {
  readonly title: string;
  readonly rows: readonly Row[];
  readonly series: readonly SeriesSpec<K>[];
  readonly range: string;
  readonly unit: string;
  /** Stacked areas (parts of a whole) instead of lines. */
  readonly stacked?: boolean;
  /** Shown instead of the chart when there are no rows. */
  readonly empty?: ReactNode;
  /** The x-axis span (epoch seconds): the whole range asked for, not only where data is. */
  readonly domain?: readonly [number, number];
}

const axisTick = { fill: '#8b98a9', fontSize: 11 };

/** One chart over time with a caption and an honest empty state. */
export function TimeChart<Row extends { t: number }, K extends string>({ title, rows, series, range, unit, stacked = false, empty, domain }: ChartProps<Row, K>) {
  const format = (value: unknown) => (typeof value === 'number' ? `${Number(value.toFixed(2))} ${unit}` : String(value));
  const common = (
    <>
      <CartesianGrid stroke="#8b98a9" strokeOpacity={0.2} vertical={false} />
      <XAxis dataKey="t" type="number" domain={domain ? [...domain] : ['dataMin', 'dataMax']} tick={axisTick} tickFormatter={(t: number) => tickLabel(t, range)} stroke="#8b98a9" />
      <YAxis tick={axisTick} stroke="#8b98a9" width={48} />
      <Tooltip
        formatter={format}
        labelFormatter={(t) => new Date(Number(t) * 1000).toLocaleString()}
        contentStyle={{ background: 'var(--color-panel-raised)', border: '1px solid var(--color-line)', color: 'var(--color-fg)', fontSize: 12 }}
      />
      <Legend wrapperStyle={{ fontSize: 12 }} />
    </>
  );
  return (
    <figure className="rounded-lg border border-line bg-panel p-4">
      <figcaption className="mb-2 text-sm font-semibold tracking-wide text-fg-muted uppercase">
        {title} <span className="font-normal normal-case">({unit})</span>
      </figcaption>
      {!rows.some((row) => series.some((s) => typeof (row as Record<string, unknown>)[s.key] === 'number')) ? (
        <div className="flex h-[200px] items-center justify-center text-sm text-fg-muted">{empty ?? 'No data in this range.'}</div>
      ) : (
        <div className="h-[200px]" data-testid={`chart-${title}`}>
          <ResponsiveContainer width="100%" height="100%">
            {stacked ? (
              <AreaChart data={rows as Row[]} accessibilityLayer={false}>
                {common}
                {series.map((s) => (
                  <Area key={s.key} dataKey={s.key} name={s.label} stackId="1" stroke={s.color} fill={s.color} fillOpacity={0.35} isAnimationActive={false} />
                ))}
              </AreaChart>
            ) : (
              <LineChart data={rows as Row[]} accessibilityLayer={false}>
                {common}
                {series.map((s) => (
                  <Line key={s.key} dataKey={s.key} name={s.label} stroke={s.color} dot={rows.length <= 3} strokeWidth={2} isAnimationActive={false} connectNulls />
                ))}
              </LineChart>
            )}
          </ResponsiveContainer>
        </div>
      )}
    </figure>
  );
}

/** A big number with its label (the overview's tiles). */
export function Tile({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="rounded-lg border border-line bg-panel p-4">
      <p className="text-xs tracking-wide text-fg-muted uppercase">{label}</p>
      <p className="mt-1 text-2xl font-semibold tabular-nums" data-testid={`tile-${label}`}>
        {value}
      </p>
      {hint && <p className="mt-1 text-xs text-fg-muted">{hint}</p>}
    </div>
  );
}
