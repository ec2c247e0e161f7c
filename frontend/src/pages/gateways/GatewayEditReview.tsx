/**
 * The edit wizard's last step (spec §3.3.4): the current and the new GatewayBundle side by
 * side, the children the operator would render from the API's dry run (`PUT ?dryRun=true`),
 * then Save (`PUT`, based on the version that was loaded).
 */
import { useQuery } from '@tanstack/react-query';
import { stringify } from 'yaml';
import { replaceBundle, useReplaceBundle } from '../../api/bundleQueries';
import type { ParentPreview, WriteResult } from '../../api/types';
import { RenderedChildren } from '../../components/DryRunReview';
import { LinkButton } from '../../components/LinkButton';
import { SideBySideDiff } from '../../components/SideBySideDiff';
import { StepActions } from '../../components/Wizard';
import { Card, Empty, ErrorBox, Loading } from '../../components/ui';
import { bundleDocument, editedBundle, generationOf } from '../../forms/gatewayBundleEdit';
import { ApiError } from '../../api/client';

type Json = Record<string, unknown>;

/** YAML with sorted keys: the API server returns a CRD object's fields sorted, the wizard in its own order. */
export function diffYaml(document: Json): string {
  return stringify(document, { sortMapEntries: true });
}

export function GatewayEditReview({ current, manifest, enterprise, onBack }: { current: Json; manifest: Json; enterprise: boolean; onBack: () => void }) {
  const meta = current['metadata'] as { name: string; namespace: string };
  const edited = editedBundle(current, manifest, enterprise);
  const body = edited;
  const before = diffYaml(bundleDocument(current));
  const after = diffYaml(edited);
  const unchanged = before === after;
  const preview = useQuery<WriteResult, Error>({
    queryKey: ['dry-run-put', meta.namespace, meta.name, JSON.stringify(body)],
    queryFn: () => replaceBundle(meta.namespace, meta.name, body, true),
    retry: false,
    staleTime: Infinity,
  });
  const save = useReplaceBundle(meta.namespace, meta.name, generationOf(current));
  const rendered = (preview.data?.preview ?? null) as ParentPreview | null;
  const detail = `/gateways/${encodeURIComponent(meta.namespace)}/${encodeURIComponent(meta.name)}`;

  if (save.data) {
    return (
      <div role="status" className="space-y-3 rounded-lg border border-status-healthy/50 bg-status-healthy/10 p-4 text-sm">
        <p className="font-semibold">
          Saved GatewayBundle {meta.namespace}/{meta.name}
          {save.data.auditId != null ? ` (audit entry #${save.data.auditId})` : ''}.
        </p>
        <p>The operator now updates the Gateway and its children.</p>
        <LinkButton to={detail}>Back to the gateway</LinkButton>
      </div>
    );
  }

  const conflict = save.error instanceof ApiError && save.error.status === 409;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (!unchanged) save.mutate(body);
      }}
      className="space-y-4"
    >
      <Card title={`Changes to GatewayBundle ${meta.namespace}/${meta.name}`}>
        {unchanged ? <Empty>No changes: the answers describe the GatewayBundle as it is.</Empty> : <SideBySideDiff before={before} after={after} labels={['Current', 'New']} />}
      </Card>
      {preview.isPending && <Loading what="Dry run: rendering the children" />}
      {preview.error && <ErrorBox error={preview.error} title="The API refused this spec (dry run)" />}
      {rendered?.error && <ErrorBox error={new Error(`${rendered.error}${rendered.field ? ` (${rendered.field})` : ''}`)} title="The operator could not render it" />}
      {rendered && <RenderedChildren rendered={rendered} />}
      {save.error && (
        <ErrorBox
          error={save.error}
          title={conflict ? 'Someone changed this GatewayBundle since you opened it: reload the page to edit the new version' : 'Save failed'}
        />
      )}
      <StepActions onBack={onBack} next={save.isPending ? 'Saving…' : unchanged ? 'Nothing to save' : 'Save'} />
    </form>
  );
}
