import { zodResolver } from '@hookform/resolvers/zod';
import { useFieldArray, useForm, type Control, type FieldErrors, type Path, type UseFormRegister, type UseFormWatch } from 'react-hook-form';
import { useScope } from '../../api/queries';
import { BuilderError, CreatedNotice, RefusalNotice, ReviewColumn, applyApiFieldErrors, draftManifest, useCreateFlow, useCreateRefusal } from '../../components/CreateReview';
import { PageHeader } from '../../components/PageHeader';
import { Button, Card, Field, inputClass } from '../../components/ui';
import { GRPC_FILTER_TYPES, GRPC_MATCH_TYPES, NEW_GRPC_FILTER, NEW_GRPC_MATCH, NEW_GRPC_RULE, grpcFormField, grpcRouteForm, toGrpcRoute, type GrpcRouteForm } from '../../forms/grpcRoute';
import { NEW_BACKEND } from '../../forms/routeParts';
import { BackendsEditor, ParentRefPicker } from './routeBuilderParts';

interface RuleProps {
  index: number;
  control: Control<GrpcRouteForm>;
  register: UseFormRegister<GrpcRouteForm>;
  watch: UseFormWatch<GrpcRouteForm>;
  errors: FieldErrors<GrpcRouteForm>;
  namespace: string;
  onRemove?: (() => void) | undefined;
}

function GrpcRuleEditor({ index: r, control, register, watch, errors, namespace, onRemove }: RuleProps) {
  const matches = useFieldArray({ control, name: `rules.${r}.matches` });
  const filters = useFieldArray({ control, name: `rules.${r}.filters` });
  const backends = useFieldArray({ control, name: `rules.${r}.backends` });
  const e = errors.rules?.[r];
  const filterTypes = watch(`rules.${r}.filters`) ?? [];
  const weights = (watch(`rules.${r}.backends`) ?? []).map((b) => Number(b.weight));
  return (
    <fieldset className="space-y-3 rounded-md border border-line p-3">
      <legend className="px-1 text-sm font-medium">Rule {r + 1}</legend>
      <div>
        <h3 className="mb-2 text-xs font-semibold text-fg-muted uppercase">Matches (gRPC service and method)</h3>
        {matches.fields.length === 0 && <p className="mb-2 text-xs text-fg-muted">No match: this rule takes every request.</p>}
        {matches.fields.map((m, i) => {
          const me = e?.matches?.[i];
          return (
            <div key={m.id} className="mb-2 grid grid-cols-2 items-end gap-2 md:grid-cols-5">
              <Field id={`g${r}m${i}t`} label="Match type">
                <select id={`g${r}m${i}t`} className={inputClass} {...register(`rules.${r}.matches.${i}.type`)}>
                  {GRPC_MATCH_TYPES.map((t) => <option key={t}>{t}</option>)}
                </select>
              </Field>
              <Field id={`g${r}m${i}s`} label="Service" error={me?.service?.message}>
                <input id={`g${r}m${i}s`} className={inputClass} placeholder="helloworld.Greeter" aria-invalid={!!me?.service} {...register(`rules.${r}.matches.${i}.service`)} />
              </Field>
              <Field id={`g${r}m${i}m`} label="Method" error={me?.method?.message}>
                <input id={`g${r}m${i}m`} className={inputClass} placeholder="SayHello" aria-invalid={!!me?.method} {...register(`rules.${r}.matches.${i}.method`)} />
              </Field>
              <Field id={`g${r}m${i}h`} label="Headers (Name: value)" error={me?.headers?.message}>
                <textarea id={`g${r}m${i}h`} rows={1} className={inputClass} aria-invalid={!!me?.headers} {...register(`rules.${r}.matches.${i}.headers`)} />
              </Field>
              <Button variant="ghost" className="text-xs" onClick={() => matches.remove(i)}>Remove match {i + 1}</Button>
            </div>
          );
        })}
        <Button className="text-xs" onClick={() => matches.append(NEW_GRPC_MATCH)}>Add match</Button>
      </div>
      <div>
        <h3 className="mb-2 text-xs font-semibold text-fg-muted uppercase">Filters</h3>
        {filters.fields.map((f, i) => {
          const fe = e?.filters?.[i];
          const type = filterTypes[i]?.type ?? 'RequestHeaderModifier';
          const headerType = type === 'RequestHeaderModifier' || type === 'ResponseHeaderModifier';
          return (
            <div key={f.id} className="mb-2 grid grid-cols-2 items-end gap-2 md:grid-cols-4">
              <Field id={`g${r}f${i}t`} label="Filter">
                <select id={`g${r}f${i}t`} className={inputClass} {...register(`rules.${r}.filters.${i}.type`)}>
                  {GRPC_FILTER_TYPES.map((t) => <option key={t} value={t}>{t === 'SnippetsFilter' || t === 'AuthenticationFilter' ? `ExtensionRef: ${t}` : t}</option>)}
                </select>
              </Field>
              {headerType ? (
                <>
                  <Field id={`g${r}f${i}h`} label="Set headers (Name: value)" error={fe?.headers?.message}>
                    <textarea id={`g${r}f${i}h`} rows={1} className={inputClass} aria-invalid={!!fe?.headers} {...register(`rules.${r}.filters.${i}.headers`)} />
                  </Field>
                  <Field id={`g${r}f${i}r`} label="Remove headers (comma-separated)">
                    <input id={`g${r}f${i}r`} className={inputClass} {...register(`rules.${r}.filters.${i}.remove`)} />
                  </Field>
                </>
              ) : (
                <Field id={`g${r}f${i}v`} label={type === 'RequestMirror' ? 'Mirror to service:port' : `${type} name`} error={fe?.value?.message}>
                  <input id={`g${r}f${i}v`} className={inputClass} aria-invalid={!!fe?.value} {...register(`rules.${r}.filters.${i}.value`)} />
                </Field>
              )}
              <Button variant="ghost" className="text-xs" onClick={() => filters.remove(i)}>Remove filter {i + 1}</Button>
            </div>
          );
        })}
        <Button className="text-xs" onClick={() => filters.append(NEW_GRPC_FILTER)} disabled={filters.fields.length >= 16}>Add filter</Button>
      </div>
      <BackendsEditor
        idPrefix={`g${r}b`}
        namespace={namespace}
        fields={backends.fields}
        weights={weights}
        register={(i, key) => register(`rules.${r}.backends.${i}.${key}`, { valueAsNumber: key !== 'name' })}
        error={(i, key) => e?.backends?.[i]?.[key]?.message}
        listError={e?.backends?.root?.message ?? e?.backends?.message}
        onAdd={() => backends.append(NEW_BACKEND)}
        onRemove={(i) => backends.remove(i)}
      />
      {onRemove && <Button variant="ghost" className="text-xs" onClick={onRemove}>Remove rule {r + 1}</Button>}
    </fieldset>
  );
}

/** `/routes/create/grpcroute`: GRPCRoute builder with live YAML, dry run, then create (spec §3.3.1). */
export function GrpcRouteBuilder() {
  const { namespace: scoped } = useScope();
  const form = useForm<GrpcRouteForm>({
    resolver: zodResolver(grpcRouteForm),
    defaultValues: { name: '', namespace: scoped ?? 'default', gateway: '', sectionName: '', hostnames: '', rules: [NEW_GRPC_RULE] },
    mode: 'onChange',
  });
  const { register, handleSubmit, control, watch, setError, formState: { errors } } = form;
  const rules = useFieldArray({ control, name: 'rules' });
  const flow = useCreateFlow('/grpcroutes', (err) => applyApiFieldErrors(err, grpcFormField, (name, message) => setError(name as Path<GrpcRouteForm>, { type: 'api', message })));
  const values = watch();
  const valid = grpcRouteForm.safeParse(values).success;
  const refusal = useCreateRefusal('GRPCRoute', values.namespace);
  const manifest = draftManifest(values, toGrpcRoute);

  if (flow.create.data) {
    return (
      <section>
        <PageHeader title="Create GRPCRoute" />
        <CreatedNotice kind="GRPCRoute" result={flow.create.data} back="/routes" backLabel="Back to routes" />
      </section>
    );
  }
  return (
    <section>
      <PageHeader title="Create GRPCRoute">gRPC service and method matches with weighted backends; a dry run on the API server before anything is created.</PageHeader>
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
        <form onSubmit={handleSubmit((v) => flow.review.mutate(toGrpcRoute(v)))} noValidate className="space-y-4" aria-label="GRPCRoute">
          <Card title="Route">
            <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
              <Field id="gr-name" label="Name" error={errors.name?.message}><input id="gr-name" className={inputClass} aria-invalid={!!errors.name} {...register('name')} /></Field>
              <Field id="gr-ns" label="Namespace" error={errors.namespace?.message}><input id="gr-ns" className={inputClass} aria-invalid={!!errors.namespace} {...register('namespace')} /></Field>
              <ParentRefPicker kind="GRPCRoute" idPrefix="gr" gateway={values.gateway} gatewayField={register('gateway')} sectionField={register('sectionName')} gatewayError={errors.gateway?.message} sectionError={errors.sectionName?.message} />
              <Field id="gr-hosts" label="Hostnames (optional)" error={errors.hostnames?.message}><input id="gr-hosts" className={inputClass} placeholder="grpc.example.com" aria-invalid={!!errors.hostnames} {...register('hostnames')} /></Field>
            </div>
          </Card>
          {rules.fields.map((f, i) => (
            <GrpcRuleEditor key={f.id} index={i} control={control} register={register} watch={watch} errors={errors} namespace={values.namespace} onRemove={rules.fields.length > 1 ? () => rules.remove(i) : undefined} />
          ))}
          <RefusalNotice refusal={refusal} />
          <div className="flex gap-2">
            <Button onClick={() => rules.append(NEW_GRPC_RULE)} disabled={rules.fields.length >= 16}>Add rule</Button>
            <Button type="submit" variant="primary" className="ml-auto" disabled={flow.review.isPending || refusal !== null}>{flow.review.isPending ? 'Checking…' : 'Review (dry run)'}</Button>
          </div>
          {(flow.review.error || flow.create.error) && <BuilderError error={flow.create.error ?? flow.review.error} kind="GRPCRoute" crd="grpcroutes.gateway.networking.k8s.io" since="Gateway API 1.1" />}
        </form>
        <ReviewColumn valid={valid} kind="GRPCRoute" manifest={manifest} flow={flow} />
      </div>
    </section>
  );
}
