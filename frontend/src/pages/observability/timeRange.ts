/**
 * Time ranges of the observability pages: the picker's choices, the step a metrics request
 * asks for, and the absolute window a log query is pinned to (so its continue token stays valid).
 */

/** The range picker's choices (spec §3.4.1: 5m, 15m, 1h, 6h, 24h), plus 7d for logs. */
export const RANGES = ['5m', '15m', '1h', '6h', '24h', '7d'] as const;
export type RangeKey = (typeof RANGES)[number];

/** Prometheus ranges: the console keeps raw metrics for a day at most (spec §3.4.1). */
export const METRIC_RANGES: readonly RangeKey[] = ['5m', '15m', '1h', '6h', '24h'];

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds in a duration like `15m` or `24h`; throws on anything else. */
export function rangeSeconds(range: string): number {
  const match = /^(\d+)([smhd])$/.exec(range);
  if (!match) throw new Error(`not a duration: ${JSON.stringify(range)}`);
  return Number(match[1]) * (UNIT_SECONDS[match[2] ?? 's'] ?? 1);
}

/** Whether `value` is one of the picker's ranges. */
export function isRange(value: string | null | undefined): value is RangeKey {
  return value !== null && value !== undefined && (RANGES as readonly string[]).includes(value);
}

/** Steps a chart may use, smallest first; each divides the next so buckets line up. */
const NICE_STEPS = [15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400];

/** Points per chart we aim for at most (the API refuses more than its own limit). */
export const MAX_POINTS = 120;

/** The step (seconds) of a chart over `range`: the smallest nice step giving ≤ MAX_POINTS. */
export function stepSeconds(range: string): number {
  const wanted = rangeSeconds(range) / MAX_POINTS;
  return NICE_STEPS.find((s) => s >= wanted) ?? NICE_STEPS[NICE_STEPS.length - 1]!;
}

/** `stepSeconds` as the API's duration text (`15s`, `5m`, `1h`). */
export function stepParam(range: string): string {
  const s = stepSeconds(range);
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

/** An absolute window in RFC 3339, ending at `now`. */
export interface Window {
  readonly since: string;
  readonly until: string;
}

/** The window of the last `range` before `now` (ms since the epoch). */
export function windowFor(range: string, now: number): Window {
  return {
    since: new Date(now - rangeSeconds(range) * 1000).toISOString(),
    until: new Date(now).toISOString(),
  };
}

/** A chart tick: time of day (with seconds up to 15 min), day and time beyond a day. */
export function tickLabel(epochSeconds: number, range: string): string {
  const date = new Date(epochSeconds * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  const hhmm = `${two(date.getHours())}:${two(date.getMinutes())}`;
  if (rangeSeconds(range) <= 900) return `${hhmm}:${two(date.getSeconds())}`;
  if (rangeSeconds(range) <= 86400) return hhmm;
  return `${date.getMonth() + 1}/${date.getDate()} ${hhmm}`;
}
