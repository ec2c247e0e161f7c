/**
 * "Scale data plane" on the gateway page (spec §3.3.4): the GatewayBundle's
 * `spec.infrastructure.replicas`, validated as the CRD takes it, confirmed with the diff
 * line, then PUT. The API's field errors are shown as it sends them.
 */
import { useState, type FormEvent } from 'react';
import { stringify } from 'yaml';
import { useGatewayBundle, useReplaceBundle } from '../../api/bundleQueries';
import { SideBySideDiff } from '../../components/SideBySideDiff';
import { useWriteRefusal } from '../../components/WriteGuard';
import { Button, ErrorBox, Field, inputClass } from '../../components/ui';
import { bundleDocument, generationOf, replicasOf, scaleReplicas, withReplicas } from '../../forms/gatewayBundleEdit';
import { sideBySide } from '../../lib/lineDiff';

type Json = Record<string, unknown>;

/** Only the lines that change, for the confirmation (the rest of the bundle stays as it is). */
function changedLines(before: Json, after: Json): { before: string; after: string } {
  const rows = sideBySide(stringify(before, { sortMapEntries: true }), stringify(after, { sortMapEntries: true })).filter((r) => r.change !== 'same');
  return { before: rows.map((r) => (r.left ?? '').trim()).join('\n'), after: rows.map((r) => (r.right ?? '').trim()).join('\n') };
}

export function ScaleDataPlane({ namespace, name }: { namespace: string; name: string }) {
  const bundle = useGatewayBundle(namespace, name, true);
  const refusal = useWriteRefusal('GatewayBundle', namespace);
  const current = bundle.data as unknown as Json | undefined;
  const replicas = current ? replicasOf(current) : undefined;
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<{ replicas: number; document: Json } | null>(null);
  const save = useReplaceBundle(namespace, name, current ? generationOf(current) : undefined);

  const propose = (e: FormEvent) => {
    e.preventDefault();
    if (!current) return;
    const parsed = scaleReplicas.safeParse(text.trim() === '' ? Number.NaN : Number(text));
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? 'Invalid');
      return;
    }
    if (parsed.data === replicas) {
      setError(`The data plane already asks for ${parsed.data} replica${parsed.data === 1 ? '' : 's'}`);
      return;
    }
    setError(null);
    save.reset();
    setConfirm({ replicas: parsed.data, document: withReplicas(current, parsed.data) });
  };

  return (
    <div className="space-y-2 border-t border-line pt-3">
      <h3 className="text-sm font-semibold">Scale data plane</h3>
      <p className="text-xs text-fg-muted">
        Replicas now: {replicas ?? 'not set (the NGF default)'}
        {bundle.error ? ' — cannot read the GatewayBundle' : ''}
      </p>
      <form onSubmit={propose} noValidate className="flex items-end gap-2">
        <Field id="scale-replicas" label="Replicas" error={error ?? undefined}>
          <input
            id="scale-replicas"
            type="number"
            min={1}
            className={`${inputClass} w-28`}
            value={text}
            placeholder={replicas === undefined ? '' : String(replicas)}
            aria-invalid={error !== null}
            disabled={refusal !== null || !current}
            onChange={(e) => setText(e.target.value)}
          />
        </Field>
        <Button type="submit" disabled={refusal !== null || !current} title={refusal ?? undefined}>
          Scale…
        </Button>
      </form>
      {refusal && <p className="text-xs text-fg-muted">{refusal}</p>}
      {confirm && current && !save.isSuccess && (
        <div role="alertdialog" aria-label="Confirm scale" className="space-y-2 rounded-md border border-line bg-panel-raised p-3 text-sm">
          <p className="font-medium">
            Scale GatewayBundle {namespace}/{name} to {confirm.replicas} replica{confirm.replicas === 1 ? '' : 's'}?
          </p>
          <SideBySideDiff {...changedLines(bundleDocument(current), confirm.document)} labels={['Current', 'New']} />
          <div className="flex gap-2">
            <Button variant="primary" onClick={() => save.mutate(confirm.document)} disabled={save.isPending}>
              {save.isPending ? 'Scaling…' : 'Confirm scale'}
            </Button>
            <Button onClick={() => setConfirm(null)}>Cancel</Button>
          </div>
        </div>
      )}
      {save.error && <ErrorBox error={save.error} title="Scale refused" />}
      {save.isSuccess && confirm && (
        <p role="status" className="text-sm text-status-healthy">
          Saved: {confirm.replicas} replica{confirm.replicas === 1 ? '' : 's'} requested; the operator updates the data plane.
        </p>
      )}
    </div>
  );
}
