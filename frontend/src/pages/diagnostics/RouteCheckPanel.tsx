import { useSearchParams } from 'react-router';
import { useRouteCheck, type CheckResult } from '../../api/diagnosticsQueries';
import { Card, Empty, ErrorBox, Loading } from '../../components/ui';
import { RoutePicker, parseRouteValue, routeValue } from './RoutePicker';
import { VerdictBadge } from './verdict';

function CheckStep({ check, isFirstFailure }: { check: CheckResult; isFirstFailure: boolean }) {
  const tone = {
    pass: 'border-status-healthy/50',
    warn: 'border-status-warning/60 bg-status-warning/5',
    fail: 'border-status-error/60 bg-status-error/5',
    skip: 'border-line',
  }[check.status];
  return (
    <li className={`rounded-lg border-l-4 border ${tone} bg-panel p-3`} data-testid={`check-${check.id}`} data-status={check.status}>
      <div className="flex flex-wrap items-center gap-3">
        <span className="flex size-6 items-center justify-center rounded-full border border-line text-xs" aria-hidden="true">
          {check.step}
        </span>
        <h3 className="text-sm font-semibold">{check.title}</h3>
        <span className="ml-auto">
          <VerdictBadge status={check.status} />
        </span>
      </div>
      <p className="mt-2 text-sm">
        {isFirstFailure && <strong className="mr-1">First failure:</strong>}
        {check.summary}
      </p>
      {(check.evidence ?? []).length > 0 && (
        <details className="mt-2 text-sm" open={check.status === 'fail' || check.status === 'warn'}>
          <summary className="cursor-pointer text-fg-muted">Evidence ({(check.evidence ?? []).length})</summary>
          <ul className="mt-1 list-disc space-y-0.5 pl-5 font-mono text-xs">
            {(check.evidence ?? []).map((e, i) => (
              <li key={i}>{e}</li>
            ))}
          </ul>
        </details>
      )}
      {check.remediation && (
        <p className="mt-2 rounded-md border border-line bg-surface p-2 text-sm">
          <span className="font-medium">Fix: </span>
          {check.remediation}
        </p>
      )}
    </li>
  );
}

/** "Why isn't my route working?": the eight checks of spec §3.7.1, in order. */
export function RouteCheckPanel() {
  const [params, setParams] = useSearchParams();
  const route = parseRouteValue(params.get('route') ?? '');
  const report = useRouteCheck(route);
  return (
    <div className="space-y-4">
      <Card title="Route">
        <div className="max-w-xl">
          <RoutePicker
            id="route-check-route"
            label="Route to check"
            value={route}
            onChange={(r) => {
              const next = new URLSearchParams(params);
              if (r) next.set('route', routeValue(r));
              else next.delete('route');
              setParams(next, { replace: true });
            }}
          />
        </div>
      </Card>
      {route === null && <Empty>Pick a route to run the eight checks: status, attachment, listener, precedence, backends, policies, TLS, connectivity.</Empty>}
      {route !== null && report.isPending && <Loading what="Checking the route" />}
      {report.error && <ErrorBox error={report.error} title="The route check failed" />}
      {report.data && (
        <Card
          title={`${report.data.kind} ${report.data.namespace}/${report.data.name}`}
          actions={
            <span className="flex items-center gap-2 text-sm">
              Overall: <VerdictBadge status={report.data.status} />
            </span>
          }
        >
          <ol aria-label="Route checks" className="space-y-2">
            {report.data.checks.map((c) => (
              <CheckStep key={c.id} check={c} isFirstFailure={c.id === report.data.first_failure} />
            ))}
          </ol>
        </Card>
      )}
    </div>
  );
}
