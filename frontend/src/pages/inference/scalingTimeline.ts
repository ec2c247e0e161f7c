/** A pool's replica count over time from its scaling events (pure). */
import type { Point } from './chartData';

export interface ScalingStep {
  readonly time: number;
  readonly from_replicas: number | null;
  readonly to_replicas: number | null;
}

/**
 * Step points (unix seconds, replicas): the count before the first event (its `from`), each
 * event's `to`, and `current` held until `now`. Events without a size (a failure to scale)
 * add no point. Empty when nothing is known.
 */
export function replicaSteps(events: readonly ScalingStep[], start: number, now: number, current: number | null): Point[] {
  const sized = [...events].filter((e) => e.to_replicas !== null).sort((a, b) => a.time - b.time);
  const points: Point[] = [];
  const first = sized[0];
  if (first && first.from_replicas !== null) points.push([Math.min(start, first.time), first.from_replicas]);
  for (const e of sized) points.push([e.time, e.to_replicas ?? 0]);
  const last = points[points.length - 1];
  if (current !== null) {
    if (!last) points.push([start, current]);
    points.push([Math.max(now, last?.[0] ?? now), current]);
  } else if (last) {
    points.push([Math.max(now, last[0]), last[1]]);
  }
  return points;
}
