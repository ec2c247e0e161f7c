/** Layout of the trace waterfall: each timing segment as a bar on one time axis. */
import type { TimingSegment } from '../../api/diagnosticsQueries';

export interface Bar {
  readonly name: string;
  /** Percent of the axis. */
  readonly left: number;
  readonly width: number;
  readonly startMs: number;
  readonly durationMs: number;
  readonly depth: number;
  readonly source: string;
  readonly approximate: boolean;
}

/**
 * Bars on an axis from 0 to the latest end; a segment is indented under its `parent`.
 * Zero-length segments keep a sliver so they stay visible.
 */
export function segmentBars(segments: readonly TimingSegment[]): { bars: Bar[]; totalMs: number } {
  const totalMs = Math.max(0, ...segments.map((s) => s.start_ms + s.duration_ms));
  const depthOf = new Map<string, number>();
  const bars = segments.map((s) => {
    const depth = s.parent ? (depthOf.get(s.parent) ?? 0) + 1 : 0;
    depthOf.set(s.name, depth);
    const scale = totalMs > 0 ? 100 / totalMs : 0;
    return {
      name: s.name,
      left: Math.min(100, s.start_ms * scale),
      width: Math.max(0.5, s.duration_ms * scale),
      startMs: s.start_ms,
      durationMs: s.duration_ms,
      depth,
      source: s.source,
      approximate: s.approximate_start,
    };
  });
  return { bars, totalMs };
}
