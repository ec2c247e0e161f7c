import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation } from '@tanstack/react-query';
import { useFieldArray, useForm, type Control, type FieldErrors, type UseFormRegister, type UseFormWatch } from 'react-hook-form';
import { Link } from 'react-router';
import { stringify } from 'yaml';
import { apiPost, clusterPath } from '../../api/client';
import { useAllGateways } from '../../api/queries';
import type { WriteResult } from '../../api/types';
import { PageHeader } from '../../components/PageHeader';
import { Button, Card, CodeBlock, ErrorBox, Field, inputClass } from '../../components/ui';
import { FILTER_TYPES, METHODS, NEW_BACKEND, NEW_FILTER, NEW_MATCH, PATH_TYPES, httpRouteForm, shares, toHttpRoute, type HttpRouteForm } from '../../forms/httpRoute';

interface RuleProps {
  index: number;
  control: Control<HttpRouteForm>;
  register: UseFormRegister<HttpRouteForm>;
  watch: UseFormWatch<HttpRouteForm>;
  errors: FieldErrors<HttpRouteForm>;
  onRemove?: (() => void) | undefined;
}

function RuleEditor({ index: r, control, register, watch, errors, onRemove }: RuleProps) {
  const matches = useFieldArray({ control, name: `rules.${r}.matches` });
  const filters = useFieldArray({ control, name: `rules.${r}.filters` });
  const backends = useFieldArray({ control, name: `rules.${r}.backends` });
  const rule = watch(`rules.${r}`);
  const e = errors.rules?.[r];
  const pct = shares((rule?.backends ?? []).map((b) => Number(b.weight)));
  return (
    <fieldset className="space-y-3 rounded-md border border-line p-3">
      <legend className="px-1 text-sm font-medium">Rule {r + 1}</legend>
      <div>
        <h3 className="mb-2 text-xs font-semibold text-fg-muted uppercase">Matches</h3>
        {matches.fields.map((m, i) => (
          <div key={m.id} className="mb-2 grid grid-cols-2 gap-2 md:grid-cols-5">
            <Field id={`r${r}m${i}t`} label="Path type"><select id={`r${r}m${i}t`} className={inputClass} {...register(`rules.${r}.matches.${i}.pathType`)}>{PATH_TYPES.map((t) => <option key={t}>{t}</option>)}</select></Field>
            <Field id={`r${r}m${i}p`} label="Path" error={e?.matches?.[i]?.path?.message}><input id={`r${r}m${i}p`} className={inputClass} {...register(`rules.${r}.matches.${i}.path`)} /></Field>
            <Field id={`r${r}m${i}m`} label="Method"><select id={`r${r}m${i}m`} className={inputClass} {...register(`rules.${r}.matches.${i}.method`)}>{METHODS.map((t) => <option key={t} value={t}>{t || 'Any'}</option>)}</select></Field>
            <Field id={`r${r}m${i}h`} label="Headers (Name: value)" error={e?.matches?.[i]?.headers?.message}><textarea id={`r${r}m${i}h`} rows={1} className={inputClass} {...register(`rules.${r}.matches.${i}.headers`)} /></Field>
            <Field id={`r${r}m${i}q`} label="Query (name: value)" error={e?.matches?.[i]?.query?.message}><textarea id={`r${r}m${i}q`} rows={1} className={inputClass} {...register(`rules.${r}.matches.${i}.query`)} /></Field>
            <Button variant="ghost" className="text-xs" onClick={() => matches.remove(i)}>Remove match {i + 1}</Button>
          </div>
        ))}
        <Button className="text-xs" onClick={() => matches.append(NEW_MATCH)}>Add match</Button>
      </div>
      <div>
        <h3 className="mb-2 text-xs font-semibold text-fg-muted uppercase">Filters</h3>
        {filters.fields.map((f, i) => {
          const type = rule?.filters?.[i]?.type;
          const headerType = type === 'RequestHeaderModifier' || type === 'ResponseHeaderModifier';
          return (
            <div key={f.id} className="mb-2 grid grid-cols-2 gap-2 md:grid-cols-4">
              <Field id={`r${r}f${i}t`} label="Filter"><select id={`r${r}f${i}t`} className={inputClass} {...register(`rules.${r}.filters.${i}.type`)}>{FILTER_TYPES.map((t) => <option key={t}>{t}</option>)}</select></Field>
              {headerType ? (
                <>
                  <Field id={`r${r}f${i}h`} label="Set headers (Name: value)" error={e?.filters?.[i]?.headers?.message}><textarea id={`r${r}f${i}h`} rows={1} className={inputClass} {...register(`rules.${r}.filters.${i}.headers`)} /></Field>
                  <Field id={`r${r}f${i}r`} label="Remove headers (comma-separated)"><input id={`r${r}f${i}r`} className={inputClass} {...register(`rules.${r}.filters.${i}.remove`)} /></Field>
                </>
              ) : (
                <Field id={`r${r}f${i}v`} label={{ URLRewrite: 'Rewrite path prefix to', RequestRedirect: 'Redirect to hostname', RequestMirror: 'Mirror to service:port', ExtensionRef: 'SnippetsFilter name' }[type ?? 'URLRewrite'] ?? 'Value'} error={e?.filters?.[i]?.value?.message}>
                  <input id={`r${r}f${i}v`} className={inputClass} {...register(`rules.${r}.filters.${i}.value`)} />
                </Field>
              )}
              {type === 'RequestRedirect' && <Field id={`r${r}f${i}s`} label="Status"><select id={`r${r}f${i}s`} className={inputClass} {...register(`rules.${r}.filters.${i}.statusCode`)}><option>301</option><option>302</option></select></Field>}
              <Button variant="ghost" className="text-xs" onClick={() => filters.remove(i)}>Remove filter {i + 1}</Button>
            </div>
          );
        })}
        <Button className="text-xs" onClick={() => filters.append(NEW_FILTER)}>Add filter</Button>
      </div>
      <div>
        <h3 className="mb-2 text-xs font-semibold text-fg-muted uppercase">Backends</h3>
        {e?.backends?.root?.message && <p className="text-xs text-status-error">{e.backends.root.message}</p>}
        {backends.fields.map((b, i) => (
          <div key={b.id} className="mb-2 grid grid-cols-2 items-end gap-2 md:grid-cols-4">
            <Field id={`r${r}b${i}n`} label="Service" error={e?.backends?.[i]?.name?.message}><input id={`r${r}b${i}n`} className={inputClass} {...register(`rules.${r}.backends.${i}.name`)} /></Field>
            <Field id={`r${r}b${i}p`} label="Port" error={e?.backends?.[i]?.port?.message}><input id={`r${r}b${i}p`} type="number" className={inputClass} {...register(`rules.${r}.backends.${i}.port`, { valueAsNumber: true })} /></Field>
            <Field id={`r${r}b${i}w`} label={`Weight ${rule?.backends?.[i]?.weight ?? 0} → ${pct[i] ?? 0}% of traffic`}>
              <input id={`r${r}b${i}w`} type="range" min={0} max={100} className="w-full accent-accent" {...register(`rules.${r}.backends.${i}.weight`, { valueAsNumber: true })} />
            </Field>
            <Button variant="ghost" className="text-xs" onClick={() => backends.remove(i)}>Remove backend {i + 1}</Button>
          </div>
        ))}
        <Button className="text-xs" onClick={() => backends.append(NEW_BACKEND)}>Add backend</Button>
      </div>
      {onRemove && <Button variant="ghost" className="text-xs" onClick={onRemove}>Remove rule {r + 1}</Button>}
    </fieldset>
  );
}

const INITIAL: HttpRouteForm = { name: '', namespace: 'default', gateway: '', sectionName: '', hostnames: '', rules: [{ matches: [NEW_MATCH], filters: [], backends: [NEW_BACKEND] }] };

export function HttpRouteBuilder() {
  const gateways = useAllGateways();
  const { register, handleSubmit, control, watch, formState: { errors } } = useForm<HttpRouteForm>({ resolver: zodResolver(httpRouteForm), defaultValues: INITIAL, mode: 'onChange' });
  const rules = useFieldArray({ control, name: 'rules' });
  const create = useMutation<WriteResult, Error, HttpRouteForm>({ mutationFn: (v) => apiPost<WriteResult>(clusterPath('/httproutes'), toHttpRoute(v)) });
  const values = watch();
  let yamlText: string;
  try {
    yamlText = stringify(toHttpRoute(values as HttpRouteForm));
  } catch {
    yamlText = '# fill in the form';
  }
  return (
    <section>
      <PageHeader title="Create HTTPRoute">Matches, filters and weighted backends, with the YAML as you type.</PageHeader>
      {create.data ? (
        <div role="status" className="rounded-lg border border-status-healthy/50 bg-status-healthy/10 p-4 text-sm">
          Created HTTPRoute {values.namespace}/{values.name}. <Link to="/routes" className="underline">Back to routes</Link>
        </div>
      ) : (
        <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
          <form onSubmit={handleSubmit((v) => create.mutate(v))} noValidate className="space-y-4">
            <Card title="Route">
              <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
                <Field id="hr-name" label="Name" error={errors.name?.message}><input id="hr-name" className={inputClass} {...register('name')} /></Field>
                <Field id="hr-ns" label="Namespace" error={errors.namespace?.message}><input id="hr-ns" className={inputClass} {...register('namespace')} /></Field>
                <Field id="hr-gw" label="Gateway" error={errors.gateway?.message}>
                  <select id="hr-gw" className={inputClass} {...register('gateway')}>
                    <option value="">Choose…</option>
                    {(gateways.data?.items ?? []).map((g) => <option key={`${g.namespace}/${g.name}`} value={`${g.namespace}/${g.name}`}>{g.namespace}/{g.name}</option>)}
                  </select>
                </Field>
                <Field id="hr-section" label="Listener (optional)"><input id="hr-section" className={inputClass} {...register('sectionName')} /></Field>
                <Field id="hr-hosts" label="Hostnames" error={errors.hostnames?.message}><input id="hr-hosts" className={inputClass} placeholder="api.example.com" {...register('hostnames')} /></Field>
              </div>
            </Card>
            {rules.fields.map((f, i) => (
              <RuleEditor key={f.id} index={i} control={control} register={register} watch={watch} errors={errors} onRemove={rules.fields.length > 1 ? () => rules.remove(i) : undefined} />
            ))}
            <div className="flex gap-2">
              <Button onClick={() => rules.append({ matches: [NEW_MATCH], filters: [], backends: [NEW_BACKEND] })}>Add rule</Button>
              <Button type="submit" variant="primary" className="ml-auto" disabled={create.isPending}>Create HTTPRoute</Button>
            </div>
            {create.error && <ErrorBox error={create.error} />}
          </form>
          <div className="xl:sticky xl:top-0 xl:self-start">
            <Card title="YAML">
              <CodeBlock text={yamlText} label="HTTPRoute YAML" maxHeight="max-h-[70vh]" />
            </Card>
          </div>
        </div>
      )}
    </section>
  );
}
