import { describe, expect, it } from 'vitest';
import { applyGpuFrame, kvTone, mergeDecisions, parseDecision, podCards, podMetricsFromState, queueTone, rankedCandidates, shortPod, type EppDecision, type PodMetrics } from './eppModel';

const restItem = {
  timestamp: '2026-11-23T18:01:55.211000+00:00',
  cluster: 'default',
  namespace: 'demo',
  inference_pool: 'qwen-chat-pool',
  model_name: 'qwen2.5-7b-instruct',
  request_id: 'r1',
  selected_pod: 'pod-b',
  strategy: 'composite',
  reason: 'Selected pod-b: queue_depth=2 (lowest), kv_cache=45% (available), prefix_hit=true',
  decision_latency_us: 87.3,
  candidates: [
    { pod: 'pod-a', score: 0.41, queue_depth: 7, kv_cache_pct: 80.5, prefix_hit: false },
    { pod: 'pod-b', score: 0.93, queue_depth: 2, kv_cache_pct: 45, prefix_hit: true },
  ],
};

function decision(id: string, time: number, selectedPod = 'pod-a'): EppDecision {
  return { id, time, namespace: 'demo', pool: 'p', model: 'm', selectedPod, strategy: 'least_queue', reason: '', latencyUs: null, candidates: [] };
}

function metrics(pod: string, over: Partial<PodMetrics> = {}): PodMetrics {
  return { pod, node: 'n1', gpuType: 'H100', queueDepth: 0, kvCachePct: 10, running: 1, prefixHitRate: 0.5, gpuUtilPct: 40, gpuMemUsedMiB: 20000, ...over };
}

describe('parseDecision', () => {
  it('reads the REST route item with its candidates', () => {
    const d = parseDecision(restItem);
    expect(d).not.toBeNull();
    expect(d?.id).toBe('r1');
    expect(d?.time).toBe(Date.UTC(2026, 10, 23, 18, 1, 55, 211));
    expect(d?.pool).toBe('qwen-chat-pool');
    expect(d?.selectedPod).toBe('pod-b');
    expect(d?.candidates).toEqual([
      { pod: 'pod-a', score: 0.41, queueDepth: 7, kvCachePct: 80.5, prefixHit: false },
      { pod: 'pod-b', score: 0.93, queueDepth: 2, kvCachePct: 45, prefixHit: true },
    ]);
  });

  it('reads a raw row with parallel candidate arrays and a zone-less UTC time', () => {
    const d = parseDecision({
      timestamp: '2026-11-23 18:01:55.500',
      pool: 'p',
      selected_pod: 'x',
      candidate_pods: ['x', 'y'],
      candidate_scores: [1, 0.5],
      candidate_queue_depths: [0, 3],
      candidate_kv_cache_pcts: [5, 9],
      candidate_prefix_hits: [true, false],
    });
    expect(d?.time).toBe(Date.UTC(2026, 10, 23, 18, 1, 55, 500));
    expect(d?.id).toBe(`${d?.time}/x`);
    expect(d?.candidates[1]).toEqual({ pod: 'y', score: 0.5, queueDepth: 3, kvCachePct: 9, prefixHit: false });
  });

  it('refuses records without a chosen pod or a time', () => {
    expect(parseDecision({ timestamp: '2026-11-23T18:00:00Z' })).toBeNull();
    expect(parseDecision({ selected_pod: 'x' })).toBeNull();
    expect(parseDecision('nope')).toBeNull();
  });
});

describe('mergeDecisions', () => {
  it('keeps one per id, newest first, capped', () => {
    const merged = mergeDecisions([decision('a', 1), decision('b', 3)], [decision('b', 3, 'pod-z'), decision('c', 2)], 2);
    expect(merged.map((d) => d.id)).toEqual(['b', 'c']);
    expect(merged[0]?.selectedPod).toBe('pod-z');
  });
});

describe('tones', () => {
  it('follows the slow-inference thresholds', () => {
    expect([queueTone(null), queueTone(10), queueTone(11), queueTone(26)]).toEqual(['unknown', 'ok', 'warning', 'critical']);
    expect([kvTone(75), kvTone(76), kvTone(91)]).toEqual(['ok', 'warning', 'critical']);
  });
});

describe('podCards', () => {
  const focus = parseDecision(restItem);

  it('highlights the chosen pod and shows what the EPP saw for each candidate', () => {
    const cards = podCards([metrics('pod-a', { queueDepth: 1 }), metrics('pod-b'), metrics('pod-c', { queueDepth: 30 })], focus, [focus as EppDecision, decision('x', 1, 'pod-a')]);
    expect(cards.map((c) => c.pod)).toEqual(['pod-a', 'pod-b', 'pod-c']);
    const [a, b, c] = cards;
    expect(b?.chosen).toBe(true);
    expect(a?.chosen || c?.chosen).toBe(false);
    // pod-a: the decision's queue (7), not the metrics' (1); the KV cache over 75 % warns.
    expect(a).toMatchObject({ queueDepth: 7, kvCachePct: 80.5, kvTone: 'warning', prefixHit: false, score: 0.41, source: 'decision', picks: 1 });
    expect(b).toMatchObject({ queueDepth: 2, prefixHit: true, score: 0.93, picks: 1, gpuUtilPct: 40 });
    // pod-c was no candidate: the metrics speak, and its queue is critical.
    expect(c).toMatchObject({ candidate: false, queueDepth: 30, queueTone: 'critical', prefixHit: null, score: null, source: 'metrics', picks: 0 });
  });

  it('adds candidates the metrics do not know yet', () => {
    const cards = podCards([metrics('pod-a')], focus, []);
    expect(cards.map((c) => c.pod)).toEqual(['pod-a', 'pod-b']);
    expect(cards[1]).toMatchObject({ chosen: true, node: '', gpuUtilPct: null, queueDepth: 2 });
  });

  it('without a decision shows the metrics only', () => {
    const cards = podCards([metrics('pod-a', { queueDepth: 12 })], null, []);
    expect(cards[0]).toMatchObject({ chosen: false, queueDepth: 12, queueTone: 'warning', source: 'metrics' });
  });
});

describe('rankedCandidates', () => {
  it('orders by score, the chosen pod first on a tie', () => {
    const d: EppDecision = {
      ...decision('r', 1, 'b'),
      candidates: [
        { pod: 'a', score: 0.5, queueDepth: 0, kvCachePct: 0, prefixHit: null },
        { pod: 'c', score: 0.9, queueDepth: 0, kvCachePct: 0, prefixHit: null },
        { pod: 'b', score: 0.5, queueDepth: 0, kvCachePct: 0, prefixHit: null },
        { pod: 'd', score: null, queueDepth: 0, kvCachePct: 0, prefixHit: null },
      ],
    };
    expect(rankedCandidates(d).map((c) => c.pod)).toEqual(['c', 'b', 'a', 'd']);
  });
});

describe('pod metrics', () => {
  it('reads a REST pod state', () => {
    const m = podMetricsFromState({ pod: 'p', node: 'n', gpu_type: 'L40S', ready: true, values: { queue_depth: 3, kv_cache_pct: 12.5, running: 4, prefix_hit_rate: 0.4, gpu_util_pct: 99, gpu_mem_used_mib: 1024 } });
    expect(m).toEqual({ pod: 'p', node: 'n', gpuType: 'L40S', ready: true, queueDepth: 3, kvCachePct: 12.5, running: 4, prefixHitRate: 0.4, gpuUtilPct: 99, gpuMemUsedMiB: 1024 });
  });

  it('applies a gpu-metrics frame: new values, REST-only fields kept, vanished pods dropped', () => {
    const known = [metrics('a', { running: 7, prefixHitRate: 0.3 }), metrics('gone')];
    const after = applyGpuFrame(known, [
      { pod: 'a', node: 'n2', gpu_type: 'H100', gpu_util_pct: 88, gpu_mem_used_mib: 30000, queue_depth: 5, kv_cache_pct: 61 },
      { pod: 'new', gpu_util_pct: null },
    ]);
    expect(after.map((p) => p.pod)).toEqual(['a', 'new']);
    expect(after[0]).toMatchObject({ node: 'n2', gpuUtilPct: 88, queueDepth: 5, kvCachePct: 61, running: 7, prefixHitRate: 0.3 });
    expect(after[1]).toMatchObject({ gpuUtilPct: null, running: null });
  });
});

describe('shortPod', () => {
  it('keeps the end of a long pod name', () => {
    expect(shortPod('qwen-chat-model-75bdfc97f4-8wp5j')).toBe('…-model-75bdfc97f4-8wp5j');
    expect(shortPod('qwen-chat-model-75bdfc97f4-8wp5j')).toHaveLength(24);
    expect(shortPod('pod-a')).toBe('pod-a');
  });
});
