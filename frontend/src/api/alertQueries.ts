/**
 * Hooks of the alert rules card (Settings): the metric sources this server offers, saving and
 * deleting rules, and test notifications.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiDelete, apiPost, apiPut, clusterPath } from './client';
import { useClusterGet, useScope } from './queries';
import type { components } from './schema.gen';
import type { AlertRuleRequest, AlertRuleView } from './types';

type Schemas = components['schemas'];
export type AlertSourceView = Schemas['AlertSourceView'];
export type DeliveryRecord = Schemas['DeliveryRecord'];

/** Every source the console knows, with `available` false (and why) where this server has none. */
export function useAlertSources() {
  return useClusterGet<AlertSourceView[]>(['alert-sources'], '/alerts/sources', { staleTime: 60_000 });
}

/**
 * The rules, refetched every 15 s so that `last_error` (a query that fails at evaluation)
 * shows without a reload; same key as `useAlertRules`, so saving refreshes both.
 */
export function useAlertRuleList() {
  return useClusterGet<AlertRuleView[]>(['alert-rules'], '/alerts/rules', { refetchInterval: 15_000 });
}

function useInvalidateRules() {
  const client = useQueryClient();
  const { cluster } = useScope();
  return () => client.invalidateQueries({ queryKey: ['cluster', cluster, 'alert-rules'] });
}

/** Create (`id` null) or replace a rule; the list is refetched after. */
export function useSaveAlertRule(id: string | null) {
  const invalidate = useInvalidateRules();
  return useMutation<AlertRuleView, Error, AlertRuleRequest>({
    mutationFn: (body) => (id === null ? apiPost(clusterPath('/alerts/rules'), body) : apiPut(clusterPath(`/alerts/rules/${id}`), body)),
    onSuccess: async () => {
      await invalidate();
    },
  });
}

export function useDeleteAlertRule() {
  const invalidate = useInvalidateRules();
  return useMutation<unknown, Error, string>({
    mutationFn: (id) => apiDelete(clusterPath(`/alerts/rules/${id}`)),
    onSuccess: () => void invalidate(),
  });
}

/** Read the rule's source once and send a test notification to each of its channels. */
export function useTestAlertRule() {
  return useMutation<DeliveryRecord[], Error, string>({
    mutationFn: (id) => apiPost(clusterPath(`/alerts/rules/${id}/test`)),
  });
}
