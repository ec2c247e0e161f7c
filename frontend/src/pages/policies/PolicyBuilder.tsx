import { zodResolver } from '@hookform/resolvers/zod';
import { useForm, type Path, type Resolver } from 'react-hook-form';
import { useParams, useSearchParams } from 'react-router';
import { usePolicyServed } from '../../api/builderQueries';
import { useEdition, useScope } from '../../api/queries';
import { BuilderError, CreatedNotice, RefusalNotice, ReviewColumn, applyApiFieldErrors, draftManifest, useCreateFlow, useCreateRefusal } from '../../components/CreateReview';
import { EnterpriseGate } from '../../components/Enterprise';
import { LinkButton } from '../../components/LinkButton';
import { PageHeader } from '../../components/PageHeader';
import { Button, Card, Field, inputClass } from '../../components/ui';
import { POLICY_KINDS, emptyPolicyForm, isPolicyType, policyForm, policyFormField, toPolicy, type PolicyForm, type PolicyKindInfo, type PolicyType } from '../../forms/policies';
import { templateById } from '../../forms/policyTemplates';
import { SETTINGS, TargetsCard } from './policySections';

/** Shown before the form when the cluster lacks the kind's CRD: creating would fail. */
function NotInstalled({ info }: { info: PolicyKindInfo }) {
  return (
    <div role="alert" className="mb-4 rounded-lg border border-status-warning/50 bg-status-warning/10 p-4 text-sm">
      <p className="font-semibold">{info.kind} is not installed in this cluster</p>
      <p className="mt-1 text-fg-muted">
        The CRD {info.crd} is missing (it comes with {info.since}). You can fill in the form and copy the YAML; the dry run and create will be refused until it is installed.
      </p>
    </div>
  );
}

function PolicyEditor({ type, initial }: { type: PolicyType; initial: PolicyForm }) {
  const info: PolicyKindInfo = POLICY_KINDS[type];
  const served = usePolicyServed(type);
  // One schema for every kind; `type` selects which settings it checks.
  const { register, handleSubmit, control, watch, setError, formState: { errors } } = useForm<PolicyForm>({
    resolver: zodResolver(policyForm) as Resolver<PolicyForm>,
    defaultValues: initial,
    mode: 'onChange',
  });
  const flow = useCreateFlow(`/policies/${type}`, (err) => applyApiFieldErrors(err, (f) => policyFormField(type, f), (name, message) => setError(name as Path<PolicyForm>, { type: 'api', message })));
  const values = watch();
  const valid = policyForm.safeParse(values).success;
  const refusal = useCreateRefusal(info.kind, values.namespace);
  const manifest = draftManifest(values, toPolicy);
  const Settings = SETTINGS[type];
  const props = { register, errors, control, values };

  if (flow.create.data) {
    return <CreatedNotice kind={info.kind} result={flow.create.data} back="/policies" backLabel="Back to policies" />;
  }
  return (
    <>
      {served === 'missing' && <NotInstalled info={info} />}
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
        <form onSubmit={handleSubmit((v) => flow.review.mutate(toPolicy(v)))} noValidate className="space-y-4" aria-label={info.kind}>
          <Card title={info.kind}>
            <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
              <Field id="p-name" label="Name" error={errors.name?.message}><input id="p-name" className={inputClass} aria-invalid={!!errors.name} {...register('name')} /></Field>
              <Field id="p-namespace" label="Namespace" error={errors.namespace?.message}><input id="p-namespace" className={inputClass} aria-invalid={!!errors.namespace} {...register('namespace')} /></Field>
            </div>
          </Card>
          <TargetsCard type={type} props={props} />
          <Settings {...props} />
          <RefusalNotice refusal={refusal} />
          <div className="flex gap-2">
            <Button type="submit" variant="primary" className="ml-auto" disabled={flow.review.isPending || refusal !== null}>{flow.review.isPending ? 'Checking…' : 'Review (dry run)'}</Button>
          </div>
          {(flow.review.error || flow.create.error) && <BuilderError error={flow.create.error ?? flow.review.error} kind={info.kind} crd={info.crd} since={info.since} />}
        </form>
        <ReviewColumn valid={valid} kind={info.kind} manifest={manifest} flow={flow} />
      </div>
    </>
  );
}

/**
 * `/policies/create/:type[?template=id]`: the form builder of one policy kind (spec §3.5.2),
 * pre-filled from a gallery template, with the target picker, live YAML, dry run, create.
 * Enterprise-only kinds are greyed on OSS and their form (and its API calls) never mounts.
 */
export function PolicyBuilder() {
  const { type } = useParams();
  const [search] = useSearchParams();
  const { namespace: scoped } = useScope();
  const edition = useEdition();
  if (!isPolicyType(type)) {
    return (
      <section>
        <PageHeader title="Create policy" />
        <p role="alert" className="text-sm">No builder for the policy type “{type}”. <LinkButton to="/policies/create">Back to the gallery</LinkButton></p>
      </section>
    );
  }
  const info: PolicyKindInfo = POLICY_KINDS[type];
  const template = templateById(search.get('template'));
  const namespace = scoped ?? 'default';
  const initial = template?.type === type && template.form ? template.form(namespace) : emptyPolicyForm(type, namespace);
  const form = <PolicyEditor key={`${type}/${template?.id ?? ''}`} type={type} initial={initial} />;
  return (
    <section>
      <PageHeader title={`Create ${info.kind}`} actions={<LinkButton to="/policies/create">All templates</LinkButton>}>
        {template ? `Template: ${template.title}. ` : ''}Form with live YAML; a dry run on the API server before anything is created.
      </PageHeader>
      {info.enterprise && edition !== 'enterprise' ? <EnterpriseGate feature={`${info.kind} builder`}>{form}</EnterpriseGate> : form}
    </section>
  );
}
