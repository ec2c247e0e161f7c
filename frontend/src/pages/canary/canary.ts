/** Pure helpers of the canary page: the steps field, the actions a state allows, progress. */
import type { RolloutView } from '../../api/canaryQueries';
import type { CanaryAction } from '../../api/canaryQueries';

/** "5, 25, 50, 100" → [5, 25, 50, 100]; an Error naming the problem otherwise. */
export function parseSteps(text: string): number[] {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) throw new Error('At least one step (a percentage of traffic for the canary).');
  const steps = parts.map((p) => {
    const n = Number(p.replace(/%$/, ''));
    if (!Number.isInteger(n) || n < 1 || n > 100) throw new Error(`"${p}" is not a whole percentage from 1 to 100.`);
    return n;
  });
  for (let i = 1; i < steps.length; i++) {
    if ((steps[i] ?? 0) <= (steps[i - 1] ?? 0)) throw new Error('Steps must strictly increase (e.g. 5, 25, 50, 100).');
  }
  return steps;
}

/** The control actions the API accepts in each state (others answer 409). */
export function allowedActions(state: RolloutView['state']): CanaryAction[] {
  switch (state) {
    case 'pending':
    case 'running':
      return ['pause', 'promote', 'abort'];
    case 'paused':
      return ['resume', 'promote', 'abort'];
    default:
      return [];
  }
}

export function isActive(state: RolloutView['state']): boolean {
  return state === 'pending' || state === 'running' || state === 'paused';
}

/** "step 2 of 4 (25%)" */
export function progressText(r: Pick<RolloutView, 'current_step' | 'steps' | 'canary_weight'>): string {
  return `step ${r.current_step} of ${r.steps.length} (${r.canary_weight}% canary)`;
}

/** "name", "name:port" or "ns/name:port" of a backendRef-like object. */
export function backendLabel(ref: Readonly<Record<string, unknown>>, routeNamespace?: string): string {
  const ns = typeof ref['namespace'] === 'string' && ref['namespace'] !== routeNamespace ? `${ref['namespace']}/` : '';
  const port = typeof ref['port'] === 'number' ? `:${ref['port']}` : '';
  return `${ns}${String(ref['name'] ?? '')}${port}`;
}
