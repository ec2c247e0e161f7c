import { useMutation, useQuery } from '@tanstack/react-query';
import { stringify } from 'yaml';
import { apiPost, clusterPath } from '../api/client';
import { useObject } from '../api/queries';
import type { KubeObject, ParentPreview, WriteResult } from '../api/types';
import { StepActions } from './Wizard';
import { Card, CodeBlock, ErrorBox, HealthBadge, Loading, Tag } from './ui';

function phaseHealth(phase: unknown) {
  if (phase === 'Ready') return 'healthy' as const;
  if (phase === 'Degraded' || phase === 'Provisioning' || phase === 'Pending') return 'degraded' as const;
  if (phase === 'Error') return 'error' as const;
  return 'unknown' as const;
}

/** After deploy: the parent's `.status.phase`, polled until the operator reports it. */
function DeployProgress({ path, namespace, name }: { path: string; namespace: string; name: string }) {
  const { data } = useObject(clusterPath(`${path}/${namespace}/${name}`));
  const phase = (data?.status as { phase?: string } | undefined)?.phase;
  return (
    <div role="status" className="rounded-lg border border-status-healthy/50 bg-status-healthy/10 p-4 text-sm">
      <p className="font-semibold">
        Created {String(data?.kind ?? '')} {namespace}/{name}
      </p>
      <p className="mt-1 flex items-center gap-2">
        Operator status: <HealthBadge health={phaseHealth(phase)} label={phase ?? 'waiting for the operator'} />
      </p>
    </div>
  );
}

/** The children a parent's dry run rendered: warnings, withheld Enterprise parts, each child's YAML. */
export function RenderedChildren({ rendered }: { rendered: ParentPreview }) {
  return (
    <Card title={`What the operator will create (${rendered.children.length} resources, ${rendered.edition ?? ''} edition)`}>
      {(rendered.warnings ?? []).map((w) => (
        <p key={w} className="mb-2 rounded-md border border-status-warning/50 bg-status-warning/10 p-2 text-sm">
          {w}
        </p>
      ))}
      {(rendered.withheld ?? []).map((w) => (
        <p key={`${w.kind}/${w.name}`} className="mb-2 rounded-md border border-enterprise/50 bg-enterprise/10 p-2 text-sm">
          Withheld: {w.kind} {w.name} — {w.reason}
        </p>
      ))}
      <div className="space-y-3">
        {rendered.children.map((child: KubeObject) => (
          <details key={`${child.kind}/${child.metadata.namespace ?? ''}/${child.metadata.name}`} open={rendered.children.length <= 4}>
            <summary className="cursor-pointer text-sm">
              <Tag>{child.kind}</Tag> <span className="font-medium">{child.metadata.name}</span>
            </summary>
            <div className="mt-2">
              <CodeBlock text={stringify(child)} label={`${String(child.kind)} ${child.metadata.name} YAML`} maxHeight="max-h-72" />
            </div>
          </details>
        ))}
      </div>
    </Card>
  );
}

/**
 * The review step of a parent wizard: the full YAML of the parent and of every child the
 * operator would render, from the API's dry run (`POST {path}?dryRun=true`), then Deploy.
 */
export function DryRunReview({ path, manifest, onBack }: { path: string; manifest: Record<string, unknown>; onBack: () => void }) {
  const body = JSON.stringify(manifest);
  const preview = useQuery<WriteResult, Error>({
    queryKey: ['dry-run', path, body],
    queryFn: () => apiPost<WriteResult>(clusterPath(`${path}?dryRun=true`), manifest),
    retry: false,
    staleTime: Infinity,
  });
  const deploy = useMutation<WriteResult, Error>({
    mutationFn: () => apiPost<WriteResult>(clusterPath(path), manifest),
  });
  const meta = manifest['metadata'] as { name: string; namespace: string };
  const rendered = (preview.data?.preview ?? null) as ParentPreview | null;

  if (deploy.data) return <DeployProgress path={path} namespace={meta.namespace} name={meta.name} />;

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        deploy.mutate();
      }}
      className="space-y-4"
    >
      <Card title={`${String(manifest['kind'])} (the resource you create)`}>
        <CodeBlock text={stringify(manifest)} label={`${String(manifest['kind'])} YAML`} />
      </Card>
      {preview.isPending && <Loading what="Dry run: rendering the children" />}
      {preview.error && <ErrorBox error={preview.error} title="The API refused this spec (dry run)" />}
      {rendered?.error && <ErrorBox error={new Error(`${rendered.error}${rendered.field ? ` (${rendered.field})` : ''}`)} title="The operator could not render it" />}
      {rendered && <RenderedChildren rendered={rendered} />}
      {deploy.error && <ErrorBox error={deploy.error} title="Deploy failed" />}
      <StepActions onBack={onBack} next={deploy.isPending ? 'Deploying…' : 'Deploy'} />
    </form>
  );
}
