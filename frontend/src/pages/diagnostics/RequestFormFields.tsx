import { useState, type FormEvent } from 'react';
import { useAllGateways } from '../../api/queries';
import { Button, Field, inputClass } from '../../components/ui';
import { curlToForm, formErrors, type Pair, type RequestForm } from './requestForm';

function Pairs({ id, label, pairs, onChange }: { id: string; label: string; pairs: Pair[]; onChange: (pairs: Pair[]) => void }) {
  return (
    <fieldset className="space-y-1">
      <legend className="text-xs font-medium text-fg-muted">{label}</legend>
      {pairs.map((p, i) => (
        <div key={i} className="flex gap-2">
          <input
            aria-label={`${label} ${i + 1} name`}
            className={inputClass}
            value={p.name}
            placeholder="name"
            onChange={(e) => onChange(pairs.map((q, j) => (j === i ? { ...q, name: e.target.value } : q)))}
          />
          <input
            aria-label={`${label} ${i + 1} value`}
            className={inputClass}
            value={p.value}
            placeholder="value"
            onChange={(e) => onChange(pairs.map((q, j) => (j === i ? { ...q, value: e.target.value } : q)))}
          />
          <Button variant="ghost" aria-label={`Remove ${label} ${i + 1}`} onClick={() => onChange(pairs.filter((_, j) => j !== i))}>
            ✕
          </Button>
        </div>
      ))}
      <Button variant="ghost" id={id} className="text-xs" onClick={() => onChange([...pairs, { name: '', value: '' }])}>
        + Add {label.toLowerCase().replace(/s$/, '')}
      </Button>
    </fieldset>
  );
}

/**
 * The request to simulate: method, scheme, host, port, path, headers, query, or a pasted
 * curl command that fills them. `onSubmit` only runs when every field is valid.
 */
export function RequestFormFields({
  idPrefix,
  form,
  onChange,
  onSubmit,
  submitLabel,
  busy,
}: {
  idPrefix: string;
  form: RequestForm;
  onChange: (form: RequestForm) => void;
  onSubmit: (form: RequestForm) => void;
  submitLabel: string;
  busy: boolean;
}) {
  const gateways = useAllGateways();
  const [curl, setCurl] = useState('');
  const [curlError, setCurlError] = useState<string | undefined>();
  const [touched, setTouched] = useState(false);
  const errors = touched ? formErrors(form) : {};
  const id = (s: string) => `${idPrefix}-${s}`;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (Object.keys(formErrors(form)).length === 0) onSubmit(form);
  };
  const invalid = (key: keyof typeof errors) => ({
    'aria-invalid': errors[key] ? true : undefined,
    'aria-describedby': errors[key] ? `${id(key)}-error` : undefined,
  });
  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      <Field id={id('curl')} label="Paste a curl command (optional)" error={curlError} hint="Fills the fields below; nothing is sent to the gateway.">
        <div className="flex gap-2">
          <textarea
            id={id('curl')}
            rows={2}
            className={`${inputClass} font-mono text-xs`}
            value={curl}
            placeholder="curl -H 'x-env: canary' http://shop.example.com/api/items"
            aria-invalid={curlError ? true : undefined}
            aria-describedby={curlError ? `${id('curl')}-error` : undefined}
            onChange={(e) => setCurl(e.target.value)}
          />
          <Button
            className="shrink-0 self-start whitespace-nowrap"
            onClick={() => {
              try {
                onChange({ ...curlToForm(curl), gateway: form.gateway });
                setCurlError(undefined);
              } catch (err) {
                setCurlError(err instanceof Error ? err.message : String(err));
              }
            }}
          >
            Use curl
          </Button>
        </div>
      </Field>
      <div className="grid grid-cols-2 gap-3 md:grid-cols-6">
        <Field id={id('method')} label="Method" error={errors.method}>
          <input id={id('method')} className={inputClass} value={form.method} onChange={(e) => onChange({ ...form, method: e.target.value })} {...invalid('method')} />
        </Field>
        <Field id={id('scheme')} label="Scheme">
          <select id={id('scheme')} className={inputClass} value={form.scheme} onChange={(e) => onChange({ ...form, scheme: e.target.value as RequestForm['scheme'] })}>
            <option value="http">http</option>
            <option value="https">https</option>
          </select>
        </Field>
        <div className="col-span-2">
          <Field id={id('host')} label="Host" error={errors.host}>
            <input id={id('host')} className={inputClass} value={form.host} placeholder="shop.example.com" onChange={(e) => onChange({ ...form, host: e.target.value })} {...invalid('host')} />
          </Field>
        </div>
        <Field id={id('port')} label="Port" error={errors.port} hint="default for the scheme">
          <input id={id('port')} className={inputClass} inputMode="numeric" value={form.port} onChange={(e) => onChange({ ...form, port: e.target.value })} {...invalid('port')} />
        </Field>
        <Field id={id('protocol')} label="Protocol">
          <select id={id('protocol')} className={inputClass} value={form.protocol} onChange={(e) => onChange({ ...form, protocol: e.target.value as RequestForm['protocol'] })}>
            <option value="http">HTTP</option>
            <option value="grpc">gRPC</option>
          </select>
        </Field>
      </div>
      <Field id={id('gateway')} label="Gateway" hint="The Gateway the request reaches; any: the cluster's listeners decide.">
        <select id={id('gateway')} className={inputClass} value={form.gateway} onChange={(e) => onChange({ ...form, gateway: e.target.value })}>
          <option value="">Any Gateway</option>
          {(gateways.data?.items ?? []).map((g) => (
            <option key={`${g.namespace}/${g.name}`} value={`${g.namespace}/${g.name}`}>
              {g.namespace}/{g.name}
            </option>
          ))}
        </select>
      </Field>
      <Field id={id('path')} label="Path" error={errors.path}>
        <input id={id('path')} className={`${inputClass} font-mono`} value={form.path} onChange={(e) => onChange({ ...form, path: e.target.value })} {...invalid('path')} />
      </Field>
      <div className="grid gap-4 md:grid-cols-2">
        <Pairs id={id('add-header')} label="Headers" pairs={form.headers} onChange={(headers) => onChange({ ...form, headers })} />
        <Pairs id={id('add-query')} label="Query parameters" pairs={form.query} onChange={(query) => onChange({ ...form, query })} />
      </div>
      <Button type="submit" variant="primary" disabled={busy}>
        {busy ? 'Working…' : submitLabel}
      </Button>
    </form>
  );
}
