/** Shaping API series for Recharts, and number formats of the inference pages (pure). */

export type Point = readonly [number, number];

export interface NamedSeries {
  readonly name: string;
  readonly points: readonly Point[];
}

/** One row per timestamp (unix seconds, `t`) with a column per series; gaps stay undefined. */
export function mergeSeries(series: readonly NamedSeries[]): Record<string, number>[] {
  const rows = new Map<number, Record<string, number>>();
  for (const s of series) {
    for (const [t, v] of s.points) {
      if (!Number.isFinite(t) || !Number.isFinite(v)) continue;
      const row = rows.get(t) ?? { t };
      row[s.name] = v;
      rows.set(t, row);
    }
  }
  return [...rows.values()].sort((a, b) => (a['t'] ?? 0) - (b['t'] ?? 0));
}

/**
 * `rows` with an empty row (time only) in every hole longer than `factor` × the usual step, so
 * a line breaks where a series has no samples (a pod or Prometheus away) instead of drawing a
 * straight line across the gap.
 */
export function withGaps(rows: readonly Record<string, number>[], factor = 3): Record<string, number>[] {
  if (rows.length < 3) return [...rows];
  const diffs = rows.slice(1).map((r, i) => (r['t'] ?? 0) - (rows[i]?.['t'] ?? 0)).sort((a, b) => a - b);
  const step = diffs[Math.floor(diffs.length / 2)] ?? 0;
  const out: Record<string, number>[] = [];
  rows.forEach((row, i) => {
    const previous = rows[i - 1];
    if (previous && step > 0 && (row['t'] ?? 0) - (previous['t'] ?? 0) > factor * step) out.push({ t: ((previous['t'] ?? 0) + (row['t'] ?? 0)) / 2 });
    out.push(row);
  });
  return out;
}

/** Whether any series has a point (an empty chart says "no data" instead of drawing axes). */
export function hasPoints(series: readonly NamedSeries[]): boolean {
  return series.some((s) => s.points.some(([t, v]) => Number.isFinite(t) && Number.isFinite(v)));
}

/** A TTFT bucket bound (seconds, or `+Inf`) as the bar's label. */
export function bucketLabel(le: string): string {
  if (le === '+Inf') return '> last';
  const seconds = Number(le);
  return seconds < 1 ? `≤${Math.round(seconds * 1000)} ms` : `≤${seconds} s`;
}

export interface HistogramBar {
  readonly label: string;
  readonly le: number;
  readonly count: number;
}

/**
 * The histogram's bars: per-bucket counts (the API sends them per bucket, not cumulative),
 * the `+Inf` bucket labelled after the last bound, empty buckets past the last non-empty one
 * dropped (but at least one shown after it, so the tail is visible).
 */
export function histogramBars(buckets: readonly (readonly [string, number])[]): HistogramBar[] {
  const bars = buckets.map(([le, count]) => ({ le: le === '+Inf' ? Infinity : Number(le), count: Number.isFinite(count) ? count : 0, raw: le }));
  bars.sort((a, b) => a.le - b.le);
  let last = -1;
  bars.forEach((b, i) => {
    if (b.count > 0) last = i;
  });
  const kept = bars.slice(0, Math.min(bars.length, Math.max(last + 2, 1)));
  return kept.map((b, i) => {
    const previous = kept[i - 1];
    const label = b.raw === '+Inf' && previous ? `>${bucketLabel(previous.raw).slice(1)}` : bucketLabel(b.raw);
    return { label, le: b.le, count: b.count };
  });
}

/** The bar a quantile (seconds) falls in: the first bucket whose bound reaches it. */
export function barOf(bars: readonly HistogramBar[], seconds: number | null | undefined): string | undefined {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return undefined;
  return (bars.find((b) => seconds <= b.le) ?? bars[bars.length - 1])?.label;
}

/**
 * A TTFT quantile in words. Prometheus cannot place a quantile beyond the last finite bucket
 * bound and answers that bound: when requests fell in `+Inf`, the quantile is "≥ bound".
 */
export function quantileLabel(seconds: number | null | undefined, buckets: readonly (readonly [string, number])[]): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const finite = buckets.filter(([le]) => le !== '+Inf').map(([le]) => Number(le));
  const top = finite.length ? Math.max(...finite) : Infinity;
  const overflow = buckets.some(([le, count]) => le === '+Inf' && count > 0);
  return overflow && seconds >= top ? `≥ ${formatMs(top)}` : formatMs(seconds);
}

export function formatMs(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const ms = seconds * 1000;
  return ms < 10 ? `${ms.toFixed(1)} ms` : ms < 1000 ? `${Math.round(ms)} ms` : `${seconds.toFixed(2)} s`;
}

export function formatNumber(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(Number.isInteger(value) ? 0 : digits);
}

export function formatMoney(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export function formatMiB(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value >= 1024 ? `${(value / 1024).toFixed(1)} GiB` : `${Math.round(value)} MiB`;
}

/** Clock time of unix seconds (the charts' x axis), local time. */
export function clock(seconds: number, withSeconds = false): string {
  const d = new Date(seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}${withSeconds ? `:${pad(d.getSeconds())}` : ''}`;
}
