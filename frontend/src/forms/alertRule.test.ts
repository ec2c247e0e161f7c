import { describe, expect, it } from 'vitest';
import type { AlertRuleView } from '../api/types';
import { NEW_RULE, alertRuleField, alertRuleForm, durationSeconds, fromRule, testOutcome, toAlertRule, type AlertRuleForm } from './alertRule';

const paths = (input: unknown) => (alertRuleForm.safeParse(input).error?.issues ?? []).map((i) => i.path.join('.'));
const sql: AlertRuleForm = { ...NEW_RULE, name: 'errors', source: 'clickhouse_query', query: 'SELECT 1 AS value', window: '10m', operator: '>', threshold: 0.05 };
const promql: AlertRuleForm = { ...NEW_RULE, name: 'queue', source: 'prometheus_query', query: 'max(vllm:num_requests_waiting)', operator: '>', threshold: 20, forDuration: '2m' };

function stored(config: Record<string, unknown>, channels: Record<string, unknown>[] = []): AlertRuleView {
  return {
    id: '6f1c9a52-7d55-4f8e-9d8a-2f0f6f7b1a10',
    name: 'stored',
    description: '',
    enabled: true,
    rule_type: String(config['source']),
    config,
    notification_channels: channels,
    created_at: '2026-11-23T00:00:00Z',
    updated_at: '2026-11-23T00:00:00Z',
  } as AlertRuleView;
}

describe('durationSeconds', () => {
  it('reads seconds and h/m/s durations', () => {
    expect(durationSeconds('90')).toBe(90);
    expect(durationSeconds('1h30m')).toBe(5400);
    expect(durationSeconds('2.5m')).toBe(150);
    expect(durationSeconds('')).toBe(0);
    expect(durationSeconds('5 minutes')).toBeNull();
  });
});

describe('alert rule form rules', () => {
  it('accepts a certificate rule without a query', () => {
    expect(paths({ ...NEW_RULE, name: 'certs' })).toEqual([]);
  });
  it('needs a query for the query sources, and a window longer than zero for SQL', () => {
    expect(paths(sql)).toEqual([]);
    expect(paths(promql)).toEqual([]);
    expect(paths({ ...sql, query: '  ' })).toEqual(['query']);
    expect(paths({ ...promql, query: '' })).toEqual(['query']);
    expect(paths({ ...sql, window: '0' })).toEqual(['window']);
    expect(paths({ ...sql, window: 'soon' })).toEqual(['window']);
    // The window only matters to SQL rules.
    expect(paths({ ...promql, window: '' })).toEqual([]);
  });
  it('checks name, threshold, duration and webhook', () => {
    expect(paths({ ...sql, name: ' ' })).toEqual(['name']);
    expect(paths({ ...sql, threshold: Number.NaN })).toEqual(['threshold']);
    expect(paths({ ...sql, forDuration: '5 min' })).toEqual(['forDuration']);
    expect(paths({ ...sql, webhookUrl: 'ftp://hooks.example.com/x' })).toEqual(['webhookUrl']);
    expect(paths({ ...sql, webhookUrl: 'https://hooks.example.com/x' })).toEqual([]);
  });
});

describe('toAlertRule', () => {
  it('writes a SQL rule with its query and window in seconds', () => {
    expect(toAlertRule({ ...sql, webhookUrl: 'https://hooks.example.com/a' })).toEqual({
      name: 'errors',
      description: '',
      enabled: true,
      config: { source: 'clickhouse_query', query: 'SELECT 1 AS value', operator: '>', threshold: 0.05, for: 0, severity: 'warning', labels: {}, params: { window: 600 } },
      notification_channels: [{ type: 'webhook', url: 'https://hooks.example.com/a', headers: {} }],
    });
  });
  it('sends no query or window for a certificate rule', () => {
    const body = toAlertRule({ ...NEW_RULE, name: 'certs', query: 'left over', forDuration: '1h' });
    expect(body.config).toMatchObject({ source: 'cert_expiry', query: null, params: {}, for: 3600 });
    expect(body.notification_channels).toEqual([]);
  });
  it('keeps what the form does not show when editing: labels, other params and channels in place', () => {
    const rule = stored(
      { source: 'cert_expiry', operator: '<', threshold: 7, for: 0, severity: 'critical', labels: { team: 'edge' }, params: { namespace: 'prod' } },
      [
        { type: 'slack', webhook_url: 'https://hooks.slack.com/***' },
        { type: 'webhook', url: 'https://hooks.example.com/***', headers: { Authorization: '***' } },
      ],
    );
    const form = fromRule(rule);
    expect(form).toMatchObject({ source: 'cert_expiry', threshold: 7, severity: 'critical', webhookUrl: 'https://hooks.example.com/***' });
    const body = toAlertRule({ ...form, threshold: 3 }, rule);
    expect(body.config).toMatchObject({ threshold: 3, labels: { team: 'edge' }, params: { namespace: 'prod' } });
    expect(body.notification_channels).toEqual(rule.notification_channels);
    // Emptying the webhook field drops that channel only.
    expect(toAlertRule({ ...form, webhookUrl: '' }, rule).notification_channels).toEqual([{ type: 'slack', webhook_url: 'https://hooks.slack.com/***' }]);
  });
  it('drops the old source’s params when the source changes', () => {
    const rule = stored({ source: 'cert_expiry', operator: '<', threshold: 7, params: { namespace: 'prod' } });
    expect(toAlertRule({ ...fromRule(rule), ...sql }, rule).config.params).toEqual({ window: 600 });
  });
  it('reads a stored SQL rule back', () => {
    const rule = stored({ source: 'clickhouse_query', query: 'SELECT 2 AS value', operator: '>=', threshold: 1, for: 120, severity: 'info', params: { window: 300 } });
    expect(fromRule(rule)).toMatchObject({ source: 'clickhouse_query', query: 'SELECT 2 AS value', window: '300s', operator: '>=', forDuration: '120', severity: 'info' });
    expect(toAlertRule(fromRule(rule), rule).config.params).toEqual({ window: 300 });
  });
});

describe('alertRuleField', () => {
  it('puts the API’s 422 causes on the form’s fields', () => {
    expect(alertRuleField('body.config.query')).toBe('query');
    expect(alertRuleField('body.config.params.window')).toBe('window');
    expect(alertRuleField('body.config.for')).toBe('forDuration');
    expect(alertRuleField('body.config.source')).toBe('source');
    expect(alertRuleField('body.name')).toBe('name');
    expect(alertRuleField('body.notification_channels.0.url')).toBe('webhookUrl');
    expect(alertRuleField('body.config.params.namespace')).toBeUndefined();
  });
});

describe('testOutcome', () => {
  it('reads the counts from the delivery records’ annotations', () => {
    const outcome = testOutcome([
      { target: 'http://127.0.0.1:9', outcome: 'failed', status_code: null, error: 'connection refused', annotations: { samples: '3', meeting_condition: '2' } },
    ]);
    expect(outcome).toEqual({ samples: 3, meetingCondition: 2, deliveries: [{ target: 'http://127.0.0.1:9', outcome: 'failed', statusCode: null, error: 'connection refused' }] });
    expect(testOutcome([]).samples).toBeNull();
  });
});
