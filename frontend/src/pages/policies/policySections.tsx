/** The kind-specific settings of the policy builder, and its target-ref picker. */
import type { ReactNode } from 'react';
import { get, useFieldArray, type Control, type FieldErrors, type Path, type UseFormRegister } from 'react-hook-form';
import { useNamesIn } from '../../api/builderQueries';
import { Button, Card, Field, inputClass } from '../../components/ui';
import { LOG_LEVELS, POLICY_KINDS, SNIPPET_CONTEXTS, TRACE_CONTEXTS, type PolicyForm, type PolicyKindInfo, type PolicyType } from '../../forms/policies';

export interface SectionProps {
  register: UseFormRegister<PolicyForm>;
  errors: FieldErrors<PolicyForm>;
  control: Control<PolicyForm>;
  values: PolicyForm;
}

function message(errors: FieldErrors<PolicyForm>, name: string): string | undefined {
  return (get(errors, name) as { message?: string } | undefined)?.message;
}

/** A text input bound to `name`, with its error from the form (schema or API). */
function Text({ name, label, hint, placeholder, register, errors }: { name: Path<PolicyForm>; label: string; hint?: string; placeholder?: string } & Pick<SectionProps, 'register' | 'errors'>) {
  const id = `p-${name.replace(/\./g, '-')}`;
  const error = message(errors, name);
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      <input id={id} className={inputClass} placeholder={placeholder} aria-invalid={!!error} {...register(name)} />
    </Field>
  );
}

function Check({ name, label, register }: { name: Path<PolicyForm>; label: string } & Pick<SectionProps, 'register'>) {
  const id = `p-${name.replace(/\./g, '-')}`;
  return (
    <label htmlFor={id} className="flex items-center gap-2 text-sm">
      <input id={id} type="checkbox" className="accent-accent" {...register(name)} />
      {label}
    </label>
  );
}

function TargetRow({ index, info, props, onRemove }: { index: number; info: PolicyKindInfo; props: SectionProps; onRemove?: (() => void) | undefined }) {
  const { register, errors, values } = props;
  const target = values.targets[index];
  const kind = (target?.kind ?? info.targetKinds[0] ?? 'Service') as PolicyKindInfo['targetKinds'][number];
  const names = useNamesIn(kind, values.namespace);
  const nameError = message(errors, `targets.${index}.name`);
  const kindError = message(errors, `targets.${index}.kind`);
  return (
    <div className="mb-3 grid grid-cols-1 items-end gap-2 md:grid-cols-2">
      <Field id={`t${index}k`} label="Target kind" error={kindError}>
        <select id={`t${index}k`} className={inputClass} aria-invalid={!!kindError} {...register(`targets.${index}.kind`)}>
          {info.targetKinds.map((k) => <option key={k}>{k}</option>)}
        </select>
      </Field>
      <Field id={`t${index}n`} label={`${kind} (in ${values.namespace || 'the namespace'})`} error={nameError ?? (names.error ? `Could not list: ${names.error.message}` : undefined)}>
        <select id={`t${index}n`} className={inputClass} aria-invalid={!!nameError} {...register(`targets.${index}.name`)}>
          <option value="">{names.isPending ? 'Loading…' : names.names.length === 0 ? `No ${kind} in this namespace` : 'Choose…'}</option>
          {names.names.map((n) => <option key={n}>{n}</option>)}
        </select>
      </Field>
      {info.kind === 'BackendTLSPolicy' && <Text name={`targets.${index}.sectionName`} label="Service port name (optional)" register={register} errors={errors} />}
      {onRemove && (
        <div>
          <Button variant="ghost" className="text-xs" onClick={onRemove}>Remove target {index + 1}</Button>
        </div>
      )}
    </div>
  );
}

/** Where the policy attaches: kinds the CRD allows, objects from the cluster, same namespace. */
export function TargetsCard({ type, props }: { type: PolicyType; props: SectionProps }) {
  const info: PolicyKindInfo = POLICY_KINDS[type];
  const targets = useFieldArray({ control: props.control, name: 'targets' });
  const listError = message(props.errors, 'targets') ?? message(props.errors, 'targets.root');
  if (info.targetKinds.length === 0) return null;
  return (
    <Card title={info.multipleTargets ? 'Targets' : 'Target'}>
      <p className="mb-3 text-xs text-fg-muted">
        {info.kind} attaches to {info.targetKinds.join(', ')} in the policy’s own namespace.
      </p>
      {listError && <p className="mb-2 text-xs text-status-error">{listError}</p>}
      {targets.fields.map((f, i) => (
        <TargetRow key={f.id} index={i} info={info} props={props} onRemove={targets.fields.length > 1 ? () => targets.remove(i) : undefined} />
      ))}
      {info.multipleTargets && (
        <Button className="text-xs" onClick={() => targets.append({ kind: info.targetKinds[0] ?? 'Service', name: '', sectionName: '' })} disabled={targets.fields.length >= 16}>
          Add target
        </Button>
      )}
    </Card>
  );
}

function RateLimitSettings({ register, errors }: SectionProps) {
  return (
    <Card title="Rate limit (local, per NGINX instance)">
      <div className="grid grid-cols-1 gap-3 md:grid-cols-3">
        <Text name="rateLimit.rate" label="Rate" placeholder="100r/m" hint="r/s or r/m" register={register} errors={errors} />
        <Text name="rateLimit.key" label="Key" placeholder="$binary_remote_addr" hint="What requests are counted by (NGINX variables)" register={register} errors={errors} />
        <Text name="rateLimit.burst" label="Burst (optional)" register={register} errors={errors} />
        <Text name="rateLimit.rejectCode" label="Reject status (optional)" placeholder="429" register={register} errors={errors} />
        <Text name="rateLimit.zoneSize" label="Zone size (optional)" placeholder="10m" register={register} errors={errors} />
        <Field id="p-rateLimit-logLevel" label="Log level (optional)">
          <select id="p-rateLimit-logLevel" className={inputClass} {...register('rateLimit.logLevel')}>
            {LOG_LEVELS.map((l) => <option key={l} value={l}>{l || 'Default'}</option>)}
          </select>
        </Field>
        <Check name="rateLimit.noDelay" label="Serve bursts without delay (nodelay)" register={register} />
        <Check name="rateLimit.dryRun" label="Dry-run mode (count, do not reject)" register={register} />
      </div>
    </Card>
  );
}

function ClientSettings({ register, errors }: SectionProps) {
  return (
    <Card title="Client settings">
      <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
        <Text name="clientSettings.maxSize" label="Max request body size" placeholder="10m" hint="0 turns the check off" register={register} errors={errors} />
        <Text name="clientSettings.bodyTimeout" label="Body read timeout" placeholder="30s" register={register} errors={errors} />
        <Text name="clientSettings.keepAliveRequests" label="Keep-alive requests per connection" placeholder="1000" register={register} errors={errors} />
        <Text name="clientSettings.keepAliveTime" label="Keep-alive connection lifetime" placeholder="1h" register={register} errors={errors} />
        <Text name="clientSettings.keepAliveServer" label="Keep-alive idle timeout (server)" placeholder="60s" register={register} errors={errors} />
        <Text name="clientSettings.keepAliveHeader" label="Keep-Alive header timeout" placeholder="50s" register={register} errors={errors} />
      </div>
    </Card>
  );
}

function UpstreamSettings({ register, errors }: SectionProps) {
  return (
    <Card title="Upstream settings">
      <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
        <Text name="upstream.connections" label="Idle keep-alive connections per worker" placeholder="32" register={register} errors={errors} />
        <Text name="upstream.requests" label="Requests per connection" placeholder="1000" register={register} errors={errors} />
        <Text name="upstream.time" label="Connection lifetime" placeholder="1h" register={register} errors={errors} />
        <Text name="upstream.timeout" label="Idle timeout" placeholder="60s" register={register} errors={errors} />
        <Text name="upstream.zoneSize" label="Shared memory zone size (optional)" placeholder="512k" register={register} errors={errors} />
      </div>
    </Card>
  );
}

function ObservabilitySettings({ register, errors, values }: SectionProps) {
  const attrError = message(errors, 'observability.spanAttributes');
  return (
    <Card title="Tracing (OpenTelemetry)">
      <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
        <Field id="p-observability-strategy" label="Strategy">
          <select id="p-observability-strategy" className={inputClass} {...register('observability.strategy')}>
            <option value="ratio">Ratio of requests</option>
            <option value="parent">Only when the parent span is sampled</option>
          </select>
        </Field>
        {values.observability.strategy === 'ratio' && <Text name="observability.ratio" label="Sampled percent (0–100)" placeholder="100" register={register} errors={errors} />}
        <Field id="p-observability-context" label="Trace context propagation">
          <select id="p-observability-context" className={inputClass} {...register('observability.context')}>
            {TRACE_CONTEXTS.map((c) => <option key={c} value={c}>{c || 'Default (ignore)'}</option>)}
          </select>
        </Field>
        <Text name="observability.spanName" label="Span name (optional)" register={register} errors={errors} />
        <Field id="p-observability-spanAttributes" label="Span attributes (key: value per line)" error={attrError}>
          <textarea id="p-observability-spanAttributes" rows={2} className={inputClass} aria-invalid={!!attrError} {...register('observability.spanAttributes')} />
        </Field>
      </div>
    </Card>
  );
}

function BackendTlsSettings({ register, errors, values }: SectionProps) {
  return (
    <Card title="Backend TLS validation">
      <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
        <Text name="backendTls.hostname" label="Backend hostname (SNI, certificate name)" placeholder="api.internal" register={register} errors={errors} />
        <Field id="p-backendTls-ca" label="Trusted CA">
          <select id="p-backendTls-ca" className={inputClass} {...register('backendTls.ca')}>
            <option value="System">System CA certificates</option>
            <option value="ConfigMap">CA certificate from ConfigMap(s)</option>
          </select>
        </Field>
        {values.backendTls.ca === 'ConfigMap' && <Text name="backendTls.caRefs" label="ConfigMap names (key ca.crt)" placeholder="backend-ca" register={register} errors={errors} />}
        <Text name="backendTls.subjectAltNames" label="Also accept these names (optional)" placeholder="api.internal, *.svc.example" register={register} errors={errors} />
      </div>
    </Card>
  );
}

function SnippetsSettings({ register, errors, control }: SectionProps) {
  const snippets = useFieldArray({ control, name: 'snippets' });
  const listError = message(errors, 'snippets') ?? message(errors, 'snippets.root');
  return (
    <Card title="NGINX snippets">
      <p className="mb-3 text-xs text-fg-muted">Referenced from an HTTPRoute or GRPCRoute rule’s ExtensionRef filter; one snippet per context.</p>
      {listError && <p className="mb-2 text-xs text-status-error">{listError}</p>}
      {snippets.fields.map((f, i) => {
        const valueError = message(errors, `snippets.${i}.value`);
        const contextError = message(errors, `snippets.${i}.context`);
        return (
          <div key={f.id} className="mb-3 grid grid-cols-1 gap-2 md:grid-cols-4">
            <Field id={`s${i}c`} label="Context" error={contextError}>
              <select id={`s${i}c`} className={inputClass} {...register(`snippets.${i}.context`)}>{SNIPPET_CONTEXTS.map((c) => <option key={c}>{c}</option>)}</select>
            </Field>
            <div className="md:col-span-3">
              <Field id={`s${i}v`} label="Configuration" error={valueError}>
                <textarea id={`s${i}v`} rows={4} className={`${inputClass} font-mono`} aria-invalid={!!valueError} {...register(`snippets.${i}.value`)} />
              </Field>
              {snippets.fields.length > 1 && <Button variant="ghost" className="text-xs" onClick={() => snippets.remove(i)}>Remove snippet {i + 1}</Button>}
            </div>
          </div>
        );
      })}
      <Button className="text-xs" onClick={() => snippets.append({ context: 'http.server', value: '' })} disabled={snippets.fields.length >= 4}>Add snippet</Button>
    </Card>
  );
}

function ProxySettings({ register, errors }: SectionProps) {
  return (
    <Card title="Proxy buffering">
      <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
        <div className="md:col-span-2">
          <Check name="proxy.disableBuffering" label="Turn response buffering off (stream to the client as the backend sends)" register={register} />
        </div>
        <Text name="proxy.bufferSize" label="Header buffer size" placeholder="8k" register={register} errors={errors} />
        <Text name="proxy.busyBuffersSize" label="Busy buffers size" placeholder="16k" register={register} errors={errors} />
        <Text name="proxy.buffersNumber" label="Number of buffers" placeholder="8" register={register} errors={errors} />
        <Text name="proxy.buffersSize" label="Size of each buffer" placeholder="4k" register={register} errors={errors} />
      </div>
    </Card>
  );
}

function BasicAuthSettings({ register, errors }: SectionProps) {
  return (
    <Card title="HTTP Basic authentication">
      <p className="mb-3 text-xs text-fg-muted">Referenced from an HTTPRoute or GRPCRoute rule’s ExtensionRef filter. OpenID Connect needs NGINX Plus and is not offered here.</p>
      <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
        <Text name="basicAuth.secret" label="Credentials Secret (htpasswd in key auth)" placeholder="basic-auth" register={register} errors={errors} />
        <Text name="basicAuth.realm" label="Realm" placeholder="Restricted" register={register} errors={errors} />
      </div>
    </Card>
  );
}

/** The settings card of a policy kind. */
export const SETTINGS: Record<PolicyType, (props: SectionProps) => ReactNode> = {
  ratelimit: RateLimitSettings,
  clientsettings: ClientSettings,
  upstreamsettings: UpstreamSettings,
  observability: ObservabilitySettings,
  backendtls: BackendTlsSettings,
  proxysettings: ProxySettings,
  authentication: BasicAuthSettings,
  snippetsfilter: SnippetsSettings,
};
