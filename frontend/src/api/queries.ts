/**
 * TanStack Query hooks over the API. Keys carry the selected cluster, so switching cluster
 * never shows another cluster's cached answer. Lists poll (the API has no live feed for
 * them); the topology also refetches on its websocket.
 */
import { keepPreviousData, useQueries, useQuery, type UseQueryOptions } from '@tanstack/react-query';
import { useUiStore } from '../state/ui';
import { apiGet, clusterPath } from './client';
import type {
  AlertRuleView,
  AuditEntry,
  AuditPage,
  CertificateView,
  ClusterView,
  ConsoleConfig,
  GatewayClassView,
  GatewayDetail,
  GatewayView,
  InferencePoolView,
  KubeObject,
  SavedView,
  TopologyGraph,
  ViewPage,
} from './types';

/** How often lists without a live feed are refetched (ms). */
export const POLL_MS = 10_000;

export function useScope() {
  const cluster = useUiStore((s) => s.cluster);
  const namespace = useUiStore((s) => s.namespace);
  return { cluster, namespace };
}

export function withQuery(path: string, params: Record<string, string | number | null | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** A cluster-relative GET, keyed by cluster (the building block of every page's hooks). */
export function useClusterGet<T>(
  key: readonly unknown[],
  path: string | null,
  options: Partial<UseQueryOptions<T, Error>> = {},
) {
  const { cluster } = useScope();
  return useQuery<T, Error>({
    queryKey: ['cluster', cluster, ...key],
    queryFn: ({ signal }) => apiGet<T>(clusterPath(path ?? ''), signal),
    enabled: path !== null,
    ...options,
  });
}

export function useConfig() {
  // Per cluster: each cluster has its own NGF edition.
  return useClusterGet<ConsoleConfig>(['config'], '/config', { staleTime: 60_000 });
}

/** `'enterprise' | 'oss' | undefined` (undefined while loading or unreachable). */
export function useEdition(): 'enterprise' | 'oss' | undefined {
  const { data } = useConfig();
  if (!data) return undefined;
  return data.edition === 'enterprise' ? 'enterprise' : 'oss';
}

export function useClusters() {
  return useQuery<ClusterView[], Error>({
    queryKey: ['clusters'],
    queryFn: ({ signal }) => apiGet<ClusterView[]>('/clusters', signal),
    refetchInterval: 30_000,
  });
}

export function useNamespaces() {
  return useClusterGet<ViewPage<KubeObject>>(['namespaces'], '/namespaces?limit=5000', { staleTime: 30_000 });
}

export function useGateways() {
  const { namespace } = useScope();
  return useClusterGet<ViewPage<GatewayView>>(['gateways', namespace], withQuery('/gateways', { namespace, limit: 5000 }), {
    refetchInterval: POLL_MS,
    placeholderData: keepPreviousData,
  });
}

/** Every Gateway of the cluster, whatever the namespace filter (port conflicts, attachment). */
export function useAllGateways() {
  return useClusterGet<ViewPage<GatewayView>>(['gateways', '*'], '/gateways?limit=5000', { staleTime: 10_000 });
}

export function useGateway(namespace: string, name: string) {
  return useClusterGet<GatewayDetail>(['gateway', namespace, name], `/gateways/${namespace}/${name}`, {
    refetchInterval: POLL_MS,
  });
}

export function useGatewayClasses() {
  return useClusterGet<ViewPage<GatewayClassView>>(['gatewayclasses'], '/gatewayclasses?limit=5000');
}

export function useTopology(gateway?: { namespace: string; name: string }) {
  const path = gateway ? `/topology/gateway/${gateway.namespace}/${gateway.name}` : '/topology';
  return useClusterGet<TopologyGraph>(['topology', gateway?.namespace, gateway?.name], path, {
    placeholderData: keepPreviousData,
  });
}

export function useCertificates() {
  const { namespace } = useScope();
  return useClusterGet<ViewPage<CertificateView>>(['certificates', namespace], withQuery('/certificates', { namespace, limit: 5000 }), {
    refetchInterval: 60_000,
  });
}

export function useInferencePools() {
  const { namespace } = useScope();
  return useClusterGet<ViewPage<InferencePoolView>>(['inferencepools', namespace], withQuery('/inferencepools', { namespace, limit: 5000 }), {
    refetchInterval: POLL_MS,
    retry: (count, error) => (error as { status?: number }).status !== 404 && count < 2,
  });
}

/** A list of Kubernetes objects at a cluster-relative path (`/httproutes`, `/policies/ratelimit`). */
export function useObjects(path: string | null, options: { poll?: boolean } = {}) {
  const { namespace } = useScope();
  return useClusterGet<ViewPage<KubeObject>>(['objects', path, namespace], path === null ? null : withQuery(path, { namespace, limit: 5000 }), {
    refetchInterval: options.poll === false ? false : POLL_MS,
    retry: (count, error) => (error as { status?: number }).status !== 404 && count < 2,
  });
}

export function useObjectLists(paths: readonly string[]) {
  const { cluster, namespace } = useScope();
  return useQueries({
    queries: paths.map((path) => ({
      queryKey: ['cluster', cluster, 'objects', path, namespace],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        apiGet<ViewPage<KubeObject>>(clusterPath(withQuery(path, { namespace, limit: 5000 })), signal),
      refetchInterval: POLL_MS,
      retry: (count: number, error: Error) => (error as { status?: number }).status !== 404 && count < 2,
    })),
  });
}

export function useObject(path: string | null) {
  return useClusterGet<KubeObject>(['object', path], path, { refetchInterval: 3_000 });
}

export function useAudit(filters: { kind?: string; namespace?: string; name?: string }, cursor: number | null) {
  return useQuery<AuditPage, Error>({
    queryKey: ['cluster', useUiStore.getState().cluster, 'audit', filters, cursor],
    queryFn: ({ signal }) => apiGet<AuditPage>(clusterPath(withQuery('/audit', { ...filters, cursor, limit: 50 })), signal),
    refetchInterval: POLL_MS,
  });
}

export function useAuditEntry(id: number | null) {
  return useQuery<AuditEntry, Error>({
    queryKey: ['cluster', useUiStore.getState().cluster, 'audit-entry', id],
    queryFn: ({ signal }) => apiGet<AuditEntry>(clusterPath(`/audit/${id}`), signal),
    enabled: id !== null,
  });
}

export function useAlertRules() {
  return useQuery<AlertRuleView[], Error>({
    queryKey: ['cluster', useUiStore.getState().cluster, 'alert-rules'],
    queryFn: ({ signal }) => apiGet<AlertRuleView[]>(clusterPath('/alerts/rules'), signal),
  });
}

export function useSavedViews() {
  return useQuery<SavedView[], Error>({
    queryKey: ['cluster', useUiStore.getState().cluster, 'saved-views'],
    queryFn: ({ signal }) => apiGet<SavedView[]>(clusterPath('/views'), signal),
  });
}
