/**
 * Hooks of the canary page (spec §3.3.2): rollouts that shift a route rule's weights from a
 * stable backend to a canary in steps, and their pause / resume / abort / promote.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPost, clusterPath } from './client';
import { useClusterGet, useScope, withQuery } from './queries';
import type { components } from './schema.gen';

type Schemas = components['schemas'];
export type RolloutView = Schemas['RolloutView'];
export type RolloutList = Schemas['RolloutList'];
export type CanaryStart = Schemas['CanaryStart'];
export type CanaryAction = 'pause' | 'resume' | 'abort' | 'promote';

/** Rollouts of the header's namespace (or all), newest first; polled while they step. */
export function useRollouts() {
  const { namespace } = useScope();
  return useClusterGet<RolloutList>(['canary', namespace], withQuery('/canary', { namespace }), { refetchInterval: 2_000 });
}

function useInvalidateCanary() {
  const client = useQueryClient();
  const { cluster } = useScope();
  return () => {
    void client.invalidateQueries({ queryKey: ['cluster', cluster, 'canary'] });
    void client.invalidateQueries({ queryKey: ['cluster', cluster, 'traffic-split'] });
  };
}

export function useStartCanary() {
  const invalidate = useInvalidateCanary();
  return useMutation<RolloutView, Error, CanaryStart>({
    mutationFn: (body) => apiPost<RolloutView>(clusterPath('/canary'), body),
    onSuccess: invalidate,
  });
}

export function useCanaryAction() {
  const invalidate = useInvalidateCanary();
  return useMutation<RolloutView, Error, { id: string; action: CanaryAction }>({
    mutationFn: ({ id, action }) => apiPost<RolloutView>(clusterPath(`/canary/${encodeURIComponent(id)}/${action}`)),
    onSuccess: invalidate,
  });
}
