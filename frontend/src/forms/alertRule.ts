/**
 * The alert rule form (Settings): its rules, and the API's AlertRuleRequest from it and back.
 * The server checks a rule again when it is saved (a query that does not parse, a SELECT
 * without a numeric `value` column); `alertRuleField` puts those 422 causes on the form.
 */
import { z } from 'zod';
import type { AlertRuleRequest, AlertRuleView } from '../api/types';

/** Sources whose rules carry a query, and its language (the server's query sources). */
export const QUERY_SOURCES: Readonly<Record<string, 'promql' | 'sql'>> = { prometheus_query: 'promql', clickhouse_query: 'sql' };
/** The source whose query reads a time window (`params.window`). */
export const WINDOWED_SOURCE = 'clickhouse_query';
export const OPERATORS = ['>', '<', '>=', '<=', '=='] as const;
export const SEVERITIES = ['info', 'warning', 'critical'] as const;

const DURATION_TEXT = /^(\d+(\.\d+)?|(\d+(\.\d+)?h)?(\d+(\.\d+)?m)?(\d+(\.\d+)?s)?)$/;
const DURATION_HINT = 'Seconds, or like 30s, 5m, 1h30m';

/** Seconds from "90", "30s", "5m", "1h30m"; null when the text is not a duration. */
export function durationSeconds(text: string): number | null {
  const t = text.trim();
  if (t === '') return 0;
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const m = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(t);
  if (!m) return null;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

export const alertRuleForm = z
  .object({
    name: z.string().trim().min(1, 'Required').max(255, 'At most 255 characters'),
    description: z.string(),
    enabled: z.boolean(),
    source: z.string().regex(/^[a-z][a-z0-9_]*$/, 'Choose a source'),
    query: z.string().max(10_000, 'At most 10,000 characters'),
    window: z.string(),
    operator: z.enum(OPERATORS),
    threshold: z.number({ error: 'A number' }).refine(Number.isFinite, 'A finite number'),
    forDuration: z.string().regex(DURATION_TEXT, DURATION_HINT),
    severity: z.enum(SEVERITIES),
    webhookUrl: z.union([z.literal(''), z.url({ protocol: /^https?$/, error: 'An http(s) URL' })]),
  })
  .superRefine((v, ctx) => {
    const language = QUERY_SOURCES[v.source];
    if (language !== undefined && v.query.trim() === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['query'],
        message: language === 'sql' ? 'Required: one SELECT returning a numeric value column' : 'Required: PromQL giving an instant vector',
      });
    }
    if (v.source === WINDOWED_SOURCE) {
      const seconds = DURATION_TEXT.test(v.window.trim()) ? durationSeconds(v.window) : null;
      if (seconds === null || seconds <= 0) ctx.addIssue({ code: 'custom', path: ['window'], message: `Longer than zero: ${DURATION_HINT}` });
    }
  });
export type AlertRuleForm = z.infer<typeof alertRuleForm>;

export const NEW_RULE: AlertRuleForm = {
  name: '',
  description: '',
  enabled: true,
  source: 'cert_expiry',
  query: '',
  window: '5m',
  operator: '<',
  threshold: 14,
  forDuration: '0',
  severity: 'warning',
  webhookUrl: '',
};

/** A starting query per source, shown by the form's "Insert example" (docs/alerts.md). */
export const EXAMPLE_QUERIES: Readonly<Record<string, string>> = {
  prometheus_query: 'max by (namespace, pod) (vllm:num_requests_waiting)',
  clickhouse_query: [
    'SELECT namespace, inference_pool AS pool, countIf(status >= 500) / count() AS value',
    'FROM ngf_inference_logs',
    "WHERE timestamp >= {since:DateTime64(3, 'UTC')} AND timestamp < {until:DateTime64(3, 'UTC')}",
    'GROUP BY namespace, pool',
  ].join('\n'),
};

type Channel = Record<string, unknown> & { type?: string; url?: string };

interface StoredConfig {
  source?: string;
  query?: string | null;
  params?: Record<string, unknown>;
  operator?: AlertRuleForm['operator'];
  threshold?: number;
  for?: number;
  severity?: AlertRuleForm['severity'];
  labels?: Record<string, string>;
}

function windowText(value: unknown): string {
  if (typeof value === 'number') return `${value}s`;
  if (typeof value === 'string') return value;
  return NEW_RULE.window;
}

/** The form's values for a stored rule (the first webhook channel's URL, as redacted). */
export function fromRule(rule: AlertRuleView): AlertRuleForm {
  const c = rule.config as StoredConfig;
  const hook = (rule.notification_channels as Channel[]).find((ch) => ch.type === 'webhook');
  return {
    name: rule.name,
    description: rule.description ?? '',
    enabled: rule.enabled ?? true,
    source: c.source ?? rule.rule_type,
    query: c.query ?? '',
    window: windowText(c.params?.['window']),
    operator: c.operator ?? '<',
    threshold: c.threshold ?? 0,
    forDuration: String(c.for ?? 0),
    severity: c.severity ?? 'warning',
    webhookUrl: hook?.url ?? '',
  };
}

/**
 * The channels to send: the stored ones in their places (a redacted secret sent back at the
 * same place keeps the stored one), the first webhook's URL replaced by the form's (or that
 * webhook dropped when the field is emptied), or a new webhook when there was none.
 */
function channels(url: string, stored: readonly Channel[]): Channel[] {
  const index = stored.findIndex((ch) => ch.type === 'webhook');
  if (index < 0) return url ? [...stored, { type: 'webhook', url, headers: {} }] : [...stored];
  if (!url) return stored.filter((_, i) => i !== index);
  return stored.map((ch, i) => (i === index ? { ...ch, url } : ch));
}

/**
 * The request for the form's values. Editing keeps what the form does not show: the rule's
 * labels, its other channels and (same source) its other params.
 */
export function toAlertRule(v: AlertRuleForm, stored: AlertRuleView | null = null): AlertRuleRequest {
  const old = (stored?.config ?? {}) as StoredConfig;
  const params: Record<string, unknown> = old.source === v.source ? { ...(old.params ?? {}) } : {};
  if (v.source === WINDOWED_SOURCE) params['window'] = durationSeconds(v.window) ?? 0;
  else delete params['window'];
  return {
    name: v.name.trim(),
    description: v.description,
    enabled: v.enabled,
    config: {
      source: v.source,
      query: QUERY_SOURCES[v.source] !== undefined ? v.query : null,
      operator: v.operator,
      threshold: v.threshold,
      for: durationSeconds(v.forDuration) ?? 0,
      severity: v.severity,
      labels: old.labels ?? {},
      params,
    },
    notification_channels: channels(v.webhookUrl.trim(), (stored?.notification_channels ?? []) as Channel[]) as AlertRuleRequest['notification_channels'],
  };
}

/** The form field an API field path (a 422's `causes[].field`) belongs to, if any. */
export function alertRuleField(apiField: string): keyof AlertRuleForm | undefined {
  const f = apiField.replace(/^body\./, '');
  const direct: Record<string, keyof AlertRuleForm> = {
    name: 'name',
    description: 'description',
    enabled: 'enabled',
    'config.source': 'source',
    'config.query': 'query',
    'config.params.window': 'window',
    'config.operator': 'operator',
    'config.threshold': 'threshold',
    'config.for': 'forDuration',
    'config.severity': 'severity',
  };
  if (f in direct) return direct[f];
  if (/^notification_channels\.\d+\.(url|webhook_url)$/.test(f)) return 'webhookUrl';
  return undefined;
}

/** What a test notification found: the source's samples now, and how many meet the condition. */
export interface TestOutcome {
  readonly samples: number | null;
  readonly meetingCondition: number | null;
  readonly deliveries: readonly { readonly target: string; readonly outcome: string; readonly statusCode: number | null; readonly error: string | null }[];
}

/** The counts of a `POST /alerts/rules/{id}/test` answer (the delivery records' annotations). */
export function testOutcome(records: readonly { target: string; outcome: string; status_code?: number | null; error?: string | null; annotations?: Record<string, string> }[]): TestOutcome {
  const annotations = records[0]?.annotations ?? {};
  const count = (key: string) => (annotations[key] === undefined ? null : Number(annotations[key]));
  return {
    samples: count('samples'),
    meetingCondition: count('meeting_condition'),
    deliveries: records.map((r) => ({ target: r.target, outcome: r.outcome, statusCode: r.status_code ?? null, error: r.error ?? null })),
  };
}
