/**
 * Create or edit one alert rule: its source (those this server cannot evaluate are shown
 * disabled, with the reason), the source's query (PromQL or SQL, in the bundled Monaco
 * editor) and window, the condition, severity and webhook channel. The API's 422 causes
 * (`body.config.query`, ...) land on the fields; nothing is saved when it refuses.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { Suspense, lazy } from 'react';
import { Controller, useForm, useWatch, type Control } from 'react-hook-form';
import { useAlertSources, useSaveAlertRule, type AlertSourceView } from '../../api/alertQueries';
import type { AlertRuleView } from '../../api/types';
import { applyApiFieldErrors } from '../../components/CreateReview';
import { Button, ErrorBox, Field, Loading, inputClass } from '../../components/ui';
import { EXAMPLE_QUERIES, NEW_RULE, OPERATORS, SEVERITIES, WINDOWED_SOURCE, alertRuleField, alertRuleForm, fromRule, toAlertRule, type AlertRuleForm as FormValues } from '../../forms/alertRule';

// Monaco is several MB: fetched only once a query source is chosen.
const CodeEditor = lazy(async () => ({ default: (await import('../../components/CodeEditor')).CodeEditor }));

const SOURCE_TITLES: Readonly<Record<string, string>> = {
  cert_expiry: 'Certificate expiry',
  prometheus_query: 'Prometheus query (PromQL)',
  clickhouse_query: 'Analytics query (SQL)',
};

/** The source picker: one radio per source; unavailable ones disabled, saying why. */
function SourcePicker({ control, sources, error }: { control: Control<FormValues>; sources: readonly AlertSourceView[]; error: string | undefined }) {
  return (
    <Controller
      control={control}
      name="source"
      render={({ field }) => (
        <fieldset aria-describedby={error ? 'r-source-error' : undefined}>
          <legend className="mb-1 text-xs font-medium text-fg-muted">Source</legend>
          <div className="grid grid-cols-1 gap-2 md:grid-cols-3">
            {sources.map((s) => {
              const id = `r-source-${s.name}`;
              const checked = field.value === s.name;
              return (
                <label
                  key={s.name}
                  htmlFor={id}
                  className={`flex gap-2 rounded-md border p-2 text-sm ${checked ? 'border-accent bg-accent/10' : 'border-line'} ${s.available ? 'cursor-pointer' : 'cursor-not-allowed opacity-70'}`}
                >
                  <input
                    id={id}
                    type="radio"
                    name={field.name}
                    value={s.name}
                    checked={checked}
                    disabled={!s.available}
                    onChange={() => field.onChange(s.name)}
                    onBlur={field.onBlur}
                    aria-describedby={`${id}-about`}
                    className="mt-1"
                  />
                  <span>
                    <span className="block font-medium">{SOURCE_TITLES[s.name] ?? s.name}</span>
                    <span id={`${id}-about`} className="block text-xs text-fg-muted">
                      {s.available ? s.description : `Not available: ${s.reason ?? 'this server does not offer it'}`}
                    </span>
                  </span>
                </label>
              );
            })}
          </div>
          {error && (
            <p id="r-source-error" className="mt-1 text-xs text-status-error">
              {error}
            </p>
          )}
        </fieldset>
      )}
    />
  );
}

/** The query editor of a query source, with the hint and example for its language. */
function QueryField({ control, source, language, error }: { control: Control<FormValues>; source: string; language: 'promql' | 'sql'; error: string | undefined }) {
  const label = language === 'sql' ? 'SQL query' : 'PromQL query';
  return (
    <Controller
      control={control}
      name="query"
      render={({ field }) => (
        <div className="space-y-1" data-testid="rule-query">
          <div className="flex items-end justify-between gap-2">
            <span id="r-query-label" className="block text-xs font-medium text-fg-muted">
              {label}
            </span>
            <Button variant="ghost" className="text-xs" onClick={() => field.onChange(EXAMPLE_QUERIES[source] ?? '')}>
              Insert example
            </Button>
          </div>
          <Suspense fallback={<Loading what="Loading editor" />}>
            {/* PromQL has no Monaco grammar: plain text. */}
            <CodeEditor language={language === 'sql' ? 'sql' : 'plaintext'} label={label} value={field.value} onChange={field.onChange} height={140} />
          </Suspense>
          {error ? (
            <p id="r-query-error" role="alert" className="text-xs text-status-error">
              {error}
            </p>
          ) : (
            <p className="text-xs text-fg-muted">
              {language === 'sql' ? (
                <>
                  One SELECT returning a numeric <code>value</code> column; every other column is a label (one alert per row). <code>{"{since:DateTime64(3, 'UTC')}"}</code> and{' '}
                  <code>{"{until:DateTime64(3, 'UTC')}"}</code> are the window&apos;s bounds.
                </>
              ) : (
                <>An instant vector or scalar; one alert per series (aggregate with <code>by (...)</code>).</>
              )}
            </p>
          )}
        </div>
      )}
    />
  );
}

/** The form for a new rule (`rule` null) or an existing one; `onDone` after saving or Cancel. */
export function AlertRuleForm({ rule, onDone }: { rule: AlertRuleView | null; onDone: () => void }) {
  const sources = useAlertSources();
  const {
    register,
    control,
    handleSubmit,
    setError,
    formState: { errors },
  } = useForm<FormValues>({ resolver: zodResolver(alertRuleForm), defaultValues: rule ? fromRule(rule) : NEW_RULE });
  const save = useSaveAlertRule(rule?.id ?? null);
  const source = useWatch({ control, name: 'source' });
  const chosen = sources.data?.find((s) => s.name === source);
  const language = chosen?.query_language ?? null;
  const submit = handleSubmit((v) =>
    save.mutate(toAlertRule(v, rule), {
      onSuccess: onDone,
      onError: (err) => applyApiFieldErrors(err, alertRuleField, (name, message) => setError(name as keyof FormValues, { type: 'api', message })),
    }),
  );
  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-label={rule ? `Edit rule ${rule.name}` : 'New alert rule'} className="mt-4 space-y-4 rounded-md border border-line p-4">
      {sources.isPending && <Loading what="Loading alert sources" />}
      {sources.error && <ErrorBox error={sources.error} title="Could not read the alert sources" />}
      {sources.data && <SourcePicker control={control} sources={sources.data} error={errors.source?.message} />}
      {language !== null && <QueryField control={control} source={source} language={language} error={errors.query?.message} />}
      {source === WINDOWED_SOURCE && (
        <div className="grid grid-cols-1 gap-3 md:grid-cols-4">
          <Field id="r-window" label="Window" error={errors.window?.message} hint="How far back {since} is, e.g. 5m">
            <input id="r-window" className={inputClass} aria-invalid={errors.window ? true : undefined} {...register('window')} />
          </Field>
        </div>
      )}
      <div className="grid grid-cols-1 gap-3 md:grid-cols-4">
        <Field id="r-op" label="Operator" error={errors.operator?.message}>
          <select id="r-op" className={inputClass} {...register('operator')}>
            {OPERATORS.map((o) => (
              <option key={o}>{o}</option>
            ))}
          </select>
        </Field>
        <Field id="r-threshold" label="Threshold" error={errors.threshold?.message} hint={source === 'cert_expiry' ? 'Days left' : 'Compared with each value'}>
          <input id="r-threshold" type="number" step="any" className={inputClass} aria-invalid={errors.threshold ? true : undefined} {...register('threshold', { valueAsNumber: true })} />
        </Field>
        <Field id="r-for" label="For" error={errors.forDuration?.message} hint="Held this long before firing">
          <input id="r-for" className={inputClass} aria-invalid={errors.forDuration ? true : undefined} {...register('forDuration')} />
        </Field>
        <Field id="r-sev" label="Severity" error={errors.severity?.message}>
          <select id="r-sev" className={inputClass} {...register('severity')}>
            {SEVERITIES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </Field>
      </div>
      <div className="grid grid-cols-1 gap-3 md:grid-cols-4">
        <Field id="r-name" label="Name" error={errors.name?.message}>
          <input id="r-name" className={inputClass} aria-invalid={errors.name ? true : undefined} {...register('name')} />
        </Field>
        <Field id="r-hook" label="Webhook URL (optional)" error={errors.webhookUrl?.message}>
          <input id="r-hook" className={inputClass} aria-invalid={errors.webhookUrl ? true : undefined} {...register('webhookUrl')} />
        </Field>
        <Field id="r-desc" label="Description" error={errors.description?.message}>
          <input id="r-desc" className={inputClass} {...register('description')} />
        </Field>
        <label className="flex items-center gap-2 self-end text-sm">
          <input type="checkbox" {...register('enabled')} /> Enabled
        </label>
      </div>
      {save.error && <ErrorBox error={save.error} title="The API refused this rule; nothing was saved" />}
      <div className="flex gap-2">
        <Button type="submit" variant="primary" disabled={save.isPending}>
          {rule ? 'Save rule' : 'Create rule'}
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </form>
  );
}
