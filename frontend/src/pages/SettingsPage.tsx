import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { apiDelete, apiPost, clusterPath } from '../api/client';
import { useSavedViews } from '../api/queries';
import type { SavedViewInput } from '../api/types';
import { PageHeader } from '../components/PageHeader';
import { Button, Card, Empty, ErrorBox, Field, Table, Td, inputClass } from '../components/ui';
import { useUiStore } from '../state/ui';
import { AlertRulesCard } from './settings/AlertRulesCard';

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
      <AlertRulesCard />
      <SavedViews />
    </section>
  );
}
