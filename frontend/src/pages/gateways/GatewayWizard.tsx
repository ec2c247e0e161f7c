import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useFieldArray, useForm } from 'react-hook-form';
import { useAllGateways, useEdition, useGatewayClasses, useNamespaces } from '../../api/queries';
import { DryRunReview } from '../../components/DryRunReview';
import { EnterpriseBadge, EnterpriseGate } from '../../components/Enterprise';
import { PageHeader } from '../../components/PageHeader';
import { StepActions, Stepper } from '../../components/Wizard';
import { Button, Card, Field, HealthBadge, Table, Td, inputClass } from '../../components/ui';
import { GatewayEditReview } from './GatewayEditReview';
import {
  DEFAULT_LISTENER,
  PROTOCOLS,
  VIOLATION_LABELS,
  advancedStep,
  classStep,
  fromBundle,
  gatewayStep,
  toGatewayBundle,
  wafStep,
  type AdvancedStep,
  type AdvancedStepInput,
  type ClassStep,
  type GatewayStep,
  type GatewayStepInput,
  type WafStep,
} from '../../forms/gatewayBundle';

export const GATEWAY_STEPS = ['Gateway class', 'Gateway & listeners', 'WAF policy', 'Advanced', 'Review & deploy'] as const;
const EDIT_STEPS = ['Gateway class', 'Gateway & listeners', 'WAF policy', 'Advanced', 'Review & save'] as const;

interface StepProps<T> {
  initial: T;
  onNext: (values: T) => void;
  onBack?: () => void;
}

export function ClassStepForm({ initial, onNext }: StepProps<ClassStep>) {
  const classes = useGatewayClasses();
  const { register, handleSubmit, formState: { errors } } = useForm<ClassStep>({ resolver: zodResolver(classStep), defaultValues: initial });
  const items = classes.data?.items ?? [];
  return (
    <form onSubmit={handleSubmit(onNext)} noValidate>
      <Card title="Choose a GatewayClass">
        {items.length > 0 ? (
          <Table caption="GatewayClasses" head={['', 'Class', 'Controller', 'Parameters', 'Accepted', 'Gateways']}>
            {items.map((c) => (
              <tr key={c.name}>
                <Td>
                  <input type="radio" value={c.name} id={`class-${c.name}`} aria-label={c.name} {...register('gatewayClassName')} />
                </Td>
                <Td><label htmlFor={`class-${c.name}`} className="font-medium">{c.name}</label>{c.description && <p className="text-xs text-fg-muted">{c.description}</p>}</Td>
                <Td className="font-mono text-xs">{c.controller_name}</Td>
                <Td>{c.parameters_ref ? `${c.parameters_ref.kind} ${c.parameters_ref.name}` : '—'}</Td>
                <Td><HealthBadge health={c.health} /></Td>
                <Td>{c.gateway_count}</Td>
              </tr>
            ))}
          </Table>
        ) : (
          <Field id="gatewayClassName" label="GatewayClass name" error={errors.gatewayClassName?.message} hint="The cluster lists no GatewayClass yet; NGF installs one named nginx.">
            <input id="gatewayClassName" className={inputClass} aria-invalid={!!errors.gatewayClassName} {...register('gatewayClassName')} />
          </Field>
        )}
        {items.length > 0 && errors.gatewayClassName && <p className="mt-2 text-xs text-status-error">{errors.gatewayClassName.message}</p>}
      </Card>
      <StepActions />
    </form>
  );
}

export function GatewayStepForm({ initial, onNext, onBack, fixedIdentity = false }: { initial: GatewayStepInput; onNext: (v: GatewayStep) => void; onBack?: () => void; fixedIdentity?: boolean }) {
  const namespaces = useNamespaces();
  const others = useAllGateways();
  const { register, handleSubmit, control, watch, formState: { errors } } = useForm<GatewayStepInput, unknown, GatewayStep>({
    resolver: zodResolver(gatewayStep),
    defaultValues: initial,
    mode: 'onChange',
  });
  const { fields, append, remove } = useFieldArray({ control, name: 'listeners' });
  const listeners = watch('listeners');
  const allowed = watch('allowedRoutes');
  const name = watch('name');
  const namespace = watch('namespace');

  // Ports other Gateways of the cluster already listen on (real-time conflict warning).
  const usedPorts = new Map<number, string>();
  for (const g of others.data?.items ?? []) {
    if (g.namespace === namespace && g.name === name) continue;
    for (const l of g.listeners) if (l.port) usedPorts.set(l.port, `${g.namespace}/${g.name}`);
  }

  return (
    <form onSubmit={handleSubmit(onNext)} noValidate className="space-y-4">
      <Card title="Gateway">
        <div className="grid grid-cols-1 gap-4 md:grid-cols-3">
          <Field id="gw-name" label="Name" error={errors.name?.message} hint={fixedIdentity ? 'Fixed when editing (another name is another gateway)' : undefined}>
            <input id="gw-name" className={`${inputClass} ${fixedIdentity ? 'cursor-not-allowed opacity-70' : ''}`} aria-invalid={!!errors.name} readOnly={fixedIdentity} {...register('name')} />
          </Field>
          <Field id="gw-namespace" label="Namespace" error={errors.namespace?.message} hint={fixedIdentity ? 'Fixed when editing' : undefined}>
            <input id="gw-namespace" list="namespace-options" className={`${inputClass} ${fixedIdentity ? 'cursor-not-allowed opacity-70' : ''}`} aria-invalid={!!errors.namespace} readOnly={fixedIdentity} {...register('namespace')} />
            <datalist id="namespace-options">
              {(namespaces.data?.items ?? []).map((n) => <option key={n.metadata.name} value={n.metadata.name} />)}
            </datalist>
          </Field>
          <Field id="gw-labels" label="Labels" error={errors.labels?.message} hint="key=value, comma-separated">
            <input id="gw-labels" className={inputClass} aria-invalid={!!errors.labels} {...register('labels')} />
          </Field>
          <Field id="gw-allowed" label="Routes may attach from">
            <select id="gw-allowed" className={inputClass} {...register('allowedRoutes')}>
              <option value="Same">The same namespace</option>
              <option value="All">All namespaces</option>
              <option value="Selector">Namespaces with labels</option>
            </select>
          </Field>
          {allowed === 'Selector' && (
            <Field id="gw-selector" label="Namespace labels" error={errors.routeNamespaceSelector?.message}>
              <input id="gw-selector" className={inputClass} aria-invalid={!!errors.routeNamespaceSelector} {...register('routeNamespaceSelector')} />
            </Field>
          )}
          <Field id="gw-replicas" label="Data plane replicas (optional)" error={errors.replicas?.message}>
            <input id="gw-replicas" type="number" className={inputClass} {...register('replicas', { valueAsNumber: true })} />
          </Field>
        </div>
      </Card>
      <Card title="Listeners" actions={<Button onClick={() => append({ ...DEFAULT_LISTENER, name: `listener-${fields.length + 1}`, port: 8080 + fields.length })}>Add listener</Button>}>
        {errors.listeners?.root?.message && <p className="mb-2 text-xs text-status-error">{errors.listeners.root.message}</p>}
        <div className="space-y-3">
          {fields.map((field, i) => {
            const l = listeners?.[i];
            const e = errors.listeners?.[i];
            const takesTls = l?.protocol === 'HTTPS' || l?.protocol === 'TLS';
            const takesHost = l?.protocol !== 'TCP' && l?.protocol !== 'UDP';
            const conflict = l?.port ? usedPorts.get(Number(l.port)) : undefined;
            return (
              <fieldset key={field.id} className="rounded-md border border-line p-3">
                <legend className="px-1 text-xs text-fg-muted">Listener {i + 1}</legend>
                <div className="grid grid-cols-2 gap-3 md:grid-cols-6">
                  <Field id={`l-${i}-name`} label="Listener name" error={e?.name?.message}>
                    <input id={`l-${i}-name`} className={inputClass} aria-invalid={!!e?.name} {...register(`listeners.${i}.name`)} />
                  </Field>
                  <Field id={`l-${i}-protocol`} label="Protocol">
                    <select id={`l-${i}-protocol`} className={inputClass} {...register(`listeners.${i}.protocol`)}>
                      {PROTOCOLS.map((p) => <option key={p}>{p}</option>)}
                    </select>
                  </Field>
                  <Field id={`l-${i}-port`} label="Port" error={e?.port?.message} hint={conflict ? `Also used by Gateway ${conflict}` : undefined}>
                    <input id={`l-${i}-port`} type="number" className={inputClass} aria-invalid={!!e?.port} {...register(`listeners.${i}.port`, { valueAsNumber: true })} />
                  </Field>
                  {takesHost && (
                    <Field id={`l-${i}-hostname`} label="Hostname" error={e?.hostname?.message}>
                      <input id={`l-${i}-hostname`} placeholder="*.example.com" className={inputClass} aria-invalid={!!e?.hostname} {...register(`listeners.${i}.hostname`)} />
                    </Field>
                  )}
                  {l?.protocol === 'TLS' && (
                    <Field id={`l-${i}-tls`} label="TLS mode" error={e?.tlsMode?.message}>
                      <select id={`l-${i}-tls`} className={inputClass} {...register(`listeners.${i}.tlsMode`)}>
                        <option>Terminate</option>
                        <option>Passthrough</option>
                      </select>
                    </Field>
                  )}
                  {takesTls && (l?.protocol === 'HTTPS' || l?.tlsMode === 'Terminate') && (
                    <Field id={`l-${i}-cert`} label="TLS Secret" error={e?.certificateRef?.message} hint={l?.inlineCert ? 'Empty: the inline certificate of this listener is kept' : undefined}>
                      <input id={`l-${i}-cert`} className={inputClass} aria-invalid={!!e?.certificateRef} {...register(`listeners.${i}.certificateRef`)} />
                    </Field>
                  )}
                </div>
                {fields.length > 1 && (
                  <Button variant="ghost" className="mt-2 text-xs" onClick={() => remove(i)}>
                    Remove listener {i + 1}
                  </Button>
                )}
              </fieldset>
            );
          })}
        </div>
      </Card>
      <StepActions onBack={onBack} />
    </form>
  );
}

export function WafStepForm({ initial, onNext, onBack }: StepProps<WafStep>) {
  const { register, handleSubmit, watch, formState: { errors } } = useForm<WafStep>({ resolver: zodResolver(wafStep), defaultValues: initial });
  const threshold = watch('violationRatingThreshold');
  return (
    <form onSubmit={handleSubmit(onNext)} noValidate>
      <Card title={<span className="flex items-center gap-2">App Protect WAF <EnterpriseBadge /></span>}>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" {...register('enabled')} /> Protect this gateway with a WAF policy
        </label>
        <div className="mt-4 grid grid-cols-1 gap-4 md:grid-cols-2">
          <Field id="waf-policy" label="Existing APPolicy (empty: inline policy)" error={errors.policyRef?.message}>
            <input id="waf-policy" className={inputClass} {...register('policyRef')} />
          </Field>
          <Field id="waf-mode" label="Mode">
            <select id="waf-mode" className={inputClass} {...register('mode')}>
              <option value="enforce">Enforce (block)</option>
              <option value="log-only">Log only</option>
            </select>
          </Field>
          <Field id="waf-threshold" label={`Violation rating threshold: ${threshold}`} hint={VIOLATION_LABELS[Number(threshold)]}>
            <input id="waf-threshold" type="range" min={1} max={5} className="w-full accent-accent" {...register('violationRatingThreshold', { valueAsNumber: true })} />
          </Field>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" {...register('botDefense')} /> Bot defense
          </label>
        </div>
      </Card>
      <StepActions onBack={onBack} />
    </form>
  );
}

export function AdvancedStepForm({ initial, onNext, onBack }: { initial: AdvancedStepInput; onNext: (v: AdvancedStep) => void; onBack?: () => void }) {
  const { register, handleSubmit, control, formState: { errors } } = useForm<AdvancedStepInput, unknown, AdvancedStep>({ resolver: zodResolver(advancedStep), defaultValues: initial });
  const { fields, append, remove } = useFieldArray({ control, name: 'snippets' });
  return (
    <form onSubmit={handleSubmit(onNext)} noValidate className="space-y-4">
      <Card title={<span className="flex items-center gap-2">NginxProxy <EnterpriseBadge /></span>}>
        <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
          <Field id="np-wp" label="Worker processes" error={errors.workerProcesses?.message}>
            <input id="np-wp" type="number" className={inputClass} {...register('workerProcesses', { valueAsNumber: true })} />
          </Field>
          <Field id="np-wc" label="Worker connections" error={errors.workerConnections?.message}>
            <input id="np-wc" type="number" className={inputClass} {...register('workerConnections', { valueAsNumber: true })} />
          </Field>
        </div>
      </Card>
      <Card title={<span className="flex items-center gap-2">Snippets <EnterpriseBadge /></span>} actions={<Button onClick={() => append({ context: 'http', content: '' })}>Add snippet</Button>}>
        {fields.map((f, i) => (
          <fieldset key={f.id} className="mb-3 rounded-md border border-line p-3">
            <legend className="px-1 text-xs text-fg-muted">Snippet {i + 1}</legend>
            <Field id={`sn-${i}-ctx`} label="Context">
              <select id={`sn-${i}-ctx`} className={inputClass} {...register(`snippets.${i}.context`)}>
                <option value="http">http</option>
                <option value="server">server</option>
                <option value="location">location</option>
              </select>
            </Field>
            <Field id={`sn-${i}-content`} label="NGINX configuration" error={errors.snippets?.[i]?.content?.message}>
              <textarea id={`sn-${i}-content`} rows={4} className={`${inputClass} font-mono`} {...register(`snippets.${i}.content`)} />
            </Field>
            <Button variant="ghost" className="mt-2 text-xs" onClick={() => remove(i)}>Remove snippet {i + 1}</Button>
          </fieldset>
        ))}
      </Card>
      <StepActions onBack={onBack} />
    </form>
  );
}

/** An enterprise step on OSS: greyed, with the tooltip and trial link, and a way on. */
function GatedStep({ feature, onNext, onBack }: { feature: string; onNext: () => void; onBack: () => void }) {
  return (
    <form onSubmit={(e) => { e.preventDefault(); onNext(); }}>
      <EnterpriseGate feature={feature}>{null}</EnterpriseGate>
      <StepActions onBack={onBack} next="Skip" />
    </form>
  );
}

const INITIAL_GATEWAY: GatewayStepInput = { name: '', namespace: 'default', labels: '', allowedRoutes: 'Same', routeNamespaceSelector: '', replicas: undefined, listeners: [DEFAULT_LISTENER] };
const INITIAL_WAF: WafStep = { enabled: true, policyRef: '', violationRatingThreshold: 3, mode: 'enforce', botDefense: false };
const INITIAL_ADVANCED: AdvancedStepInput = { workerProcesses: undefined, workerConnections: undefined, snippets: [] };

/** The create wizard, or (given `existing`, a GatewayBundle) the same steps pre-filled to edit it. */
export function GatewayWizard({ existing }: { existing?: Record<string, unknown> } = {}) {
  const edition = useEdition();
  const enterprise = edition === 'enterprise';
  const [prefill] = useState(() => (existing ? fromBundle(existing) : null));
  const [step, setStep] = useState(0);
  const [cls, setCls] = useState<ClassStep>(prefill?.cls ?? { gatewayClassName: 'nginx' });
  const [gateway, setGateway] = useState<GatewayStep | null>(prefill?.gateway ?? null);
  const [waf, setWaf] = useState<WafStep | null>(prefill?.waf ?? null);
  const [advanced, setAdvanced] = useState<AdvancedStep | null>(prefill?.advanced ?? null);
  const back = () => setStep((s) => Math.max(0, s - 1));
  const next = () => setStep((s) => s + 1);

  return (
    <section>
      {existing ? (
        <PageHeader title={`Edit gateway ${gateway?.namespace ?? ''}/${gateway?.name ?? ''}`}>The GatewayBundle's answers, pre-filled; the review shows what changes before you save.</PageHeader>
      ) : (
        <PageHeader title="Create gateway">A GatewayBundle: the operator creates the Gateway and everything it needs.</PageHeader>
      )}
      <Stepper steps={existing ? EDIT_STEPS : GATEWAY_STEPS} current={step} />
      {step === 0 && <ClassStepForm initial={cls} onNext={(v) => { setCls(v); next(); }} />}
      {step === 1 && <GatewayStepForm initial={(gateway as GatewayStepInput | null) ?? INITIAL_GATEWAY} fixedIdentity={existing !== undefined} onBack={back} onNext={(v) => { setGateway(v); next(); }} />}
      {step === 2 && (enterprise
        ? <WafStepForm initial={waf ?? (existing ? { ...INITIAL_WAF, enabled: false } : INITIAL_WAF)} onBack={back} onNext={(v) => { setWaf(v); next(); }} />
        : <GatedStep feature="App Protect WAF policy" onBack={back} onNext={() => { setWaf(null); next(); }} />)}
      {step === 3 && (enterprise
        ? <AdvancedStepForm initial={(advanced as AdvancedStepInput | null) ?? INITIAL_ADVANCED} onBack={back} onNext={(v) => { setAdvanced(v); next(); }} />
        : <GatedStep feature="NginxProxy tuning and SnippetsFilters" onBack={back} onNext={() => { setAdvanced(null); next(); }} />)}
      {step === 4 && gateway && existing && (
        <GatewayEditReview current={existing} manifest={toGatewayBundle({ cls, gateway, waf: enterprise ? waf : null, advanced: enterprise ? advanced : null })} enterprise={enterprise} onBack={back} />
      )}
      {step === 4 && gateway && !existing && (
        <DryRunReview path="/gatewaybundles" manifest={toGatewayBundle({ cls, gateway, waf: enterprise ? waf : null, advanced: enterprise ? advanced : null })} onBack={back} />
      )}
    </section>
  );
}
