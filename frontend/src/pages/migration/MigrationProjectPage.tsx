import { useState } from 'react';
import { stringify } from 'yaml';
import { useLocation, useParams } from 'react-router';
import { useAnalysis, useApply, useGenerate, useValidation, type ApplyResult, type GeneratedResource } from '../../api/migrationQueries';
import { CodeEditor } from '../../components/CodeEditor';
import { LinkButton } from '../../components/LinkButton';
import { PageHeader } from '../../components/PageHeader';
import { Stepper } from '../../components/Wizard';
import { Button, Card, CodeBlock, ErrorBox, Field, HealthBadge, Loading, Table, Tag, Td, inputClass } from '../../components/ui';
import { generatedBySource } from './analysis';
import { AnalysisTable, InputErrors } from './AnalysisTable';
import { MIGRATION_STEPS } from './MigrationImportPage';

const PAUSE_RE = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;

/** Tall enough for the whole YAML, up to 24 lines (Monaco's line height is 19 px). */
function editorHeight(text: string): number {
  return Math.min(text.split('\n').length, 24) * 19 + 12;
}

function GeneratedResources({ resources }: { resources: readonly GeneratedResource[] }) {
  return (
    <Card title={`Generated Gateway API resources (${resources.length})`}>
      {resources.length === 0 && <p className="text-sm text-fg-muted">Nothing was generated.</p>}
      <div className="space-y-4">
        {generatedBySource(resources).map((g) => (
          <div key={g.source}>
            <p className="mb-2 text-sm text-fg-muted">From {g.source}</p>
            <div className="space-y-2">
              {g.resources.map((r) => (
                <details key={`${r.kind}/${r.name}`} open={r.kind !== 'Gateway'}>
                  <summary className="cursor-pointer text-sm">
                    <Tag>{r.kind}</Tag> <span className="font-medium">{r.name}</span> <span className="text-xs text-fg-muted">{r.confidence} confidence</span>
                  </summary>
                  <div className="mt-2">
                    <CodeEditor value={r.generatedYAML} language="yaml" readOnly label={`${r.kind} ${r.name} YAML`} height={editorHeight(r.generatedYAML)} />
                  </div>
                </details>
              ))}
            </div>
          </div>
        ))}
      </div>
    </Card>
  );
}

function Validation({ project, applied }: { project: string; applied: boolean }) {
  const { data, error, isPending } = useValidation(project, applied);
  if (isPending) return <Loading what="Validating against the cluster" />;
  if (error) return <ErrorBox error={error} title="Validation failed" />;
  return (
    <Card
      title="Validation: the generated resources in the cluster"
      actions={<HealthBadge health={data.valid ? 'healthy' : applied ? 'degraded' : 'unknown'} label={data.valid ? 'All present and accepted' : 'Not all present or accepted'} />}
    >
      <p className="mb-2 text-sm">MigrationPlan phase: {data.plan_phase ?? (applied ? 'waiting for the operator' : 'not applied')}</p>
      <Table caption="Generated resources in the cluster" head={['Kind', 'Name', 'In cluster', 'Accepted', 'Missing backends', 'Message']}>
        {data.resources.map((r) => (
          <tr key={`${r.kind}/${r.name}`} data-testid="validation-row">
            <Td>
              <Tag>{r.kind}</Tag>
            </Td>
            <Td className="font-medium">{r.name}</Td>
            <Td>
              <HealthBadge health={r.exists ? 'healthy' : 'unknown'} label={r.exists ? 'Yes' : 'No'} />
            </Td>
            <Td>{r.accepted == null ? '—' : r.accepted ? 'Yes' : 'No'}</Td>
            <Td>{(r.missing_backends ?? []).join(', ') || '—'}</Td>
            <Td className="text-xs">{r.message}</Td>
          </tr>
        ))}
      </Table>
    </Card>
  );
}

function DryRunResult({ result }: { result: ApplyResult }) {
  return (
    <Card title="Dry run: the API server accepted the MigrationPlan">
      <p className="mb-2 text-sm">Nothing was created. The operator would apply these resources in phases.</p>
      <CodeBlock text={stringify(result.object)} label="MigrationPlan YAML (dry run)" maxHeight="max-h-72" />
    </Card>
  );
}

/** `/migration/:id`: analysis → generated YAML → dry run → apply → validate (spec §3.9.3). */
export function MigrationProjectPage() {
  const { id = '' } = useParams();
  const source = (useLocation().state as { content?: string } | null)?.content ?? null;
  const analysis = useAnalysis(id);
  const generate = useGenerate(id);
  const dryRun = useApply(id);
  const apply = useApply(id);
  const [gatewayName, setGatewayName] = useState('ngf-migrated');
  const [pause, setPause] = useState('');
  const pauseError = pause.trim() && !PAUSE_RE.test(pause.trim()) ? 'A Go duration such as 0s, 10s or 1m30s.' : undefined;
  const applyBody = (dry: boolean) => ({ apply: true, dry_run: dry, ...(pause.trim() ? { pause_between: pause.trim() } : {}) });
  const project = analysis.data?.project;
  const applied = project?.status === 'applied' || apply.data !== undefined;
  const step = applied ? 4 : dryRun.data ? 3 : generate.data ? 2 : 1;

  return (
    <section>
      <PageHeader title={project ? `Migration: ${project.name}` : 'Migration'} actions={<LinkButton to="/migration/new">New migration</LinkButton>}>
        {project ? `Project ${project.id} · namespace ${project.namespace} · ${project.format} · ${project.status}` : 'Migration project'}
      </PageHeader>
      <Stepper steps={MIGRATION_STEPS} current={step} />
      {analysis.isPending && <Loading what="Loading the analysis" />}
      {analysis.error && <ErrorBox error={analysis.error} title="Cannot load the project" />}
      {analysis.data && (
        <div className="space-y-4">
          <InputErrors errors={analysis.data.report.errors ?? []} source={source} />
          <AnalysisTable report={analysis.data.report} />
          <Card title="Generate">
            <form
              className="flex flex-wrap items-end gap-3"
              onSubmit={(e) => {
                e.preventDefault();
                generate.mutate({ gateway_name: gatewayName });
              }}
            >
              <Field id="mig-gateway" label="Gateway name for the migrated listeners">
                <input id="mig-gateway" className={inputClass} value={gatewayName} onChange={(e) => setGatewayName(e.target.value)} />
              </Field>
              <Button type="submit" variant="primary" disabled={generate.isPending}>
                {generate.isPending ? 'Generating…' : generate.data ? 'Regenerate' : 'Generate Gateway API resources'}
              </Button>
            </form>
            {generate.error && (
              <div className="mt-3">
                <ErrorBox error={generate.error} title="Generation refused" />
              </div>
            )}
          </Card>
          {generate.data && <GeneratedResources resources={generate.data.resources} />}
          {(generate.data || applied) && (
            <Card title="Apply">
              <p className="mb-3 text-sm">
                Applying creates a MigrationPlan in {project?.namespace}; the operator creates its resources one at a time and validates each.
              </p>
              <div className="mb-3 max-w-xs">
                <Field id="mig-pause" label="Pause between resources" error={pauseError} hint="Phased apply; blank: the operator's default (30s).">
                  <input
                    id="mig-pause"
                    className={inputClass}
                    value={pause}
                    placeholder="30s"
                    disabled={applied}
                    onChange={(e) => setPause(e.target.value)}
                    aria-invalid={pauseError ? true : undefined}
                    aria-describedby={pauseError ? 'mig-pause-error' : undefined}
                  />
                </Field>
              </div>
              <div className="flex flex-wrap gap-2">
                <Button disabled={dryRun.isPending || applied || pauseError !== undefined} onClick={() => dryRun.mutate(applyBody(true))}>
                  {dryRun.isPending ? 'Checking…' : 'Dry run (server-side)'}
                </Button>
                <Button variant="primary" disabled={apply.isPending || applied || pauseError !== undefined} onClick={() => apply.mutate(applyBody(false))}>
                  {apply.isPending ? 'Applying…' : applied ? 'Applied' : 'Apply'}
                </Button>
              </div>
              {dryRun.error && (
                <div className="mt-3">
                  <ErrorBox error={dryRun.error} title="Dry run refused" />
                </div>
              )}
              {apply.error && (
                <div className="mt-3">
                  <ErrorBox error={apply.error} title="Apply refused" />
                </div>
              )}
              {apply.data && (
                <p role="status" className="mt-3 rounded-md border border-status-healthy/50 bg-status-healthy/10 p-2 text-sm">
                  Created MigrationPlan {apply.data.object.metadata?.namespace}/{apply.data.object.metadata?.name}.
                </p>
              )}
            </Card>
          )}
          {dryRun.data && !applied && <DryRunResult result={dryRun.data} />}
          {applied && <Validation project={id} applied={applied} />}
        </div>
      )}
    </section>
  );
}
