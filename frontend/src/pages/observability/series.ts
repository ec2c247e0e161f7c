/**
 * Chart rows from the API's answers: the RED series of Prometheus (one `[t, value]` list per
 * signal) joined by timestamp, and the latency percentiles read from the access-log rollups.
 */
import type { components } from '../../api/schema.gen';

export type RedView = components['schemas']['RedView'];
type Points = readonly (readonly [number, number])[];

/** One chart row: a timestamp (epoch seconds) and every signal known at that time. */
export interface RedRow {
  t: number;
  requests?: number;
  errors_4xx?: number;
  errors_5xx?: number;
  /** Share of responses that were 4xx or 5xx, in percent. */
  error_pct?: number;
  latency_ms?: number;
  connections?: number;
}

type Signal = 'requests' | 'errors_4xx' | 'errors_5xx' | 'latency_ms' | 'connections';
const SIGNALS: readonly Signal[] = ['requests', 'errors_4xx', 'errors_5xx', 'latency_ms', 'connections'];

/** The RED series joined on their timestamps, oldest first, with the error share per row. */
export function redRows(view: Pick<RedView, Signal>): RedRow[] {
  const byTime = new Map<number, RedRow>();
  for (const signal of SIGNALS) {
    const points: Points = view[signal];
    for (const [t, value] of points) {
      if (!Number.isFinite(value)) continue;
      const row = byTime.get(t) ?? { t };
      row[signal] = value;
      byTime.set(t, row);
    }
  }
  const rows = [...byTime.values()].sort((a, b) => a.t - b.t);
  for (const row of rows) {
    if (row.requests !== undefined && row.requests > 0) {
      row.error_pct = (100 * ((row.errors_4xx ?? 0) + (row.errors_5xx ?? 0))) / row.requests;
    }
  }
  return rows;
}

/** One latency-percentile chart row (ms). */
export interface PercentileRow {
  t: number;
  p50: number;
  p95: number;
  p99: number;
}

/**
 * Rows of the percentile query (`t, p50, p95, p99`); ClickHouse may send numbers as strings
 * (64-bit integers), so every cell goes through Number(). Rows with a missing value are dropped.
 */
export function percentileRows(rows: readonly (readonly unknown[])[]): PercentileRow[] {
  const out: PercentileRow[] = [];
  for (const row of rows) {
    const [t, p50, p95, p99] = row.map((v) => (v === null || v === undefined || v === '' ? NaN : Number(v)));
    if ([t, p50, p95, p99].every((v) => v !== undefined && Number.isFinite(v))) {
      out.push({ t: t!, p50: p50!, p95: p95!, p99: p99! });
    }
  }
  return out;
}

/** `12.3/s`, `1.2k/s`: a rate for a tile or a table cell. */
export function formatRate(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value >= 1000) return `${(value / 1000).toFixed(1)}k/s`;
  if (value >= 10) return `${value.toFixed(0)}/s`;
  return `${value.toFixed(value === 0 ? 0 : 2)}/s`;
}

/** A 0..1 share as a percentage. */
export function formatShare(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${(value * 100).toFixed(value === 0 ? 0 : 2)}%`;
}

/** Milliseconds, rounded for reading. */
export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`;
}
