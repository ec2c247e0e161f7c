import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm, type FieldValues, type Path, type UseFormRegister } from 'react-hook-form';
import { useAllGateways } from '../../api/queries';
import { DryRunReview } from '../../components/DryRunReview';
import { PageHeader } from '../../components/PageHeader';
import { StepActions, Stepper } from '../../components/Wizard';
import { Card, Field, inputClass } from '../../components/ui';
import {
  BACKENDS,
  GPU_TYPES,
  PROVIDERS,
  STRATEGIES,
  STRATEGY_HELP,
  attachStep,
  eppStep,
  modelStep,
  poolStep,
  scalingStep,
  toInferenceStack,
  type AttachStep,
  type EppStep,
  type ModelStep,
  type PoolStep,
  type ScalingStep,
} from '../../forms/inferenceStack';

export const INFERENCE_STEPS = ['Model backend', 'Pool', 'Endpoint picker', 'Autoscaling', 'Gateway', 'Review & deploy'] as const;

interface StepProps<T> {
  initial: T;
  onNext: (v: T) => void;
  onBack?: () => void;
}

type ErrorMap = Record<string, { message?: string } | undefined>;

function TextInput<T extends FieldValues>({ id, label, name, register, errors, number = false, hint, placeholder }: {
  id: string; label: string; name: Path<T>; register: UseFormRegister<T>; errors: ErrorMap; number?: boolean; hint?: string; placeholder?: string;
}) {
  const message = errors[name]?.message;
  return (
    <Field id={id} label={label} error={message} hint={hint}>
      <input id={id} type={number ? 'number' : 'text'} step={number ? 'any' : undefined} placeholder={placeholder} className={inputClass} aria-invalid={!!message}
        {...register(name, number ? { valueAsNumber: true } : {})} />
    </Field>
  );
}

export function ModelStepForm({ initial, onNext }: StepProps<ModelStep>) {
  const { register, handleSubmit, formState: { errors } } = useForm<ModelStep>({ resolver: zodResolver(modelStep), defaultValues: initial });
  const e = errors as ErrorMap;
  return (
    <form onSubmit={handleSubmit(onNext)} noValidate>
      <Card title="Model backend">
        <div className="grid grid-cols-1 gap-4 md:grid-cols-3">
          <Field id="m-backend" label="Serving backend">
            <select id="m-backend" className={inputClass} {...register('backend')}>{BACKENDS.map((b) => <option key={b}>{b}</option>)}</select>
          </Field>
          <Field id="m-provider" label="Runtime provider">
            <select id="m-provider" className={inputClass} {...register('provider')}>{PROVIDERS.map((b) => <option key={b}>{b}</option>)}</select>
          </Field>
          <TextInput id="m-name" label="Model name (what clients request)" name="name" register={register} errors={e} placeholder="llama-3-70b" />
          <TextInput id="m-id" label="Hugging Face model id (optional)" name="modelId" register={register} errors={e} placeholder="meta-llama/Llama-3.1-8B-Instruct" />
          <TextInput id="m-image" label="Container image" name="image" register={register} errors={e} placeholder="nvcr.io/nvidia/tritonserver:24.08-trtllm-python-py3" />
          <Field id="m-gpu" label="GPU type" error={errors.gpuType?.message}>
            <input id="m-gpu" list="gpu-types" className={inputClass} {...register('gpuType')} />
            <datalist id="gpu-types">{GPU_TYPES.map((g) => <option key={g} value={g} />)}</datalist>
          </Field>
          <TextInput id="m-gpus" label="GPUs per pod" name="gpusPerPod" register={register} errors={e} number />
        </div>
      </Card>
      <StepActions />
    </form>
  );
}

export function PoolStepForm({ initial, onNext, onBack }: StepProps<PoolStep>) {
  const { register, handleSubmit, formState: { errors } } = useForm<PoolStep>({ resolver: zodResolver(poolStep), defaultValues: initial, mode: 'onChange' });
  const e = errors as ErrorMap;
  return (
    <form onSubmit={handleSubmit(onNext)} noValidate>
      <Card title="InferencePool">
        <div className="grid grid-cols-1 gap-4 md:grid-cols-3">
          <TextInput id="p-name" label="Name" name="name" register={register} errors={e} />
          <TextInput id="p-namespace" label="Namespace" name="namespace" register={register} errors={e} />
          <TextInput id="p-labels" label="Labels" name="labels" register={register} errors={e} hint="key=value, comma-separated" />
          <TextInput id="p-selector" label="Pod selector (match an existing deployment)" name="podSelector" register={register} errors={e} hint="Empty: the operator's own model server" />
          <TextInput id="p-nodes" label="Node selector" name="nodeSelector" register={register} errors={e} hint="e.g. nvidia.com/gpu.product=A100" />
          <div />
          <TextInput id="p-replicas" label="Replicas" name="replicas" register={register} errors={e} number />
          <TextInput id="p-min" label="Min replicas" name="minReplicas" register={register} errors={e} number />
          <TextInput id="p-max" label="Max replicas" name="maxReplicas" register={register} errors={e} number />
          <TextInput id="p-cpu" label="CPU request per pod" name="cpu" register={register} errors={e} placeholder="4" />
          <TextInput id="p-mem" label="Memory request per pod" name="memory" register={register} errors={e} placeholder="32Gi" />
        </div>
      </Card>
      <StepActions onBack={onBack} />
    </form>
  );
}

export function EppStepForm({ initial, onNext, onBack }: StepProps<EppStep>) {
  const { register, handleSubmit, watch, formState: { errors } } = useForm<EppStep>({ resolver: zodResolver(eppStep), defaultValues: initial, mode: 'onChange' });
  const strategy = watch('strategy');
  const e = errors as ErrorMap;
  return (
    <form onSubmit={handleSubmit(onNext)} noValidate className="space-y-4">
      <Card title="Routing strategy">
        <fieldset className="grid grid-cols-1 gap-3 md:grid-cols-2">
          <legend className="sr-only">Routing strategy</legend>
          {STRATEGIES.map((s) => (
            <label key={s} className={`flex cursor-pointer gap-3 rounded-md border p-3 ${strategy === s ? 'border-accent bg-accent/5' : 'border-line'}`}>
              <input type="radio" value={s} {...register('strategy')} />
              <span>
                <span className="block text-sm font-medium">{STRATEGY_HELP[s].title}</span>
                <span className="block text-xs text-fg-muted">{STRATEGY_HELP[s].text}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {strategy === 'composite' && (
          <div className="mt-4 grid grid-cols-3 gap-4">
            <TextInput id="e-q" label="Queue depth weight" name="queueDepth" register={register} errors={e} number />
            <TextInput id="e-kv" label="KV-cache weight" name="kvCache" register={register} errors={e} number />
            <TextInput id="e-pc" label="Prefix cache weight" name="prefixCache" register={register} errors={e} number />
          </div>
        )}
      </Card>
      <Card title="Metrics">
        <div className="grid grid-cols-1 gap-4 md:grid-cols-3">
          <TextInput id="e-int" label="Scrape interval" name="scrapeInterval" register={register} errors={e} />
          <TextInput id="e-path" label="Model server metrics path" name="metricsPath" register={register} errors={e} />
          <label className="flex items-center gap-2 text-sm"><input type="checkbox" {...register('dcgmEnabled')} /> DCGM GPU metrics</label>
        </div>
      </Card>
      <StepActions onBack={onBack} />
    </form>
  );
}

export function ScalingStepForm({ initial, onNext, onBack }: StepProps<ScalingStep>) {
  const { register, handleSubmit, watch, formState: { errors } } = useForm<ScalingStep>({ resolver: zodResolver(scalingStep), defaultValues: initial, mode: 'onChange' });
  const enabled = watch('enabled');
  const triggers = [
    { key: 'queueDepth', label: 'Queue depth (waiting requests per pod)' },
    { key: 'kvCache', label: 'KV-cache utilisation (%)' },
    { key: 'gpuUtil', label: 'GPU utilisation (%, DCGM safety net)' },
  ] as const;
  return (
    <form onSubmit={handleSubmit(onNext)} noValidate>
      <Card title="Autoscaling">
        <label className="flex items-center gap-2 text-sm"><input type="checkbox" {...register('enabled')} /> Scale the pool automatically</label>
        {enabled && (
          <div className="mt-4 space-y-4">
            <div className="grid grid-cols-1 gap-4 md:grid-cols-3">
              <Field id="s-backend" label="Scaler">
                <select id="s-backend" className={inputClass} {...register('backend')}>
                  <option value="keda">KEDA (recommended)</option>
                  <option value="hpa">HPA</option>
                </select>
              </Field>
              <Field id="s-cool" label="Cool-down" error={errors.cooldownPeriod?.message}>
                <input id="s-cool" className={inputClass} {...register('cooldownPeriod')} />
              </Field>
            </div>
            {errors.queueDepth?.enabled?.message && <p role="alert" className="text-xs text-status-error">{errors.queueDepth.enabled.message}</p>}
            {triggers.map((t) => (
              <fieldset key={t.key} className="grid grid-cols-1 items-end gap-3 rounded-md border border-line p-3 md:grid-cols-3">
                <legend className="px-1 text-xs text-fg-muted">{t.label}</legend>
                <label className="flex items-center gap-2 text-sm"><input type="checkbox" {...register(`${t.key}.enabled`)} /> Scale up when above</label>
                <Field id={`s-${t.key}-v`} label="Threshold" error={errors[t.key]?.value?.message}>
                  <input id={`s-${t.key}-v`} type="number" step="any" className={inputClass} {...register(`${t.key}.value`, { valueAsNumber: true })} />
                </Field>
                <Field id={`s-${t.key}-d`} label="For" error={errors[t.key]?.duration?.message}>
                  <input id={`s-${t.key}-d`} className={inputClass} {...register(`${t.key}.duration`)} />
                </Field>
              </fieldset>
            ))}
          </div>
        )}
      </Card>
      <StepActions onBack={onBack} />
    </form>
  );
}

export function AttachStepForm({ initial, onNext, onBack }: StepProps<AttachStep>) {
  const gateways = useAllGateways();
  const { register, handleSubmit, watch, formState: { errors } } = useForm<AttachStep>({ resolver: zodResolver(attachStep), defaultValues: initial, mode: 'onChange' });
  const mode = watch('mode');
  const e = errors as ErrorMap;
  return (
    <form onSubmit={handleSubmit(onNext)} noValidate className="space-y-4">
      <Card title="Gateway">
        <fieldset className="flex gap-6 text-sm">
          <legend className="sr-only">Attachment</legend>
          <label className="flex items-center gap-2"><input type="radio" value="existing" {...register('mode')} /> An existing Gateway</label>
          <label className="flex items-center gap-2"><input type="radio" value="create" {...register('mode')} /> A new listener</label>
        </fieldset>
        <div className="mt-4 grid grid-cols-1 gap-4 md:grid-cols-3">
          {mode === 'existing' ? (
            <Field id="a-gw" label="Gateway" error={errors.gateway?.message}>
              <select id="a-gw" className={inputClass} aria-invalid={!!errors.gateway} {...register('gateway')}>
                <option value="">Choose…</option>
                {(gateways.data?.items ?? []).map((g) => <option key={`${g.namespace}/${g.name}`} value={`${g.namespace}/${g.name}`}>{g.namespace}/{g.name}</option>)}
              </select>
            </Field>
          ) : (
            <>
              <TextInput id="a-port" label="Listener port" name="listenerPort" register={register} errors={e} number />
              <Field id="a-proto" label="Protocol">
                <select id="a-proto" className={inputClass} {...register('listenerProtocol')}><option>HTTP</option><option>HTTPS</option></select>
              </Field>
              <TextInput id="a-host" label="Hostname (optional)" name="listenerHostname" register={register} errors={e} />
            </>
          )}
        </div>
      </Card>
      <Card title="Route">
        <div className="grid grid-cols-1 gap-4 md:grid-cols-3">
          <TextInput id="a-path" label="Path prefix" name="pathPrefix" register={register} errors={e} />
          <TextInput id="a-timeout" label="Request timeout" name="timeout" register={register} errors={e} hint="Inference requests run long" />
          <label className="flex items-center gap-2 text-sm"><input type="checkbox" {...register('streaming')} /> Streaming responses (SSE)</label>
        </div>
      </Card>
      <StepActions onBack={onBack} />
    </form>
  );
}

const INITIAL = {
  model: { backend: 'triton', provider: 'deployment', name: '', modelId: '', image: '', gpuType: 'A100', gpusPerPod: 1 } as ModelStep,
  pool: { name: '', namespace: 'default', labels: '', podSelector: '', nodeSelector: '', replicas: 1, minReplicas: 1, maxReplicas: 4, cpu: '', memory: '' } as PoolStep,
  epp: { scrapeInterval: '5s', metricsPath: '/metrics', strategy: 'least_queue', queueDepth: 0.4, kvCache: 0.3, prefixCache: 0.3, dcgmEnabled: true } as EppStep,
  scaling: {
    enabled: true, backend: 'keda', cooldownPeriod: '300s',
    queueDepth: { enabled: true, value: 5, duration: '60s' },
    kvCache: { enabled: false, value: 80, duration: '60s' },
    gpuUtil: { enabled: false, value: 90, duration: '120s' },
  } as ScalingStep,
  attach: { mode: 'create', gateway: '', listenerPort: 80, listenerProtocol: 'HTTP', listenerHostname: '', pathPrefix: '/v1', timeout: '300s', streaming: true } as AttachStep,
};

export function InferenceWizard() {
  const [step, setStep] = useState(0);
  const [values, setValues] = useState(INITIAL);
  const back = () => setStep((s) => Math.max(0, s - 1));
  const save = <K extends keyof typeof INITIAL>(key: K) => (v: (typeof INITIAL)[K]) => {
    setValues((old) => ({ ...old, [key]: v }));
    setStep((s) => s + 1);
  };
  return (
    <section>
      <PageHeader title="Create inference pool">An InferenceStack: the operator creates the pool, endpoint picker, route and autoscaler.</PageHeader>
      <Stepper steps={INFERENCE_STEPS} current={step} />
      {step === 0 && <ModelStepForm initial={values.model} onNext={save('model')} />}
      {step === 1 && <PoolStepForm initial={values.pool} onNext={save('pool')} onBack={back} />}
      {step === 2 && <EppStepForm initial={values.epp} onNext={save('epp')} onBack={back} />}
      {step === 3 && <ScalingStepForm initial={values.scaling} onNext={save('scaling')} onBack={back} />}
      {step === 4 && <AttachStepForm initial={values.attach} onNext={save('attach')} onBack={back} />}
      {step === 5 && <DryRunReview path="/inferencestacks" manifest={toInferenceStack(values)} onBack={back} />}
    </section>
  );
}
