import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { apiDelete, apiPost, apiPut, clusterPath } from '../api/client';
import { useAlertRules, useSavedViews } from '../api/queries';
import type { AlertRuleRequest, AlertRuleView, SavedViewInput } from '../api/types';
import { PageHeader } from '../components/PageHeader';
import { Button, Card, Empty, ErrorBox, Field, Loading, Table, Tag, Td, inputClass } from '../components/ui';
import { useUiStore } from '../state/ui';

export const alertRuleForm = z.object({
  name: z.string().trim().min(1, 'Required').max(255),
  description: z.string(),
  enabled: z.boolean(),
  source: z.string().regex(/^[a-z][a-z0-9_]*$/, 'A source name such as cert_expiry'),
  operator: z.enum(['>', '<', '>=', '<=', '==']),
  threshold: z.number({ error: 'A number' }),
  forDuration: z.string().regex(/^(\d+(\.\d+)?|(\d+(\.\d+)?h)?(\d+(\.\d+)?m)?(\d+(\.\d+)?s)?)$/, 'Seconds, or like 30s, 5m, 1h30m'),
  severity: z.enum(['info', 'warning', 'critical']),
  webhookUrl: z.union([z.literal(''), z.url('A URL')]),
});
export type AlertRuleForm = z.infer<typeof alertRuleForm>;

/** Seconds from "90", "30s", "5m", "1h30m" (the form's rule has already checked the shape). */
export function durationSeconds(text: string): number {
  if (text.trim() === '') return 0;
  const plain = Number(text);
  if (!Number.isNaN(plain)) return plain;
  const m = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text.trim());
  if (!m) return 0;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

export function toAlertRule(v: AlertRuleForm): AlertRuleRequest {
  return {
    name: v.name,
    description: v.description,
    enabled: v.enabled,
    config: { source: v.source, operator: v.operator, threshold: v.threshold, for: durationSeconds(v.forDuration), severity: v.severity, labels: {}, params: {} },
    notification_channels: v.webhookUrl ? [{ type: 'webhook', url: v.webhookUrl, headers: {} }] : [],
  };
}

function fromRule(rule: AlertRuleView): AlertRuleForm {
  const c = rule.config as { source?: string; operator?: AlertRuleForm['operator']; threshold?: number; for?: number; severity?: AlertRuleForm['severity'] };
  const hook = (rule.notification_channels as { type?: string; url?: string }[]).find((ch) => ch.type === 'webhook');
  return {
    name: rule.name, description: rule.description ?? '', enabled: rule.enabled ?? true,
    source: c.source ?? 'cert_expiry', operator: c.operator ?? '<', threshold: c.threshold ?? 0,
    forDuration: String(c.for ?? 0), severity: c.severity ?? 'warning', webhookUrl: hook?.url ?? '',
  };
}

const NEW_RULE: AlertRuleForm = { name: '', description: '', enabled: true, source: 'cert_expiry', operator: '<', threshold: 14, forDuration: '0', severity: 'warning', webhookUrl: '' };

function AlertRuleEditor({ rule, onDone }: { rule: AlertRuleView | null; onDone: () => void }) {
  const client = useQueryClient();
  const { register, handleSubmit, formState: { errors } } = useForm<AlertRuleForm>({ resolver: zodResolver(alertRuleForm), defaultValues: rule ? fromRule(rule) : NEW_RULE });
  const save = useMutation<unknown, Error, AlertRuleForm>({
    mutationFn: (v) => (rule ? apiPut(clusterPath(`/alerts/rules/${rule.id}`), toAlertRule(v)) : apiPost(clusterPath('/alerts/rules'), toAlertRule(v))),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['cluster', useUiStore.getState().cluster, 'alert-rules'] });
      onDone();
    },
  });
  return (
    <form onSubmit={handleSubmit((v) => save.mutate(v))} noValidate className="mt-4 space-y-3 rounded-md border border-line p-4">
      <div className="grid grid-cols-1 gap-3 md:grid-cols-4">
        <Field id="r-name" label="Name" error={errors.name?.message}><input id="r-name" className={inputClass} {...register('name')} /></Field>
        <Field id="r-source" label="Source" error={errors.source?.message} hint="cert_expiry: days left"><input id="r-source" className={inputClass} {...register('source')} /></Field>
        <Field id="r-op" label="Operator"><select id="r-op" className={inputClass} {...register('operator')}>{['>', '<', '>=', '<=', '=='].map((o) => <option key={o}>{o}</option>)}</select></Field>
        <Field id="r-threshold" label="Threshold" error={errors.threshold?.message}><input id="r-threshold" type="number" step="any" className={inputClass} {...register('threshold', { valueAsNumber: true })} /></Field>
        <Field id="r-for" label="For" error={errors.forDuration?.message}><input id="r-for" className={inputClass} {...register('forDuration')} /></Field>
        <Field id="r-sev" label="Severity"><select id="r-sev" className={inputClass} {...register('severity')}><option>info</option><option>warning</option><option>critical</option></select></Field>
        <Field id="r-hook" label="Webhook URL (optional)" error={errors.webhookUrl?.message}><input id="r-hook" className={inputClass} {...register('webhookUrl')} /></Field>
        <label className="flex items-center gap-2 self-end text-sm"><input type="checkbox" {...register('enabled')} /> Enabled</label>
      </div>
      <Field id="r-desc" label="Description"><input id="r-desc" className={inputClass} {...register('description')} /></Field>
      {save.error && <ErrorBox error={save.error} />}
      <div className="flex gap-2">
        <Button type="submit" variant="primary">{rule ? 'Save rule' : 'Create rule'}</Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </form>
  );
}

function AlertRules() {
  const client = useQueryClient();
  const rules = useAlertRules();
  const [editing, setEditing] = useState<AlertRuleView | 'new' | null>(null);
  const del = useMutation({
    mutationFn: (id: string) => apiDelete(clusterPath(`/alerts/rules/${id}`)),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['cluster', useUiStore.getState().cluster, 'alert-rules'] }),
  });
  return (
    <Card title="Alert rules" actions={<Button onClick={() => setEditing('new')}>New rule</Button>}>
      {rules.error && <ErrorBox error={rules.error} />}
      {rules.isPending && <Loading what="Loading alert rules" />}
      {rules.data && rules.data.length === 0 && <Empty>No alert rules.</Empty>}
      {rules.data && rules.data.length > 0 && (
        <Table caption="Alert rules" head={['Name', 'Condition', 'Severity', 'Enabled', 'Channels', '']}>
          {rules.data.map((r) => {
            const c = r.config as { source?: string; operator?: string; threshold?: number; severity?: string };
            return (
              <tr key={r.id}>
                <Td className="font-medium">{r.name}{r.last_error && <p className="text-xs text-status-error">{r.last_error}</p>}</Td>
                <Td className="font-mono text-xs">{c.source} {c.operator} {c.threshold}</Td>
                <Td><Tag>{c.severity ?? 'warning'}</Tag></Td>
                <Td>{r.enabled ? 'yes' : 'no'}</Td>
                <Td>{(r.notification_channels ?? []).length}</Td>
                <Td>
                  <Button variant="ghost" onClick={() => setEditing(r)}>Edit</Button>
                  <Button variant="ghost" onClick={() => del.mutate(r.id)} aria-label={`Delete rule ${r.name}`}>Delete</Button>
                </Td>
              </tr>
            );
          })}
        </Table>
      )}
      {del.error && <ErrorBox error={del.error} />}
      {editing !== null && <AlertRuleEditor key={editing === 'new' ? 'new' : editing.id} rule={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
    </Card>
  );
}

function SavedViews() {
  const client = useQueryClient();
  const views = useSavedViews();
  const namespace = useUiStore((s) => s.namespace);
  const [name, setName] = useState('');
  const key = ['cluster', useUiStore.getState().cluster, 'saved-views'];
  const create = useMutation<unknown, Error>({
    mutationFn: () => apiPost(clusterPath('/views'), { name, view_type: 'filter', shared: false, config: { namespace } } satisfies SavedViewInput),
    onSuccess: () => { setName(''); void client.invalidateQueries({ queryKey: key }); },
  });
  const del = useMutation({ mutationFn: (id: string) => apiDelete(clusterPath(`/views/${id}`)), onSuccess: () => void client.invalidateQueries({ queryKey: key }) });
  const setNamespace = useUiStore((s) => s.setNamespace);
  return (
    <Card title="Saved views">
      <form className="mb-3 flex items-end gap-2" onSubmit={(e) => { e.preventDefault(); if (name.trim()) create.mutate(); }}>
        <Field id="v-name" label={`Save the current filter (namespace: ${namespace ?? 'all'}) as`}>
          <input id="v-name" className={inputClass} value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Button type="submit" disabled={!name.trim()}>Save view</Button>
      </form>
      {create.error && <ErrorBox error={create.error} />}
      {views.data && views.data.length === 0 && <Empty>No saved views.</Empty>}
      {views.data && views.data.length > 0 && (
        <Table caption="Saved views" head={['Name', 'Type', 'Namespace', '']}>
          {views.data.map((v) => {
            const ns = (v.config as { namespace?: string | null }).namespace ?? null;
            return (
              <tr key={v.id}>
                <Td className="font-medium">{v.name}</Td>
                <Td>{v.view_type}</Td>
                <Td>{ns ?? 'all'}</Td>
                <Td>
                  <Button variant="ghost" onClick={() => setNamespace(ns)}>Apply</Button>
                  <Button variant="ghost" onClick={() => del.mutate(v.id)} aria-label={`Delete view ${v.name}`}>Delete</Button>
                </Td>
              </tr>
            );
          })}
        </Table>
      )}
    </Card>
  );
}

export function SettingsPage() {
  const theme = useUiStore((s) => s.theme);
  const setTheme = useUiStore((s) => s.setTheme);
  return (
    <section className="space-y-4">
      <PageHeader title="Settings">Preferences, alert rules and saved views.</PageHeader>
      <Card title="Appearance">
        <fieldset className="flex gap-6 text-sm">
          <legend className="sr-only">Theme</legend>
          <label className="flex items-center gap-2"><input type="radio" name="theme" checked={theme === 'dark'} onChange={() => setTheme('dark')} /> Dark</label>
          <label className="flex items-center gap-2"><input type="radio" name="theme" checked={theme === 'light'} onChange={() => setTheme('light')} /> Light</label>
        </fieldset>
      </Card>
      <AlertRules />
      <SavedViews />
    </section>
  );
}
