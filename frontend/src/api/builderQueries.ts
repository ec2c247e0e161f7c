/**
 * Reads of the route and policy builders: what exists in the namespace being written to
 * (Services for backends and policy targets, routes and Gateways as policy targets) and
 * whether a policy kind's CRD is installed at all.
 */
import { DNS_LABEL } from '../forms/common';
import { useClusterGet, withQuery } from './queries';
import type { GatewayView, KubeObject, ViewPage } from './types';

/** Collections a target or backend picker lists, per kind. */
export const PICKER_PATHS = {
  Gateway: '/gateways',
  HTTPRoute: '/httproutes',
  GRPCRoute: '/grpcroutes',
  Service: '/services',
} as const;
export type PickerKind = keyof typeof PICKER_PATHS;

/** Names of the objects of `kind` in `namespace` (nothing asked while the namespace is not a valid name). */
export function useNamesIn(kind: PickerKind, namespace: string) {
  const valid = DNS_LABEL.test(namespace);
  const path = PICKER_PATHS[kind];
  const query = useClusterGet<ViewPage<KubeObject | GatewayView>>(['builder-names', path, namespace], valid ? withQuery(path, { namespace, limit: 5000 }) : null, {
    staleTime: 5_000,
    retry: (count, error) => (error as { status?: number }).status !== 404 && count < 2,
  });
  const names = (query.data?.items ?? []).map((o) => ('metadata' in o ? o.metadata.name : o.name)).sort();
  return { names, isPending: valid && query.isPending, error: query.error };
}

export type Served = 'served' | 'missing' | 'unknown';

/**
 * Whether the cluster serves a policy kind: its list answers 404 when the CRD is missing.
 * `enabled: false` asks nothing (enterprise kinds on OSS are never fetched).
 */
export function usePolicyServed(type: string, enabled = true): Served {
  const { data, error } = useClusterGet<ViewPage<KubeObject>>(['policy-served', type], enabled ? `/policies/${type}?limit=1` : null, {
    staleTime: 60_000,
    retry: false,
  });
  if ((error as { status?: number } | null)?.status === 404) return 'missing';
  return data ? 'served' : 'unknown';
}
