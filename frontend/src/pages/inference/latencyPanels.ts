/** Pure helpers of the latency-breakdown and model-comparison panels. */
import type { Range } from '../../api/inferenceQueries';

const RANGE_MS: Record<Range, number> = { '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '6h': 21_600_000, '24h': 86_400_000 };

/** The `since` of a window ending now, as the analytics routes take it (RFC 3339). */
export function sinceOf(range: Range, now: number = Date.now()): string {
  return new Date(now - RANGE_MS[range]).toISOString();
}

export interface PhaseBar {
  readonly phase: string;
  readonly label: string;
  readonly avgMs: number;
  /** Share of the mean total, 0..1 (averages add up; quantiles would not). */
  readonly share: number;
}

/** The phases as stacked shares of the mean request (phases without an average are left out). */
export function phaseBars(phases: readonly { phase: string; label: string; avg_ms?: number | null }[]): PhaseBar[] {
  const known = phases.filter((p): p is typeof p & { avg_ms: number } => typeof p.avg_ms === 'number' && p.avg_ms >= 0);
  const total = known.reduce((sum, p) => sum + p.avg_ms, 0);
  return known.map((p) => ({ phase: p.phase, label: p.label, avgMs: p.avg_ms, share: total > 0 ? p.avg_ms / total : 0 }));
}
