/** A GatewayBundle read for editing, and its replace (`PUT /gatewaybundles/{ns}/{name}`). */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError, apiGet, apiPut, clusterPath } from './client';
import { useClusterGet } from './queries';
import type { KubeObject, WriteResult } from './types';

export function bundlePath(namespace: string, name: string): string {
  return `/gatewaybundles/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
}

/**
 * One GatewayBundle. An edit is based on the version read when the page opens
 * (`refetch: false`: read on mount, then not refetched under the person editing it); the
 * scale control polls it (`refetch: true`).
 */
export function useGatewayBundle(namespace: string, name: string, refetch = false) {
  return useClusterGet<KubeObject>(['gatewaybundle', namespace, name, refetch], bundlePath(namespace, name), {
    refetchOnMount: 'always',
    refetchInterval: refetch ? 5_000 : false,
    refetchOnWindowFocus: refetch,
    retry: (count, error) => (error as { status?: number }).status !== 404 && count < 2,
  });
}

/** `PUT` a GatewayBundle (or, `dryRun`, ask what it would store and render). */
export function replaceBundle(namespace: string, name: string, body: Record<string, unknown>, dryRun = false): Promise<WriteResult> {
  return apiPut<WriteResult>(clusterPath(`${bundlePath(namespace, name)}${dryRun ? '?dryRun=true' : ''}`), body);
}

/**
 * Save a GatewayBundle edited from the version with spec generation `basedOn`: if the spec
 * changed since (another generation), refuse like a conflict rather than overwrite it.
 */
export function useReplaceBundle(namespace: string, name: string, basedOn: number | undefined) {
  const client = useQueryClient();
  return useMutation<WriteResult, Error, Record<string, unknown>>({
    mutationFn: async (body) => {
      if (basedOn !== undefined) {
        const now = await apiGet<KubeObject>(clusterPath(bundlePath(namespace, name)));
        const generation = now.metadata['generation'];
        if (typeof generation === 'number' && generation !== basedOn) {
          throw new ApiError(`GatewayBundle ${namespace}/${name} was changed since it was read (generation ${basedOn} -> ${generation})`, 409);
        }
      }
      return replaceBundle(namespace, name, body);
    },
    // Every read is refreshed (gateway, topology, lists); not the review's dry runs, which
    // would only PUT again.
    onSuccess: () => client.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'dry-run-put' }),
  });
}
