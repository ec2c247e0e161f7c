/**
 * Hooks of the observability pages: RED metrics from Prometheus (`/metrics/...`), access logs,
 * Top-N and custom SQL from ClickHouse (`/logs/...`). Keys carry the cluster (useClusterGet).
 */
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { ApiError, apiPost, clusterPath } from './client';
import { useClusterGet, useClusters, useScope, withQuery } from './queries';
import type { components } from './schema.gen';
import { logQueryParams, type LogFilters } from '../pages/observability/logFilters';
import { stepParam, type Window } from '../pages/observability/timeRange';

type Schemas = components['schemas'];
export type RedView = Schemas['RedView'];
export type LogPage = Schemas['LogPage'];
export type TopN = Schemas['TopN'];
export type SqlResult = Schemas['SqlResult'];

/** Top-N kinds the API serves (`TOPN_KINDS`). */
export type TopNKind = 'routes' | 'errors' | 'slowest' | 'user_agents' | 'status';

/** How often the live panels refetch when auto-refresh is on (ms). */
export const LIVE_MS = 15_000;

const refetch = (live: boolean) => (live ? LIVE_MS : false);

/** RED of every data plane, or of the Gateways of the header's namespace. */
export function useRedSummary(range: string, live: boolean) {
  const { namespace } = useScope();
  return useClusterGet<RedView>(
    ['metrics', 'summary', namespace, range],
    withQuery('/metrics/summary', { range, step: stepParam(range), namespace }),
    { refetchInterval: refetch(live), placeholderData: keepPreviousData, retry: noRetryOnClientError },
  );
}

/** RED of one Gateway or one HTTPRoute. */
export function useScopeRed(kind: 'gateway' | 'route', namespace: string, name: string, range: string, live: boolean) {
  return useClusterGet<RedView>(
    ['metrics', kind, namespace, name, range],
    withQuery(`/metrics/${kind}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`, { range, step: stepParam(range) }),
    { refetchInterval: refetch(live), placeholderData: keepPreviousData, retry: noRetryOnClientError },
  );
}

/** One page of access logs for a search pinned to `window`. */
export function useLogPage(filters: LogFilters, window: Window, continueToken: string | null) {
  const { namespace } = useScope();
  const params = logQueryParams(filters, namespace, window, continueToken);
  return useClusterGet<LogPage>(['logs', params], withQuery('/logs/query', params), {
    placeholderData: keepPreviousData,
    retry: noRetryOnClientError,
  });
}

/** One Top-N panel over `window`, in the header's namespace. */
export function useTopN(by: TopNKind, window: Window, limit = 10) {
  const { namespace } = useScope();
  const params = { by, since: window.since, until: window.until, namespace, limit };
  return useClusterGet<TopN>(['logs', 'topn', params], withQuery('/logs/topn', params), {
    placeholderData: keepPreviousData,
    retry: noRetryOnClientError,
  });
}

/** A SELECT run as a query (cached, refetched like the panels); `null` runs nothing. */
export function useSqlSeries(key: readonly unknown[], sql: string | null, live: boolean) {
  const { cluster } = useScope();
  return useQuery<SqlResult, Error>({
    queryKey: ['cluster', cluster, 'sql', ...key],
    queryFn: () => apiPost<SqlResult>(clusterPath('/logs/sql'), { sql }),
    enabled: sql !== null,
    refetchInterval: refetch(live),
    placeholderData: keepPreviousData,
    retry: noRetryOnClientError,
  });
}

/** The SQL console's run: one SELECT, on demand. */
export function useRunSql() {
  return useMutation<SqlResult, Error, string>({
    mutationFn: (sql) => apiPost<SqlResult>(clusterPath('/logs/sql'), { sql }),
  });
}

/**
 * The selected cluster's name as the analytics rows spell it (the default cluster's when none
 * is chosen); undefined while the cluster list loads, null if it names no default.
 */
export function useClusterName(): string | null | undefined {
  const { cluster } = useScope();
  const clusters = useClusters();
  if (cluster !== null) return cluster;
  if (!clusters.data) return clusters.error ? null : undefined;
  return clusters.data.find((c) => c.default)?.name ?? null;
}

/** A 4xx will not change on retry (bad query, forbidden, unknown object); others may. */
function noRetryOnClientError(count: number, error: Error): boolean {
  const status = error instanceof ApiError ? error.status : undefined;
  if (status !== undefined && status >= 400 && status < 500) return false;
  return count < 2;
}

/** The message the API gave (`detail.message`, e.g. ClickHouse's own text), else the error's. */
export function apiMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const detail = error.detail as { message?: unknown } | string | undefined;
    if (typeof detail === 'string') return detail;
    if (detail && typeof detail.message === 'string') return detail.message;
  }
  return error instanceof Error ? error.message : String(error);
}
