import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useImportSource, type ImportRequest } from '../../api/migrationQueries';
import { useNamespaces, useScope } from '../../api/queries';
import { PageHeader } from '../../components/PageHeader';
import { Stepper } from '../../components/Wizard';
import { Button, Card, ErrorBox, Field, inputClass } from '../../components/ui';
import { CoexistencePanel } from './CoexistencePanel';

export const MIGRATION_STEPS = ['Import', 'Analysis', 'Generated resources', 'Dry run', 'Apply and validate'] as const;
const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

type Errors = Partial<Record<'name' | 'namespace' | 'content', string>>;

function validate(body: ImportRequest): Errors {
  const errors: Errors = {};
  if (!body.name.trim()) errors.name = 'A project name is required.';
  if (!NAME_RE.test(body.namespace)) errors.namespace = 'Lower-case letters, digits and "-" (the MigrationPlan\'s namespace).';
  if (!body.content.trim()) errors.content = 'Paste or upload the YAML bundle or nginx.conf to migrate.';
  return errors;
}

/** `/migration` and `/migration/new`: import a source (spec §3.9.3 step 1). */
export function MigrationImportPage() {
  const { namespace: scoped } = useScope();
  const namespaces = useNamespaces();
  const [body, setBody] = useState<ImportRequest>({ name: '', namespace: scoped ?? 'default', format: 'yaml', content: '' });
  const [submitted, setSubmitted] = useState(false);
  // After a first submit, the field errors follow the edits (a fixed field clears at once).
  const errors: Errors = submitted ? validate(body) : {};
  const importSource = useImportSource();
  const navigate = useNavigate();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found = validate(body);
    setSubmitted(true);
    if (Object.keys(found).length > 0) return;
    importSource.mutate(body, {
      onSuccess: (project) => void navigate(`/migration/${project.id}`, { state: { content: body.content } }),
    });
  };
  const described = (key: keyof Errors) => ({
    'aria-invalid': errors[key] ? true : undefined,
    'aria-describedby': errors[key] ? `mig-${key}-error` : undefined,
  });
  return (
    <section>
      <PageHeader title="Migration">Move NGINX Ingress Controller and ingress-nginx configuration to Gateway API on NGINX Gateway Fabric.</PageHeader>
      <Stepper steps={MIGRATION_STEPS} current={0} />
      <Card title="Import a source">
        <form onSubmit={submit} className="space-y-4" noValidate>
          <div className="grid gap-3 md:grid-cols-3">
            <Field id="mig-name" label="Project name" error={errors.name}>
              <input id="mig-name" className={inputClass} value={body.name} onChange={(e) => setBody({ ...body, name: e.target.value })} {...described('name')} />
            </Field>
            <Field id="mig-namespace" label="Target namespace" error={errors.namespace} hint="Where the MigrationPlan and the generated resources go.">
              <input
                id="mig-namespace"
                list="mig-namespaces"
                className={inputClass}
                value={body.namespace}
                onChange={(e) => setBody({ ...body, namespace: e.target.value })}
                {...described('namespace')}
              />
              <datalist id="mig-namespaces">
                {(namespaces.data?.items ?? []).map((n) => (
                  <option key={n.metadata.name} value={n.metadata.name} />
                ))}
              </datalist>
            </Field>
            <Field id="mig-format" label="Format">
              <select id="mig-format" className={inputClass} value={body.format} onChange={(e) => setBody({ ...body, format: e.target.value as ImportRequest['format'] })}>
                <option value="yaml">YAML (Ingress, VirtualServer, TransportServer, ConfigMap…)</option>
                <option value="nginx-conf">nginx.conf</option>
              </select>
            </Field>
          </div>
          <Field id="mig-content" label="Source" error={errors.content} hint="Several YAML documents separated by ---, e.g. the output of ngf-migrate scan.">
            <textarea
              id="mig-content"
              rows={16}
              spellCheck={false}
              className={`${inputClass} font-mono text-xs`}
              value={body.content}
              onChange={(e) => setBody({ ...body, content: e.target.value })}
              {...described('content')}
            />
          </Field>
          <Field id="mig-file" label="…or upload a file">
            <input
              id="mig-file"
              type="file"
              accept=".yaml,.yml,.conf,.txt"
              className="text-sm"
              onChange={(e) => {
                const file = e.target.files?.[0];
                if (!file) return;
                void file.text().then((content) =>
                  setBody((b) => ({ ...b, content, format: file.name.endsWith('.conf') ? 'nginx-conf' : b.format, name: b.name || file.name.replace(/\.[^.]+$/, '') })),
                );
              }}
            />
          </Field>
          {importSource.error && <ErrorBox error={importSource.error} title="Import refused" />}
          <Button type="submit" variant="primary" disabled={importSource.isPending}>
            {importSource.isPending ? 'Analysing…' : 'Import and analyse'}
          </Button>
        </form>
      </Card>
      <div className="mt-4">
        <CoexistencePanel />
      </div>
    </section>
  );
}
