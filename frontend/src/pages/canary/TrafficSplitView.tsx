import { useTrafficSplit, type ObservedSplit } from '../../api/diagnosticsQueries';
import { Card, ErrorBox, Loading, Table, Tag, Td } from '../../components/ui';

const BAR_TONES = ['bg-sky-500', 'bg-amber-500', 'bg-emerald-500', 'bg-fuchsia-500', 'bg-rose-500'];

function matchText(match: Readonly<Record<string, unknown>>): string {
  const path = match['path'] as { type?: string; value?: string } | undefined;
  const headers = (match['headers'] ?? []) as { name: string; value: string }[];
  const parts = [path ? `${path.type ?? 'PathPrefix'} ${path.value ?? '/'}` : 'any path', ...headers.map((h) => `${h.name}=${h.value}`)];
  if (typeof match['method'] === 'string') parts.unshift(match['method']);
  return parts.join(' · ');
}

function pct(share: number | null | undefined): string {
  return share == null ? '—' : `${Math.round(share * 100)}%`;
}

/** What the access logs saw per backend over the window, and where it drifts from the weights. */
function Observed({ observed }: { observed: ObservedSplit }) {
  return (
    <div className="mt-4 border-t border-line pt-3" data-testid="observed-split">
      <p className="mb-2 text-sm">
        Observed from the access logs, {new Date(observed.since).toLocaleTimeString()}–{new Date(observed.until).toLocaleTimeString()}: {observed.total_requests}{' '}
        request(s){observed.answered_by_gateway > 0 && `, ${observed.answered_by_gateway} answered by the gateway itself`}.{' '}
        <span className="font-medium">{observed.drifted ? `Drift beyond ${pct(observed.tolerance)} of the configured shares.` : 'No drift.'}</span>
      </p>
      <Table caption="Observed split" head={['Rule', 'Backend', 'Requests', 'Configured', 'Observed', 'Drift']}>
        {observed.rules.flatMap((rule) =>
          rule.backends.map((b) => (
            <tr key={`${rule.rule}/${b.upstream}`}>
              <Td>
                {rule.rule}
                {!rule.judged && <span className="block text-xs text-fg-muted">{rule.note ?? `fewer than ${observed.min_requests} requests: not judged`}</span>}
              </Td>
              <Td>
                {b.name}
                {b.port != null ? `:${b.port}` : ''}
              </Td>
              <Td>{b.requests}</Td>
              <Td>{pct(b.configured_share)}</Td>
              <Td>{pct(b.observed_share)}</Td>
              <Td>{b.drifted ? `Yes (${pct(b.deviation)})` : 'No'}</Td>
            </tr>
          )),
        )}
      </Table>
      {(observed.findings ?? []).map((f) => (
        <p key={f} className="mt-2 rounded-md border border-status-warning/50 bg-status-warning/10 p-2 text-sm">
          {f}
        </p>
      ))}
    </div>
  );
}

/** Spec §3.3.2: an HTTPRoute's configured weights per rule, as shares of a bar. */
export function TrafficSplitView({ route }: { route: { namespace: string; name: string } }) {
  const { data, error, isPending } = useTrafficSplit(route);
  if (isPending) return <Loading what="Loading the traffic split" />;
  if (error) return <ErrorBox error={error} title="Cannot read the traffic split" />;
  return (
    <Card title={`Traffic split — HTTPRoute ${data.namespace}/${data.name}`}>
      <ul className="space-y-4" aria-label="Rules">
        {data.rules.map((rule) => (
          <li key={rule.rule} data-testid={`split-rule-${rule.rule}`}>
            <p className="mb-1 text-sm">
              <span className="font-medium">Rule {rule.rule}</span>{' '}
              <span className="text-fg-muted">{(rule.matches ?? []).map(matchText).join(' or ') || 'matches every request'}</span>
              {rule.status_without_forwarding != null && <Tag>answers {rule.status_without_forwarding}</Tag>}
            </p>
            <div className="flex h-6 overflow-hidden rounded border border-line" aria-hidden="true">
              {rule.backends.map((b, i) =>
                b.share > 0 ? (
                  <div key={`${b.namespace}/${b.name}/${b.port ?? ''}`} className={BAR_TONES[i % BAR_TONES.length]} style={{ width: `${b.share * 100}%` }} />
                ) : null,
              )}
            </div>
            <ul className="mt-1 flex flex-wrap gap-x-4 text-xs">
              {rule.backends.map((b, i) => (
                <li key={`${b.namespace}/${b.name}/${b.port ?? ''}`} data-testid="split-backend">
                  <span aria-hidden="true" className={`mr-1 inline-block size-2 rounded-sm ${BAR_TONES[i % BAR_TONES.length]}`} />
                  {b.name}
                  {b.port != null ? `:${b.port}` : ''} weight {b.weight} ({Math.round(b.share * 100)}%){!b.resolved && ` — ${b.reason ?? 'unresolved'}`}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
      {data.observed ? <Observed observed={data.observed} /> : <p className="mt-3 text-xs text-fg-muted">Observed distribution: {data.observed_reason}.</p>}
    </Card>
  );
}
