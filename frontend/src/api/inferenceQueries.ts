/**
 * Hooks of the Inference section's live pages (pool detail, EPP visualizer, GPU heatmap, cost):
 * TanStack Query over the `/inference/...` routes. Metrics come from Prometheus (404
 * `NoPrometheus` when the console has none), EPP decisions from the analytics store (503
 * `AnalyticsUnavailable` without one); neither is retried, so a page can say so at once.
 */
import { keepPreviousData } from '@tanstack/react-query';
import { POLL_MS, useClusterGet, withQuery } from './queries';
import type { components } from './schema.gen';
import type { KubeObject } from './types';

type Schemas = components['schemas'];

export type PoolMetrics = Schemas['PoolMetrics'];
export type SignalView = Schemas['SignalView'];
export type TtftHistogram = Schemas['TtftHistogram'];
export type PodState = Schemas['PodState'];
export type GpuHeatmap = Schemas['GpuHeatmap'];
export type GpuCell = Schemas['GpuCell'];
export type CostReport = Schemas['CostReport'];
export type PoolCost = Schemas['PoolCost'];
export type ScalingEvent = Schemas['ScalingEvent'];
export type InferencePoolDetail = Schemas['InferencePoolDetail'];
export type EppDecisionPage = Schemas['EppDecisions'];
export type Point = readonly [number, number];

/** Metrics windows offered by the pages (the API's `range`). */
export const RANGES = ['5m', '15m', '1h', '6h', '24h'] as const;
export type Range = (typeof RANGES)[number];

/** How often metric panels refetch (ms); live feeds add to this where the API has one. */
export const METRICS_POLL_MS = 15_000;

/** The label an InferenceStack puts on the pool it renders (render/common.py KIND_LABELS). */
export const STACK_LABEL = 'ngf-console.f5.com/stack';

/** Short route names of the per-pool signal panels (api/routers/inference_metrics.py). */
export type SignalRoute = 'tps' | 'queue-depth' | 'kv-cache' | 'prefix-cache' | 'gpu-utilization' | 'gpu-memory';

function status(error: unknown): number | undefined {
  return (error as { status?: number } | null)?.status;
}

/** Retry only what may pass on a second try: not a 404 (no Prometheus, no pool) nor a 503. */
function retryTransient(count: number, error: Error): boolean {
  const code = status(error);
  return code !== 404 && code !== 503 && code !== 400 && count < 2;
}

/** The API's `reason` of a failed request (`NoPrometheus`, `AnalyticsUnavailable`, ...). */
export function failureReason(error: unknown): string | undefined {
  const detail = (error as { detail?: unknown } | null)?.detail;
  if (detail && typeof detail === 'object' && 'reason' in detail) return String((detail as { reason: unknown }).reason);
  return undefined;
}

const metricsOptions = { refetchInterval: METRICS_POLL_MS, retry: retryTransient, placeholderData: keepPreviousData };

const poolPath = (namespace: string, name: string) => `${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;

/** The InferencePool, its pods and the raw object (from the watch cache). */
export function usePoolDetail(namespace: string, name: string) {
  return useClusterGet<InferencePoolDetail>(['inference-pool', namespace, name], `/inference/pools/${poolPath(namespace, name)}`, {
    refetchInterval: POLL_MS,
    retry: retryTransient,
  });
}

/** The InferenceStack that declares a pool (null: the pool has no stack label). */
export function useStack(namespace: string, stack: string | null) {
  return useClusterGet<KubeObject>(['inferencestack', namespace, stack], stack ? `/inferencestacks/${poolPath(namespace, stack)}` : null, {
    refetchInterval: POLL_MS,
    retry: retryTransient,
  });
}

/** Every signal of a pool (pool series) over the window. */
export function usePoolMetrics(namespace: string, name: string, range: Range) {
  return useClusterGet<PoolMetrics>(
    ['inference-metrics', namespace, name, range],
    withQuery(`/inference/metrics/pool/${poolPath(namespace, name)}`, { range }),
    metricsOptions,
  );
}

/** One signal of a pool, per pod and for the pool. */
export function usePoolSignal(namespace: string, name: string, signal: SignalRoute, range: Range) {
  return useClusterGet<SignalView>(
    ['inference-signal', namespace, name, signal, range],
    withQuery(`/inference/metrics/pool/${poolPath(namespace, name)}/${signal}`, { range }),
    metricsOptions,
  );
}

/** Time-to-first-token buckets and quantiles of a pool over the window. */
export function usePoolTtft(namespace: string, name: string, range: Range) {
  return useClusterGet<TtftHistogram>(
    ['inference-ttft', namespace, name, range],
    withQuery(`/inference/metrics/pool/${poolPath(namespace, name)}/ttft`, { range }),
    metricsOptions,
  );
}

/** Each pod's current queue, KV cache and GPU state. */
export function usePoolPods(namespace: string, name: string, refetchInterval: number = METRICS_POLL_MS) {
  return useClusterGet<PodState[]>(['inference-pods', namespace, name], `/inference/metrics/pool/${poolPath(namespace, name)}/pods`, {
    ...metricsOptions,
    refetchInterval,
  });
}

/** A pool's scaling events (Kubernetes Events) in the window, oldest first. */
export function usePoolScalingEvents(namespace: string, name: string, range: Range) {
  return useClusterGet<ScalingEvent[]>(
    ['inference-scaling', namespace, name, range],
    withQuery(`/inference/metrics/pool/${poolPath(namespace, name)}/scaling-events`, { range }),
    metricsOptions,
  );
}

/** GPU cost of every readable pool (optionally one namespace), with findings. */
export function useCost(namespace: string | null, range: Range) {
  return useClusterGet<CostReport>(['inference-cost', namespace, range], withQuery('/inference/metrics/cost', { namespace, range }), metricsOptions);
}

/** GPU utilisation per pod GPU over the window (the heatmap's rows). */
export function useGpuHeatmap(namespace: string | null, pool: string | null, range: Range) {
  return useClusterGet<GpuHeatmap>(
    ['inference-gpu', namespace, pool, range],
    withQuery('/inference/metrics/gpu', { namespace, pool, range }),
    { ...metricsOptions, refetchInterval: 60_000 },
  );
}

/**
 * The latest EPP decisions of a pool from the analytics store. `refetchInterval` is the
 * fallback cadence while the websocket is quiet (false: no polling).
 */
export function useEppDecisions(namespace: string, pool: string, refetchInterval: number | false, limit = 50) {
  return useClusterGet<EppDecisionPage>(
    ['epp-decisions', namespace, pool, limit],
    withQuery('/inference/epp/decisions', { namespace, pool, limit }),
    { refetchInterval, retry: retryTransient, placeholderData: keepPreviousData },
  );
}
