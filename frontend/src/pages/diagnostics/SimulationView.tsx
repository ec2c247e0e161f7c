import type { ConditionResult, MatchCandidate, SimulationResult } from '../../api/diagnosticsQueries';
import { Link } from 'react-router';
import { Card, Table, Tag, Td } from '../../components/ui';
import { PassMark } from './verdict';

const OUTCOME_TEXT: Record<SimulationResult['outcome'], string> = {
  forwarded: 'Forwarded to a backend',
  redirected: 'Redirected by the gateway',
  'no-listener': 'No listener accepts the request',
  'no-route': 'No route matches: 404',
  error: 'The gateway answers an error itself',
};

export function candidateName(c: MatchCandidate): string {
  return `${c.kind} ${c.namespace}/${c.name} rule ${c.rule} match ${c.match}`;
}

/** Each condition of a match with ✓/✗, expected against actual. */
export function Conditions({ conditions }: { conditions: readonly ConditionResult[] }) {
  if (conditions.length === 0) return <p className="text-xs text-fg-muted">No conditions: matches every request under its hostname.</p>;
  return (
    <ul className="space-y-1 text-xs">
      {conditions.map((c, i) => (
        <li
          key={i}
          data-passed={c.passed}
          className={`flex flex-wrap items-center gap-2 rounded px-2 py-1 ${c.passed ? 'bg-status-healthy/10' : 'bg-status-error/10'}`}
        >
          <PassMark passed={c.passed} />
          <code className="font-semibold">{c.field}</code>
          <span className="text-fg-muted">{c.match_type}</span>
          <code>{c.expected}</code>
          <span className="text-fg-muted">actual</span>
          <code>{c.actual ?? '(absent)'}</code>
          {c.implementation_specific && <Tag>implementation-specific</Tag>}
        </li>
      ))}
    </ul>
  );
}

/** The simulator's decision: listener, route, rule, match, the losers, filters, backends. */
export function SimulationView({ result }: { result: SimulationResult }) {
  const losers = result.candidates ?? [];
  const backends = result.backends ?? [];
  const policies = result.policies?.policies ?? [];
  return (
    <div className="space-y-4" data-testid="simulation-result">
      <Card title="Decision">
        <p className="text-lg font-semibold" role="status">
          {OUTCOME_TEXT[result.outcome]}
          {result.status != null && <span className="ml-2 font-mono">HTTP {result.status}</span>}
        </p>
        <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-fg-muted">Gateway</dt>
          <dd>{result.gateway ?? '—'}</dd>
          <dt className="text-fg-muted">Listener</dt>
          <dd>{result.listener ?? '—'}</dd>
          <dt className="text-fg-muted">Virtual server</dt>
          <dd className="font-mono">{result.hostname ?? '—'}</dd>
          <dt className="text-fg-muted">Route</dt>
          <dd data-testid="chosen-route">{result.route ? candidateName(result.route) : '—'}</dd>
        </dl>
        {(result.notes ?? []).map((n) => (
          <p key={n} className="mt-2 rounded-md border border-status-warning/50 bg-status-warning/10 p-2 text-sm">
            {n}
          </p>
        ))}
      </Card>
      {result.route && (
        <Card title="Winning match">
          <p className="mb-2 flex flex-wrap items-center gap-3 text-sm font-medium">
            {candidateName(result.route)}
            {result.route.kind === 'HTTPRoute' && (
              <Link
                to={`/routes/canary?route=${encodeURIComponent(`HTTPRoute/${result.route.namespace}/${result.route.name}`)}`}
                className="text-xs font-normal underline decoration-accent underline-offset-4"
              >
                Traffic split and canary
              </Link>
            )}
          </p>
          <Conditions conditions={result.route.conditions ?? []} />
        </Card>
      )}
      <Card title={`Losing candidates (${losers.length})`}>
        {losers.length === 0 ? (
          <p className="text-sm text-fg-muted">No other route rule under this hostname was a candidate.</p>
        ) : (
          <ul className="space-y-3" aria-label="Losing candidates">
            {losers.map((c, i) => (
              <li key={i} className="rounded-md border border-line p-2" data-testid="losing-candidate">
                <p className="mb-1 flex flex-wrap items-center gap-2 text-sm font-medium">
                  {candidateName(c)}
                  {c.shadowed && <Tag>shadowed</Tag>}
                </p>
                <p className="mb-1 text-xs text-fg-muted">
                  {c.matched ? `Matched, but lost on precedence: ${c.lost_by ?? 'a higher-precedence match'}` : 'Did not match: the ✗ conditions below failed'}
                </p>
                <Conditions conditions={c.conditions ?? []} />
              </li>
            ))}
          </ul>
        )}
        {(result.precedence ?? []).length > 0 && (
          <details className="mt-3 text-sm">
            <summary className="cursor-pointer text-fg-muted">Precedence rules applied, in order</summary>
            <ol className="mt-1 list-decimal pl-5 text-xs">
              {(result.precedence ?? []).map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ol>
          </details>
        )}
      </Card>
      {(result.listeners ?? []).length > 0 && (
        <Card title={`Listener candidates (${(result.listeners ?? []).length})`}>
        <Table caption="Listener candidates" head={['Gateway', 'Listener', 'Port', 'Protocol', 'Hostname', 'Chosen', 'Why']}>
          {(result.listeners ?? []).map((l) => (
            <tr key={`${l.gateway}/${l.listener}`}>
              <Td>{l.gateway}</Td>
              <Td>{l.listener}</Td>
              <Td>{l.port ?? '—'}</Td>
              <Td>{l.protocol}</Td>
              <Td className="font-mono text-xs">{l.hostname ?? '*'}</Td>
              <Td>
                <PassMark passed={l.chosen} />
              </Td>
              <Td className="text-xs">{l.reason}</Td>
            </tr>
          ))}
        </Table>
        </Card>
      )}
      {result.filters && (
        <Card title="Filters">
          {(result.filters.applied ?? []).length === 0 ? (
            <p className="text-sm text-fg-muted">No filters applied.</p>
          ) : (
            <ul className="list-disc pl-5 text-sm">
              {(result.filters.applied ?? []).map((f, i) => (
                <li key={i}>
                  <code>{f.type}</code> {f.detail} {f.simulated === false && <Tag>not simulated</Tag>}
                </li>
              ))}
            </ul>
          )}
          <p className="mt-2 text-xs text-fg-muted">
            Upstream request: <code>{result.filters.upstream_host ?? ''}</code> <code>{result.filters.upstream_path ?? ''}</code>
            {result.filters.redirect_location && (
              <>
                {' '}
                · redirect {result.filters.redirect_status} to <code>{result.filters.redirect_location}</code>
              </>
            )}
          </p>
        </Card>
      )}
      {backends.length > 0 && (
        <Table caption="Backend shares" head={['Backend', 'Port', 'Weight', 'Share', 'Resolved']}>
          {backends.map((b) => (
            <tr key={`${b.kind}/${b.namespace}/${b.name}/${b.port ?? ''}`}>
              <Td>
                <Tag>{b.kind}</Tag> {b.namespace}/{b.name}
              </Td>
              <Td>{b.port ?? '—'}</Td>
              <Td>{b.weight}</Td>
              <Td>{Math.round(b.share * 100)}%</Td>
              <Td>
                <PassMark passed={b.resolved} /> {b.reason}
              </Td>
            </tr>
          ))}
        </Table>
      )}
      {policies.length > 0 && (
        <Table caption="Policies in effect" head={['Policy', 'Target', 'Attachment', 'Status', 'Why']}>
          {policies.map((p, i) => (
            <tr key={i}>
              <Td>
                {p.policy.kind} {p.policy.namespace}/{p.policy.name}
              </Td>
              <Td>
                {p.target.kind} {p.target.name}
              </Td>
              <Td>{p.attachment}</Td>
              <Td>{p.status}</Td>
              <Td className="text-xs">{p.reason}</Td>
            </tr>
          ))}
        </Table>
      )}
    </div>
  );
}
