import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { stringify } from 'yaml';
import { apiPost, clusterPath } from '../api/client';
import { useAudit, useAuditEntry } from '../api/queries';
import type { AuditEntrySummary, WriteResult } from '../api/types';
import { PageHeader } from '../components/PageHeader';
import { SideBySideDiff } from '../components/SideBySideDiff';
import { Button, Card, Empty, ErrorBox, Loading, Table, Tag, Td, inputClass } from '../components/ui';

function EntryDetail({ id }: { id: number }) {
  const client = useQueryClient();
  const entry = useAuditEntry(id);
  const [confirm, setConfirm] = useState(false);
  const revert = useMutation<WriteResult, Error>({
    mutationFn: () => apiPost<WriteResult>(clusterPath(`/audit/${id}/revert`)),
    onSuccess: () => void client.invalidateQueries(),
  });
  if (entry.error) return <ErrorBox error={entry.error} />;
  if (!entry.data) return <Loading what="Loading change" />;
  const e = entry.data;
  const before = e.previous_config ? stringify(e.previous_config) : '';
  const after = e.new_config ? stringify(e.new_config) : '';
  return (
    <Card
      title={`#${e.id} ${e.action} ${e.resource_kind} ${e.resource_namespace ? `${e.resource_namespace}/` : ''}${e.resource_name}`}
      actions={
        confirm ? (
          <span className="flex items-center gap-2 text-sm">
            Revert this change?
            <Button variant="danger" onClick={() => revert.mutate()} disabled={revert.isPending}>Revert</Button>
            <Button onClick={() => setConfirm(false)}>Cancel</Button>
          </span>
        ) : (
          <Button onClick={() => setConfirm(true)}>Revert…</Button>
        )
      }
    >
      <p className="mb-2 text-xs text-fg-muted">
        {new Date(e.created_at).toLocaleString()} by {e.user_email ?? e.user_id ?? 'anonymous'} · request {e.request_id ?? '—'}
      </p>
      {revert.error && <ErrorBox error={revert.error} title="Revert failed" />}
      {revert.data && <p role="status" className="mb-2 text-sm text-status-healthy">Reverted (audit entry #{revert.data.auditId}).</p>}
      <SideBySideDiff before={before} after={after} />
    </Card>
  );
}

export function AuditPage() {
  const [kind, setKind] = useState('');
  const [cursors, setCursors] = useState<(number | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const page = useAudit(kind ? { kind } : {}, cursor);
  const [selected, setSelected] = useState<number | null>(null);
  const entries: readonly AuditEntrySummary[] = page.data?.entries ?? [];
  return (
    <section className="space-y-4">
      <PageHeader title="Audit">Every change made through the console, with its diff and a revert.</PageHeader>
      <div className="flex items-end gap-3">
        <label className="text-xs text-fg-muted">
          Kind
          <input className={`${inputClass} mt-1 w-48`} value={kind} placeholder="e.g. GatewayBundle" onChange={(e) => { setKind(e.target.value); setCursors([null]); }} />
        </label>
      </div>
      {page.error && <ErrorBox error={page.error} />}
      {page.isPending && <Loading what="Loading audit log" />}
      {page.data && entries.length === 0 && <Empty>No changes recorded yet.</Empty>}
      {entries.length > 0 && (
        <Table caption="Audit log" head={['When', 'Who', 'Action', 'Resource', '']}>
          {entries.map((e) => (
            <tr key={e.id} className={selected === e.id ? 'bg-panel-raised' : ''}>
              <Td className="text-xs">{new Date(e.created_at).toLocaleString()}</Td>
              <Td className="text-xs">{e.user_email ?? 'anonymous'}</Td>
              <Td><Tag>{e.action}</Tag></Td>
              <Td className="text-xs">{e.resource_kind} {e.resource_namespace ? `${e.resource_namespace}/` : ''}{e.resource_name}</Td>
              <Td><Button variant="ghost" onClick={() => setSelected(e.id)} aria-label={`Diff of change ${e.id}`}>Diff</Button></Td>
            </tr>
          ))}
        </Table>
      )}
      <div className="flex gap-2">
        {cursors.length > 1 && <Button onClick={() => setCursors((c) => c.slice(0, -1))}>Newer</Button>}
        {page.data?.next_cursor != null && <Button onClick={() => setCursors((c) => [...c, page.data?.next_cursor ?? null])}>Older</Button>}
      </div>
      {selected !== null && <EntryDetail id={selected} />}
    </section>
  );
}
