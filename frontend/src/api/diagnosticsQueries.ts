/**
 * Hooks of the Diagnostics pages (spec §3.7.1, §3.7.2, §3.3.3, §3.5.2): the route check,
 * the request simulator and trace (read-only POSTs), policy conflicts and traffic split.
 */
import { keepPreviousData, useMutation } from '@tanstack/react-query';
import { apiPost, clusterPath } from './client';
import { POLL_MS, useClusterGet, useScope, withQuery } from './queries';
import type { components } from './schema.gen';

type Schemas = components['schemas'];
export type RouteCheckReport = Schemas['RouteCheckReport'];
export type CheckResult = Schemas['CheckResult'];
export type SimulateBody = Schemas['SimulateBody'];
export type SimulationResult = Schemas['SimulationResult'];
export type MatchCandidate = Schemas['MatchCandidate'];
export type ConditionResult = Schemas['ConditionResult'];
export type TraceResult = Schemas['TraceResult'];
export type TraceStep = Schemas['TraceStep'];
export type TraceBody = Schemas['TraceBody'];
export type Correlation = Schemas['Correlation'];
export type TimingSegment = Schemas['TimingSegment'];
export type ObservedSplit = Schemas['ObservedSplit'];
export type PolicyConflicts = Schemas['PolicyConflicts'];
export type PolicyConflict = Schemas['PolicyConflict'];
export type TrafficSplit = Schemas['TrafficSplit'];
export type BackendShare = Schemas['BackendShare'];

/** Route kinds the route check accepts. */
export const CHECK_KINDS = ['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

export interface RouteKey {
  readonly kind: CheckKind;
  readonly namespace: string;
  readonly name: string;
}

/** The eight checks for one route (null: nothing picked yet). */
export function useRouteCheck(route: RouteKey | null) {
  return useClusterGet<RouteCheckReport>(
    ['route-check', route?.kind, route?.namespace, route?.name],
    route === null ? null : withQuery('/diagnostics/route-check', { ...route }),
    { retry: false, refetchInterval: POLL_MS },
  );
}

/** `POST /routes/simulate`: where one request goes and why (nothing is written). */
export function useSimulate() {
  return useMutation<SimulationResult, Error, Partial<SimulateBody>>({
    mutationFn: (body) => apiPost<SimulationResult>(clusterPath('/routes/simulate'), body),
  });
}

/** `POST /diagnostics/trace`: the simulated path as a waterfall, with its access-log rows. */
export function useTrace() {
  return useMutation<TraceResult, Error, Partial<TraceBody>>({
    mutationFn: (body) => apiPost<TraceResult>(clusterPath('/diagnostics/trace'), body),
  });
}

/** Policies that clash on one target, in the header's namespace (or all). */
export function usePolicyConflicts() {
  const { namespace } = useScope();
  return useClusterGet<PolicyConflicts>(['policy-conflicts', namespace], withQuery('/policies/conflicts', { namespace }), {
    refetchInterval: POLL_MS,
  });
}

/** An HTTPRoute's configured weights and shares per rule. */
export function useTrafficSplit(route: { namespace: string; name: string } | null) {
  return useClusterGet<TrafficSplit>(
    ['traffic-split', route?.namespace, route?.name],
    route === null ? null : withQuery('/traffic-split', { namespace: route.namespace, name: route.name }),
    { refetchInterval: 5_000, retry: false, placeholderData: keepPreviousData },
  );
}
