import { zodResolver } from '@hookform/resolvers/zod';
import { useFieldArray, useForm, type Path } from 'react-hook-form';
import { useScope } from '../../api/queries';
import { BuilderError, CreatedNotice, RefusalNotice, ReviewColumn, applyApiFieldErrors, draftManifest, useCreateFlow, useCreateRefusal } from '../../components/CreateReview';
import { PageHeader } from '../../components/PageHeader';
import { Button, Card, Field, inputClass } from '../../components/ui';
import { L4_PATHS, hasHostnames, initialL4Form, l4FormField, l4RouteForm, toL4Route, type L4Kind, type L4RouteForm } from '../../forms/l4Route';
import { NEW_BACKEND } from '../../forms/routeParts';
import { BackendsEditor, ParentRefPicker } from './routeBuilderParts';

const SUMMARY: Record<L4Kind, string> = {
  TLSRoute: 'TLS passthrough by SNI hostname: NGINX forwards the encrypted stream to the backends without terminating it.',
  TCPRoute: 'A TCP listener’s connections to weighted backends.',
  UDPRoute: 'A UDP listener’s datagrams to weighted backends.',
};

/**
 * `/routes/create/tlsroute|tcproute|udproute`: one builder for the L4 route kinds (spec
 * §3.3.1). Mount it with a `key` per kind so that switching kind starts a fresh form.
 */
export function L4RouteBuilder({ kind }: { kind: L4Kind }) {
  const { namespace: scoped } = useScope();
  const { register, handleSubmit, control, watch, setError, formState: { errors } } = useForm<L4RouteForm>({
    resolver: zodResolver(l4RouteForm),
    defaultValues: initialL4Form(kind, scoped ?? 'default'),
    mode: 'onChange',
  });
  const backends = useFieldArray({ control, name: 'backends' });
  const flow = useCreateFlow(`/${L4_PATHS[kind]}`, (err) => applyApiFieldErrors(err, l4FormField, (name, message) => setError(name as Path<L4RouteForm>, { type: 'api', message })));
  const values = watch();
  const valid = l4RouteForm.safeParse(values).success;
  const refusal = useCreateRefusal(kind, values.namespace);
  const manifest = draftManifest(values, toL4Route);
  const title = `Create ${kind}`;

  if (flow.create.data) {
    return (
      <section>
        <PageHeader title={title} />
        <CreatedNotice kind={kind} result={flow.create.data} back="/routes" backLabel="Back to routes" />
      </section>
    );
  }
  return (
    <section>
      <PageHeader title={title}>{SUMMARY[kind]}</PageHeader>
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
        <form onSubmit={handleSubmit((v) => flow.review.mutate(toL4Route(v)))} noValidate className="space-y-4" aria-label={kind}>
          <Card title="Route">
            <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
              <Field id="l4-name" label="Name" error={errors.name?.message}><input id="l4-name" className={inputClass} aria-invalid={!!errors.name} {...register('name')} /></Field>
              <Field id="l4-ns" label="Namespace" error={errors.namespace?.message}><input id="l4-ns" className={inputClass} aria-invalid={!!errors.namespace} {...register('namespace')} /></Field>
              <ParentRefPicker kind={kind} idPrefix="l4" gateway={values.gateway} gatewayField={register('gateway')} sectionField={register('sectionName')} gatewayError={errors.gateway?.message} sectionError={errors.sectionName?.message} />
              {hasHostnames(kind) && (
                <Field id="l4-hosts" label="SNI hostnames" error={errors.hostnames?.message} hint="Comma-separated; *.example.com matches one label.">
                  <input id="l4-hosts" className={inputClass} placeholder="db.example.com" aria-invalid={!!errors.hostnames} {...register('hostnames')} />
                </Field>
              )}
            </div>
          </Card>
          <Card title="Rule">
            <BackendsEditor
              idPrefix="l4b"
              namespace={values.namespace}
              fields={backends.fields}
              weights={(values.backends ?? []).map((b) => Number(b.weight))}
              register={(i, key) => register(`backends.${i}.${key}`, { valueAsNumber: key !== 'name' })}
              error={(i, key) => errors.backends?.[i]?.[key]?.message}
              listError={errors.backends?.root?.message ?? errors.backends?.message}
              onAdd={() => backends.append(NEW_BACKEND)}
              onRemove={(i) => backends.remove(i)}
            />
          </Card>
          <RefusalNotice refusal={refusal} />
          <div className="flex gap-2">
            <Button type="submit" variant="primary" className="ml-auto" disabled={flow.review.isPending || refusal !== null}>{flow.review.isPending ? 'Checking…' : 'Review (dry run)'}</Button>
          </div>
          {(flow.review.error || flow.create.error) && <BuilderError error={flow.create.error ?? flow.review.error} kind={kind} crd={`${L4_PATHS[kind]}.gateway.networking.k8s.io`} since="the Gateway API experimental channel" />}
        </form>
        <ReviewColumn valid={valid} kind={kind} manifest={manifest} flow={flow} />
      </div>
    </section>
  );
}
