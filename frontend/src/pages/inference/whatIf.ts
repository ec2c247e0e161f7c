/**
 * "What if the thresholds were …": the replicas the autoscaler would ask for over the
 * recorded load, with the formulas the rendered autoscaler uses (render/autoscaler.py):
 *
 * - queue depth, a per-pod target on the pool's sum (KEDA AverageValue / HPA Pods metric):
 *   desired = ceil(total waiting / threshold);
 * - KV cache (mean %, a Value target): desired = ceil(replicas × mean / threshold);
 *
 * the largest of the two, clamped to [min, max]. A one-step estimate: it reads the load as
 * recorded with the replicas that actually ran, not the load other replica counts would
 * have produced.
 */
import type { Point } from './chartData';

export interface Policy {
  readonly queueThreshold: number | null;
  readonly kvThreshold: number | null;
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

/** The replica count in effect at `t` from step points (the last step at or before `t`). */
export function replicasAt(steps: readonly Point[], t: number): number | null {
  let found: number | null = null;
  for (const [time, value] of steps) {
    if (time > t) break;
    found = value;
  }
  return found ?? steps[0]?.[1] ?? null;
}

/** Desired replicas at each point of the queue (or KV) series under `policy`. */
export function whatIfReplicas(queue: readonly Point[], kv: readonly Point[], actual: readonly Point[], policy: Policy): Point[] {
  const times = queue.length > 0 ? queue : kv;
  const kvAt = new Map(kv.map(([t, v]) => [t, v]));
  const queueAt = new Map(queue.map(([t, v]) => [t, v]));
  const out: Point[] = [];
  for (const [t] of times) {
    const wants: number[] = [];
    const waiting = queueAt.get(t);
    if (policy.queueThreshold && waiting !== undefined) wants.push(Math.ceil(waiting / policy.queueThreshold));
    const cache = kvAt.get(t);
    const running = replicasAt(actual, t);
    if (policy.kvThreshold && cache !== undefined && running !== null) wants.push(Math.ceil((running * cache) / policy.kvThreshold));
    if (wants.length === 0) continue;
    out.push([t, Math.min(policy.maxReplicas, Math.max(policy.minReplicas, ...wants))]);
  }
  return out;
}

/** Time-weighted mean of step points over their span (null when fewer than two points). */
export function meanReplicas(points: readonly Point[]): number | null {
  if (points.length < 2) return null;
  let area = 0;
  for (let i = 0; i < points.length - 1; i++) {
    const [t, v] = points[i] as Point;
    const [next] = points[i + 1] as Point;
    area += v * (next - t);
  }
  const span = (points[points.length - 1] as Point)[0] - (points[0] as Point)[0];
  return span > 0 ? area / span : null;
}

/** Validation of a policy as the CRD has it; field → message. */
export function policyErrors(p: Policy): Record<string, string> {
  const errors: Record<string, string> = {};
  if (p.queueThreshold === null && p.kvThreshold === null) errors['queueThreshold'] = 'Set a queue-depth or a KV-cache threshold.';
  if (p.queueThreshold !== null && !(p.queueThreshold > 0)) errors['queueThreshold'] = 'Must be above 0.';
  if (p.kvThreshold !== null && !(p.kvThreshold > 0 && p.kvThreshold <= 100)) errors['kvThreshold'] = 'A percentage above 0, at most 100.';
  if (!Number.isInteger(p.minReplicas) || p.minReplicas < 0) errors['minReplicas'] = 'A whole number, 0 or more.';
  if (!Number.isInteger(p.maxReplicas) || p.maxReplicas < 1) errors['maxReplicas'] = 'A whole number, 1 or more.';
  else if (p.maxReplicas < p.minReplicas) errors['maxReplicas'] = 'At least the minimum.';
  return errors;
}
