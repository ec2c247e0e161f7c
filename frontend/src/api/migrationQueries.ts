/**
 * Hooks of the Migration pages (spec §3.9.3): import a source into a project, read its
 * analysis, generate the Gateway API resources, apply them as a MigrationPlan, validate.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPost, clusterPath } from './client';
import { useClusterGet, useScope, withQuery } from './queries';
import type { components } from './schema.gen';

type Schemas = components['schemas'];
export type ImportRequest = Schemas['ImportRequest'];
export type ProjectView = Schemas['ProjectView'];
export type ValidationView = Schemas['ValidationView'];
export type ResourceCheck = Schemas['ResourceCheck'];
export type ApplyRequest = Schemas['ApplyRequest'];
export type ReadinessView = Schemas['ReadinessView'];
export type OverviewView = Schemas['OverviewView'];

/** One field or annotation of a source resource and what became of it. */
export interface ReportItem {
  readonly path: string;
  readonly message: string;
  readonly target?: string | null;
}

/** The engine's report for one source resource (`migration/report.py` ResourceReport). */
export interface ResourceReport {
  readonly source: string;
  readonly kind: string;
  readonly file?: string | null;
  readonly line?: number | null;
  readonly confidence: 'high' | 'medium' | 'low';
  readonly reason: string;
  readonly generated: readonly string[];
  readonly direct_mappings: readonly ReportItem[];
  readonly needs_review: readonly ReportItem[];
  readonly unsupported: readonly ReportItem[];
  readonly enterprise_only: readonly ReportItem[];
}

export interface MigrationReport {
  readonly resources: readonly ResourceReport[];
  readonly errors: readonly { location: string; message: string }[];
  readonly summary: Readonly<Record<string, unknown>>;
}

export interface Analysis {
  readonly project: ProjectView;
  readonly report: MigrationReport;
}

/** One generated resource (a MigrationPlan `spec.resources` entry). */
export interface GeneratedResource {
  readonly sourceRef: string;
  readonly generatedYAML: string;
  readonly kind: string;
  readonly confidence: string;
  readonly enabled: boolean;
  readonly warnings?: readonly string[];
}

export interface Generated {
  readonly project: ProjectView;
  readonly resources: readonly GeneratedResource[];
}

export interface ApplyResult {
  readonly object: { metadata?: { name?: string; namespace?: string } };
  readonly dryRun: boolean;
  readonly auditId: number | null;
}

export function useImportSource() {
  return useMutation<ProjectView, Error, ImportRequest>({
    mutationFn: (body) => apiPost<ProjectView>(clusterPath('/migration/import'), body),
  });
}

export function useAnalysis(project: string) {
  return useClusterGet<Analysis>(['migration', project, 'analysis'], `/migration/${encodeURIComponent(project)}/analysis`, { retry: false });
}

/** (Re)generate the project's resources: the answer carries them. */
export function useGenerate(project: string) {
  const client = useQueryClient();
  const { cluster } = useScope();
  return useMutation<Generated, Error, { gateway_name?: string }>({
    mutationFn: (body) => apiPost<Generated>(clusterPath(`/migration/${encodeURIComponent(project)}/generate`), body),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['cluster', cluster, 'migration', project, 'analysis'] }),
  });
}

export function useApply(project: string) {
  const client = useQueryClient();
  const { cluster } = useScope();
  return useMutation<ApplyResult, Error, ApplyRequest>({
    mutationFn: (body) => apiPost<ApplyResult>(clusterPath(`/migration/${encodeURIComponent(project)}/apply`), body),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['cluster', cluster, 'migration', project] }),
  });
}

/** The generated resources as the cluster shows them (polled once something is applied). */
export function useValidation(project: string, poll: boolean) {
  return useClusterGet<ValidationView>(['migration', project, 'validate'], `/migration/${encodeURIComponent(project)}/validate`, {
    retry: false,
    refetchInterval: poll ? 3_000 : false,
  });
}

/** NGINX Ingress Controller routes beside Gateway API ones, in the header's namespace. */
export function useCoexistence() {
  const { namespace } = useScope();
  const readiness = useClusterGet<ReadinessView>(['coexistence', 'readiness', namespace], withQuery('/coexistence/migration-readiness', { namespace }), {
    refetchInterval: 30_000,
  });
  const overview = useClusterGet<OverviewView>(['coexistence', 'overview', namespace], withQuery('/coexistence/overview', { namespace }), {
    refetchInterval: 30_000,
  });
  return { readiness, overview };
}
