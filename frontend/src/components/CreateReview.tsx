/**
 * The create flow of the route and policy builders: a dry run first (`POST {path}?dryRun=true`,
 * the API server validates the object against its CRD schema and CEL rules and stores
 * nothing), then the real create of exactly the manifest that passed. The API's field-level
 * refusals (422 `causes[].field`) are put on the form's own fields.
 */
import { useMutation } from '@tanstack/react-query';
import { Link } from 'react-router';
import { stringify } from 'yaml';
import { ApiError, apiPost, clusterPath } from '../api/client';
import type { WriteResult } from '../api/types';
import { usePermissions } from '../auth/authQueries';
import { writeRefusal } from '../auth/permission';
import { DNS_LABEL } from '../forms/common';
import { Button, Card, CodeBlock, ErrorBox } from './ui';

type Manifest = Record<string, unknown>;

/** The two requests of a builder: dry run, then create; `onError` sees either's refusal. */
export function useCreateFlow(path: string, onError: (error: Error) => void) {
  const review = useMutation<WriteResult, Error, Manifest>({ mutationFn: (m) => apiPost<WriteResult>(clusterPath(`${path}?dryRun=true`), m), onError });
  const create = useMutation<WriteResult, Error, Manifest>({ mutationFn: (m) => apiPost<WriteResult>(clusterPath(path), m), onError });
  return { review, create };
}
export type CreateFlow = ReturnType<typeof useCreateFlow>;

/**
 * Why the caller's role may not create `kind` in `namespace` (null when it may, or while
 * unknown). The API enforces it on the dry run anyway; this says so before the form is filled.
 */
export function useCreateRefusal(kind: string, namespace: string): string | null {
  const valid = DNS_LABEL.test(namespace);
  const { data } = usePermissions(valid ? namespace : null);
  return valid ? writeRefusal(data, kind, namespace) : null;
}

export function RefusalNotice({ refusal }: { refusal: string | null }) {
  if (refusal === null) return null;
  return (
    <p role="alert" className="rounded-md border border-status-warning/50 bg-status-warning/10 p-2 text-sm">
      {refusal}
    </p>
  );
}

/** The manifest of a form's current values, even incomplete ones (null if it cannot be built yet). */
export function draftManifest<T>(values: T, build: (v: T) => Manifest): Manifest | null {
  try {
    return build(values);
  } catch {
    return null;
  }
}

/**
 * Put each cause of an API refusal on the form field it names (via `toField`); returns how
 * many found a field. Causes without one stay in the error box shown with the form.
 */
export function applyApiFieldErrors(error: unknown, toField: (apiField: string) => string | undefined, setError: (name: string, message: string) => void): number {
  if (!(error instanceof ApiError)) return 0;
  const namespace = missingNamespace(error);
  const namespaceField = namespace === undefined ? undefined : toField('metadata.namespace');
  if (namespace !== undefined && namespaceField) {
    setError(namespaceField, `Namespace ${namespace} does not exist in this cluster`);
    return 1;
  }
  let placed = 0;
  for (const cause of error.causes) {
    const field = cause.field ? toField(cause.field) : undefined;
    if (field) {
      setError(field, cause.message);
      placed += 1;
    }
  }
  return placed;
}

/** The namespace named by a 404 `namespaces "x" not found` (a create into a namespace that does not exist). */
export function missingNamespace(error: ApiError): string | undefined {
  if (error.status !== 404) return undefined;
  return /namespaces "([^"]+)" not found/.exec(error.message)?.[1];
}

/** An API refusal, worded for a kind whose CRD the cluster lacks (404 from the API server). */
export function BuilderError({ error, kind, crd, since }: { error: unknown; kind: string; crd?: string; since?: string }) {
  if (error instanceof ApiError && error.status === 404 && missingNamespace(error) === undefined) {
    return (
      <ErrorBox
        title={`${kind} is not installed in this cluster`}
        error={new Error(`The API server does not serve ${kind}${crd ? `: the CRD ${crd} is missing` : ''}.${since ? ` It comes with ${since}; install or upgrade it, then try again.` : ''} Nothing was created.`)}
      />
    );
  }
  return <ErrorBox error={error} title={`The API refused this ${kind}`} />;
}

/**
 * The right-hand column: the live YAML, and after a dry run the object as the API server
 * would store it with the button that creates it. A manifest edited after its dry run
 * must be reviewed again.
 */
export function ReviewColumn({ kind, manifest, valid, flow }: { kind: string; manifest: Manifest | null; valid: boolean; flow: CreateFlow }) {
  const reviewed = valid && flow.review.data && flow.review.variables && manifest !== null && JSON.stringify(flow.review.variables) === JSON.stringify(manifest);
  return (
    <div className="space-y-4 xl:sticky xl:top-0 xl:self-start">
      {reviewed && flow.review.data ? (
        <Card title="Dry run passed">
          <p role="status" className="mb-3 text-sm">
            The API server accepted this {kind} (dry run: nothing was created yet). This is the object it would store:
          </p>
          <CodeBlock text={stringify(flow.review.data.object)} label={`${kind} dry-run result`} maxHeight="max-h-[50vh]" />
          <div className="mt-3 flex justify-end">
            <Button variant="primary" disabled={flow.create.isPending} onClick={() => flow.create.mutate(flow.review.variables as Manifest)}>
              {flow.create.isPending ? 'Creating…' : `Create ${kind}`}
            </Button>
          </div>
        </Card>
      ) : (
        <Card title="YAML">
          {flow.review.data && <p className="mb-2 text-xs text-fg-muted">Changed since the dry run: review it again before creating.</p>}
          {!valid && manifest && <p className="mb-2 text-xs text-fg-muted">Incomplete: the form still has fields to fill in or fix.</p>}
          <CodeBlock text={manifest ? stringify(manifest) : '# fill in the form'} label={`${kind} YAML`} maxHeight="max-h-[70vh]" />
        </Card>
      )}
    </div>
  );
}

/** What a successful create leaves on the page. */
export function CreatedNotice({ kind, result, back, backLabel }: { kind: string; result: WriteResult; back: string; backLabel: string }) {
  const meta = result.object['metadata'] as { name?: string; namespace?: string } | undefined;
  return (
    <div role="status" className="rounded-lg border border-status-healthy/50 bg-status-healthy/10 p-4 text-sm">
      Created {kind} {meta?.namespace}/{meta?.name}.{' '}
      <Link to={back} className="underline">
        {backLabel}
      </Link>
      {result.auditId != null && <span className="ml-2 text-fg-muted">(audit entry #{result.auditId})</span>}
    </div>
  );
}
