/**
 * The alert rules card of Settings: the rules with their condition and last evaluation error,
 * edit/delete, and "Test": read the rule's source once and send a test notification,
 * showing how many samples the source gives now and how many meet the condition (or why
 * the source failed, in which case nothing was sent).
 */
import { useState } from 'react';
import { useAlertRuleList, useDeleteAlertRule, useTestAlertRule } from '../../api/alertQueries';
import type { AlertRuleView } from '../../api/types';
import { Button, Card, Empty, ErrorBox, Loading, Table, Tag, Td } from '../../components/ui';
import { testOutcome } from '../../forms/alertRule';
import { AlertRuleForm } from './AlertRuleForm';

interface Condition {
  source?: string;
  query?: string | null;
  operator?: string;
  threshold?: number;
  severity?: string;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The last test's answer for one rule: counts and deliveries, or the refusal. */
function TestResult({ rule, test }: { rule: AlertRuleView; test: ReturnType<typeof useTestAlertRule> }) {
  if (test.isPending) return <Loading what={`Testing ${rule.name}`} />;
  if (test.error) return <ErrorBox error={test.error} title={`Test of ${rule.name} failed; nothing was sent`} />;
  if (!test.data) return null;
  const outcome = testOutcome(test.data);
  return (
    <div role="status" data-testid="rule-test-result" className="rounded-lg border border-line bg-panel-raised p-3 text-sm">
      <p className="font-medium">
        Test of {rule.name}:{' '}
        {outcome.samples === null ? 'the source gave no counts' : `${plural(outcome.samples, 'sample', 'samples')}, ${outcome.meetingCondition ?? 0} meeting the condition`}
      </p>
      <ul className="mt-1 text-xs text-fg-muted">
        {outcome.deliveries.map((d, i) => (
          <li key={i}>
            {d.outcome === 'delivered' ? 'Delivered' : 'Failed'} to {d.target}
            {d.statusCode !== null && ` (HTTP ${d.statusCode})`}
            {d.error && `: ${d.error}`}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function AlertRulesCard() {
  const rules = useAlertRuleList();
  const del = useDeleteAlertRule();
  const test = useTestAlertRule();
  const [tested, setTested] = useState<AlertRuleView | null>(null);
  const [editing, setEditing] = useState<AlertRuleView | 'new' | null>(null);
  return (
    <Card title="Alert rules" actions={<Button onClick={() => setEditing('new')}>New rule</Button>}>
      {rules.error && <ErrorBox error={rules.error} />}
      {rules.isPending && <Loading what="Loading alert rules" />}
      {rules.data && rules.data.length === 0 && <Empty>No alert rules.</Empty>}
      {rules.data && rules.data.length > 0 && (
        <Table caption="Alert rules" head={['Name', 'Condition', 'Severity', 'Enabled', 'Channels', '']}>
          {rules.data.map((r) => {
            const c = r.config as Condition;
            const channels = (r.notification_channels ?? []).length;
            return (
              <tr key={r.id}>
                <Td className="max-w-60 min-w-36 font-medium">
                  {r.name}
                  {/* Clamped on screen (the full text stays in the DOM for screen readers and the tooltip). */}
                  {r.last_error && (
                    <p className="line-clamp-3 text-xs font-normal break-words text-status-error" title={r.last_error}>
                      Last evaluation: {r.last_error}
                    </p>
                  )}
                </Td>
                <Td className="font-mono text-xs">
                  {c.source} {c.operator} {c.threshold}
                  {c.query && (
                    <p className="max-w-60 truncate text-fg-muted" title={c.query}>
                      {c.query}
                    </p>
                  )}
                </Td>
                <Td>
                  <Tag>{c.severity ?? 'warning'}</Tag>
                </Td>
                <Td>{r.enabled ? 'yes' : 'no'}</Td>
                <Td>{channels}</Td>
                <Td className="whitespace-nowrap">
                  <Button
                    variant="ghost"
                    disabled={channels === 0 || test.isPending}
                    title={channels === 0 ? 'Add a notification channel to send a test' : undefined}
                    aria-label={`Test rule ${r.name}`}
                    onClick={() => {
                      setTested(r);
                      test.mutate(r.id);
                    }}
                  >
                    Test
                  </Button>
                  <Button variant="ghost" onClick={() => setEditing(r)} aria-label={`Edit rule ${r.name}`}>
                    Edit
                  </Button>
                  <Button variant="ghost" onClick={() => del.mutate(r.id)} aria-label={`Delete rule ${r.name}`}>
                    Delete
                  </Button>
                </Td>
              </tr>
            );
          })}
        </Table>
      )}
      {tested && (
        <div className="mt-3">
          <TestResult rule={tested} test={test} />
        </div>
      )}
      {del.error && <ErrorBox error={del.error} />}
      {editing !== null && <AlertRuleForm key={editing === 'new' ? 'new' : editing.id} rule={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
    </Card>
  );
}
