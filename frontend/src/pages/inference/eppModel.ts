/**
 * EPP decisions as the visualizer shows them (pure): parsing a decision from the REST route
 * or a websocket frame, merging the two streams, and the state of each pod card for the
 * decision in focus.
 */

/** One candidate the endpoint picker scored. */
export interface Candidate {
  readonly pod: string;
  readonly score: number | null;
  readonly queueDepth: number | null;
  readonly kvCachePct: number | null;
  readonly prefixHit: boolean | null;
}

/** One routing decision: the chosen pod, why, and every candidate. */
export interface EppDecision {
  /** Unique per decision (the request id; time + pod when a producer leaves it out). */
  readonly id: string;
  /** Unix milliseconds. */
  readonly time: number;
  readonly namespace: string;
  readonly pool: string;
  readonly model: string;
  readonly selectedPod: string;
  readonly strategy: string;
  readonly reason: string;
  readonly latencyUs: number | null;
  readonly candidates: readonly Candidate[];
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function timeOf(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value < 1e11 ? value * 1000 : value; // seconds or ms
  if (typeof value === 'string' && value) {
    // ClickHouse DateTime64 without a zone is UTC.
    const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`;
    const ms = Date.parse(iso);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

function candidatesOf(raw: Record<string, unknown>): Candidate[] {
  if (Array.isArray(raw['candidates'])) {
    return (raw['candidates'] as unknown[]).flatMap((c) => {
      if (!c || typeof c !== 'object') return [];
      const o = c as Record<string, unknown>;
      const pod = str(o['pod']);
      if (!pod) return [];
      const prefix = o['prefix_hit'];
      return [{ pod, score: num(o['score']), queueDepth: num(o['queue_depth']), kvCachePct: num(o['kv_cache_pct']), prefixHit: typeof prefix === 'boolean' ? prefix : null }];
    });
  }
  // The table's parallel arrays (a producer publishing raw rows).
  const pods = Array.isArray(raw['candidate_pods']) ? (raw['candidate_pods'] as unknown[]) : [];
  const column = (name: string): unknown[] => (Array.isArray(raw[name]) ? (raw[name] as unknown[]) : []);
  const scores = column('candidate_scores');
  const queues = column('candidate_queue_depths');
  const kvs = column('candidate_kv_cache_pcts');
  const hits = column('candidate_prefix_hits');
  return pods.map((pod, i) => ({
    pod: str(pod),
    score: num(scores[i]),
    queueDepth: num(queues[i]),
    kvCachePct: num(kvs[i]),
    prefixHit: typeof hits[i] === 'boolean' ? (hits[i] as boolean) : null,
  }));
}

/**
 * A decision from the REST route's item or a websocket message's `data` (the same record,
 * the analytics row's column names); null when it lacks a chosen pod or a time.
 */
export function parseDecision(raw: unknown): EppDecision | null {
  if (!raw || typeof raw !== 'object') return null;
  const o = raw as Record<string, unknown>;
  const selectedPod = str(o['selected_pod']);
  const time = timeOf(o['timestamp'] ?? o['time']);
  if (!selectedPod || time === null) return null;
  const pool = str(o['inference_pool']) || str(o['pool']);
  return {
    id: str(o['request_id']) || `${time}/${selectedPod}`,
    time,
    namespace: str(o['namespace']),
    pool,
    model: str(o['model_name']),
    selectedPod,
    strategy: str(o['strategy']),
    reason: str(o['reason']),
    latencyUs: num(o['decision_latency_us']),
    candidates: candidatesOf(o),
  };
}

/** `known` plus `incoming`, one per id, newest first, at most `cap`. */
export function mergeDecisions(known: readonly EppDecision[], incoming: readonly EppDecision[], cap = 200): EppDecision[] {
  const byId = new Map<string, EppDecision>();
  for (const d of known) byId.set(d.id, d);
  for (const d of incoming) byId.set(d.id, d);
  return [...byId.values()].sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : -1)).slice(0, cap);
}

/** Queue depth thresholds of the slow-inference checks (spec §3.10.5): >10 warning, >25 critical. */
export const QUEUE_WARNING = 10;
export const QUEUE_CRITICAL = 25;

export type Tone = 'ok' | 'warning' | 'critical' | 'unknown';

export function queueTone(depth: number | null): Tone {
  if (depth === null) return 'unknown';
  if (depth > QUEUE_CRITICAL) return 'critical';
  if (depth > QUEUE_WARNING) return 'warning';
  return 'ok';
}

/** KV-cache above 90 % causes context swapping (spec §3.10.5); above 75 % is getting close. */
export function kvTone(pct: number | null): Tone {
  if (pct === null) return 'unknown';
  if (pct > 90) return 'critical';
  if (pct > 75) return 'warning';
  return 'ok';
}

/** What the metrics feeds say about a pod now (Prometheus / the gpu-metrics websocket). */
export interface PodMetrics {
  readonly pod: string;
  readonly node: string;
  readonly gpuType: string;
  readonly ready?: boolean;
  readonly queueDepth: number | null;
  readonly kvCachePct: number | null;
  readonly running: number | null;
  readonly prefixHitRate: number | null;
  readonly gpuUtilPct: number | null;
  readonly gpuMemUsedMiB: number | null;
}

/** One pod card: the EPP's view at the decision in focus, the GPUs' now. */
export interface PodCard {
  readonly pod: string;
  readonly node: string;
  readonly gpuType: string;
  readonly queueDepth: number | null;
  readonly queueTone: Tone;
  readonly kvCachePct: number | null;
  readonly kvTone: Tone;
  /** The decision's prefix match for this pod (null: not a candidate / unknown). */
  readonly prefixHit: boolean | null;
  readonly prefixHitRate: number | null;
  readonly gpuUtilPct: number | null;
  readonly gpuMemUsedMiB: number | null;
  readonly inFlight: number | null;
  /** Chosen by the decision in focus. */
  readonly chosen: boolean;
  /** This pod's score in that decision. */
  readonly score: number | null;
  /** A candidate of that decision. */
  readonly candidate: boolean;
  /** How many of the recent decisions picked it. */
  readonly picks: number;
  /** Where queue and KV-cache come from: the decision's candidate record, or the metrics. */
  readonly source: 'decision' | 'metrics';
}

/**
 * The cards of a pool's pods: every pod the metrics know, plus candidates of the decision in
 * focus the metrics do not (a pod just gone or just added). Queue, KV cache and prefix are the
 * EPP's own view when the pod was a candidate of `focus`; the metrics otherwise.
 */
export function podCards(pods: readonly PodMetrics[], focus: EppDecision | null, recent: readonly EppDecision[]): PodCard[] {
  const picks = new Map<string, number>();
  for (const d of recent) picks.set(d.selectedPod, (picks.get(d.selectedPod) ?? 0) + 1);
  const candidates = new Map((focus?.candidates ?? []).map((c) => [c.pod, c]));
  const byPod = new Map(pods.map((p) => [p.pod, p]));
  const names = [...byPod.keys()];
  for (const pod of [...candidates.keys(), ...(focus ? [focus.selectedPod] : [])]) if (!byPod.has(pod) && !names.includes(pod)) names.push(pod);
  return names.sort().map((pod) => {
    const m = byPod.get(pod);
    const c = candidates.get(pod);
    const queueDepth = c?.queueDepth ?? m?.queueDepth ?? null;
    const kvCachePct = c?.kvCachePct ?? m?.kvCachePct ?? null;
    return {
      pod,
      node: m?.node ?? '',
      gpuType: m?.gpuType ?? '',
      queueDepth,
      queueTone: queueTone(queueDepth),
      kvCachePct,
      kvTone: kvTone(kvCachePct),
      prefixHit: c?.prefixHit ?? null,
      prefixHitRate: m?.prefixHitRate ?? null,
      gpuUtilPct: m?.gpuUtilPct ?? null,
      gpuMemUsedMiB: m?.gpuMemUsedMiB ?? null,
      inFlight: m?.running ?? null,
      chosen: focus?.selectedPod === pod,
      score: c?.score ?? null,
      candidate: c !== undefined,
      picks: picks.get(pod) ?? 0,
      source: c && (c.queueDepth !== null || c.kvCachePct !== null) ? 'decision' : 'metrics',
    };
  });
}

/** The candidates of a decision, best score first (ties: the chosen pod, then by name). */
export function rankedCandidates(decision: EppDecision): Candidate[] {
  return [...decision.candidates].sort(
    (a, b) =>
      (b.score ?? -Infinity) - (a.score ?? -Infinity) ||
      Number(b.pod === decision.selectedPod) - Number(a.pod === decision.selectedPod) ||
      a.pod.localeCompare(b.pod),
  );
}

/** Pod metrics from a REST pod state (`values` keyed by signal name). */
export function podMetricsFromState(state: {
  pod: string;
  node: string;
  gpu_type: string;
  ready: boolean;
  values: Readonly<Record<string, number | null>>;
}): PodMetrics {
  const v = (k: string) => num(state.values[k]);
  return {
    pod: state.pod,
    node: state.node,
    gpuType: state.gpu_type,
    ready: state.ready,
    queueDepth: v('queue_depth'),
    kvCachePct: v('kv_cache_pct'),
    running: v('running'),
    prefixHitRate: v('prefix_hit_rate'),
    gpuUtilPct: v('gpu_util_pct'),
    gpuMemUsedMiB: v('gpu_mem_used_mib'),
  };
}

/**
 * Pod metrics after a gpu-metrics frame: the frame's pods replace what it measures (GPU,
 * queue, KV cache), keeping what only the REST state has (in-flight, prefix hit rate); the
 * frame is the pool's whole pod list, so pods it no longer names are gone.
 */
export function applyGpuFrame(known: readonly PodMetrics[], framePods: readonly Record<string, unknown>[]): PodMetrics[] {
  const before = new Map(known.map((p) => [p.pod, p]));
  return framePods.flatMap((raw) => {
    const pod = str(raw['pod']);
    if (!pod) return [];
    const old = before.get(pod);
    return [
      {
        pod,
        node: str(raw['node']) || (old?.node ?? ''),
        gpuType: str(raw['gpu_type']) || (old?.gpuType ?? ''),
        ...(old?.ready !== undefined ? { ready: old.ready } : {}),
        queueDepth: num(raw['queue_depth']),
        kvCachePct: num(raw['kv_cache_pct']),
        running: old?.running ?? null,
        prefixHitRate: old?.prefixHitRate ?? null,
        gpuUtilPct: num(raw['gpu_util_pct']),
        gpuMemUsedMiB: num(raw['gpu_mem_used_mib']),
      },
    ];
  });
}

/**
 * A pod name that fits a list row: the end is what tells a pool's pods apart (the ReplicaSet
 * hash and the pod's own suffix), so long names lose their start, not their end.
 */
export function shortPod(pod: string, max = 24): string {
  return pod.length <= max ? pod : `…${pod.slice(pod.length - (max - 1))}`;
}
