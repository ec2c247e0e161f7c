import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { useCanaryAction, useRollouts, useStartCanary, type CanaryAction, type RolloutView } from '../../api/canaryQueries';
import { useTrafficSplit, type RouteKey } from '../../api/diagnosticsQueries';
import { useClusterGet, withQuery } from '../../api/queries';
import type { KubeObject, ViewPage } from '../../api/types';
import { PageHeader } from '../../components/PageHeader';
import { Button, Card, Empty, ErrorBox, Field, Loading, Table, Tag, Td, inputClass } from '../../components/ui';
import { RoutePicker, parseRouteValue, routeValue } from '../diagnostics/RoutePicker';
import { allowedActions, backendLabel, parseSteps, progressText } from './canary';
import { TrafficSplitView } from './TrafficSplitView';

const ACTION_LABEL: Record<CanaryAction, string> = { pause: 'Pause', resume: 'Resume', promote: 'Promote', abort: 'Abort' };

type Errors = Partial<Record<'canary' | 'steps' | 'interval', string>>;

function StartForm({ route }: { route: RouteKey }) {
  const split = useTrafficSplit(route);
  const services = useClusterGet<ViewPage<KubeObject>>(['services', route.namespace], withQuery('/services', { namespace: route.namespace, limit: 5000 }));
  const start = useStartCanary();
  const [rule, setRule] = useState(0);
  const [stable, setStable] = useState('');
  const [canary, setCanary] = useState('');
  const [canaryPort, setCanaryPort] = useState('');
  const [steps, setSteps] = useState('5, 25, 50, 100');
  const [interval, setIntervalText] = useState('60');
  const [errors, setErrors] = useState<Errors>({});
  const rules = split.data?.rules ?? [];
  const backends = rules.find((r) => r.rule === rule)?.backends ?? [];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found: Errors = {};
    let parsed: number[] = [];
    try {
      parsed = parseSteps(steps);
    } catch (err) {
      found.steps = (err as Error).message;
    }
    if (!canary.trim()) found.canary = 'Name the canary Service.';
    const seconds = Number(interval);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 604800) found.interval = 'Whole seconds, 1 to 604800 (a week).';
    const port = canaryPort.trim() ? Number(canaryPort) : undefined;
    if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) found.canary = 'Port: 1–65535.';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const stableBackend = backends.find((b) => `${b.namespace}/${b.name}/${b.port ?? ''}` === stable);
    start.mutate({
      kind: 'HTTPRoute',
      namespace: route.namespace,
      name: route.name,
      rule,
      canary: { group: '', kind: 'Service', name: canary.trim(), ...(port !== undefined ? { port } : {}) },
      ...(stableBackend ? { stable: { group: stableBackend.group ?? '', kind: stableBackend.kind ?? 'Service', name: stableBackend.name, namespace: stableBackend.namespace, ...(stableBackend.port != null ? { port: stableBackend.port } : {}) } } : {}),
      steps: parsed,
      interval_seconds: seconds,
    });
  };
  const err = (key: keyof Errors) => ({ 'aria-invalid': errors[key] ? true : undefined, 'aria-describedby': errors[key] ? `canary-${key}-error` : undefined });
  return (
    <Card title="Start a canary rollout">
      <form onSubmit={submit} className="space-y-3" noValidate>
        <div className="grid gap-3 md:grid-cols-3">
          <Field id="canary-rule" label="Rule">
            <select id="canary-rule" className={inputClass} value={rule} onChange={(e) => setRule(Number(e.target.value))}>
              {rules.map((r) => (
                <option key={r.rule} value={r.rule}>
                  Rule {r.rule}: {r.backends.map((b) => b.name).join(', ') || 'no backends'}
                </option>
              ))}
              {rules.length === 0 && <option value={0}>Rule 0</option>}
            </select>
          </Field>
          <Field id="canary-stable" label="Stable backend" hint="Default: the rule's one backend that is not the canary.">
            <select id="canary-stable" className={inputClass} value={stable} onChange={(e) => setStable(e.target.value)}>
              <option value="">(the rule's other backend)</option>
              {backends.map((b) => (
                <option key={`${b.namespace}/${b.name}/${b.port ?? ''}`} value={`${b.namespace}/${b.name}/${b.port ?? ''}`}>
                  {backendLabel(b, route.namespace)}
                </option>
              ))}
            </select>
          </Field>
          <div className="grid grid-cols-[1fr_6rem] gap-2">
            <Field id="canary-canary" label="Canary Service" error={errors.canary}>
              <input id="canary-canary" list="canary-services" className={inputClass} value={canary} onChange={(e) => setCanary(e.target.value)} {...err('canary')} />
              <datalist id="canary-services">
                {(services.data?.items ?? []).map((s) => (
                  <option key={s.metadata.name} value={s.metadata.name} />
                ))}
              </datalist>
            </Field>
            <Field id="canary-port" label="Port">
              <input id="canary-port" inputMode="numeric" className={inputClass} value={canaryPort} onChange={(e) => setCanaryPort(e.target.value)} />
            </Field>
          </div>
          <Field id="canary-steps" label="Steps (canary %)" error={errors.steps}>
            <input id="canary-steps" className={inputClass} value={steps} onChange={(e) => setSteps(e.target.value)} {...err('steps')} />
          </Field>
          <Field id="canary-interval" label="Seconds between steps" error={errors.interval}>
            <input id="canary-interval" inputMode="numeric" className={inputClass} value={interval} onChange={(e) => setIntervalText(e.target.value)} {...err('interval')} />
          </Field>
        </div>
        {start.error && <ErrorBox error={start.error} title="The rollout was refused" />}
        <Button type="submit" variant="primary" disabled={start.isPending}>
          {start.isPending ? 'Starting…' : 'Start rollout'}
        </Button>
      </form>
    </Card>
  );
}

function RolloutRow({ r }: { r: RolloutView }) {
  const action = useCanaryAction();
  return (
    <tr data-testid="rollout-row" data-state={r.state}>
      <Td className="font-medium">
        {r.route_namespace}/{r.route_name}
        <span className="block text-xs text-fg-muted">rule {r.rule_index}</span>
      </Td>
      <Td className="text-xs">
        {backendLabel(r.stable_backend, r.route_namespace)} → {backendLabel(r.canary_backend, r.route_namespace)}
      </Td>
      <Td>
        <Tag tone={r.state === 'running' ? 'accent' : 'neutral'}>{r.state}</Tag>
        {r.last_error && <span className="mt-1 block text-xs text-status-error">{r.last_error}</span>}
      </Td>
      <Td>
        <div className="w-40">
          <div className="flex h-2 overflow-hidden rounded bg-sky-500" aria-hidden="true">
            <div className="ml-auto bg-amber-500" style={{ width: `${r.canary_weight}%` }} />
          </div>
          <span className="text-xs">
            {100 - r.canary_weight}% stable / {r.canary_weight}% canary
          </span>
        </div>
      </Td>
      <Td className="text-xs">
        {progressText(r)}
        <span className="block text-fg-muted">steps {r.steps.join(', ')} every {r.interval_seconds}s</span>
        {r.next_step_at && r.state === 'running' && <span className="block text-fg-muted">next at {new Date(r.next_step_at).toLocaleTimeString()}</span>}
      </Td>
      <Td>
        <div className="flex flex-wrap gap-1">
          {allowedActions(r.state).map((a) => (
            <Button
              key={a}
              variant={a === 'promote' ? 'primary' : 'secondary'}
              className="text-xs"
              disabled={action.isPending}
              aria-label={`${ACTION_LABEL[a]} rollout of ${r.route_namespace}/${r.route_name}`}
              onClick={() => action.mutate({ id: r.id, action: a })}
            >
              {ACTION_LABEL[a]}
            </Button>
          ))}
        </div>
        {action.error && <p className="mt-1 text-xs text-status-error">{action.error.message}</p>}
      </Td>
    </tr>
  );
}

/** `/routes/canary`: canary rollouts (spec §3.3.2 "canary deployment helper") and traffic split. */
export function CanaryPage() {
  const [params, setParams] = useSearchParams();
  const route = parseRouteValue(params.get('route') ?? '');
  const rollouts = useRollouts();
  return (
    <section>
      <PageHeader title="Canary rollouts">
        Shift a route rule's traffic from a stable backend to a canary in timed steps; pause, promote or abort (restores the original weights).
      </PageHeader>
      <div className="space-y-4">
        {rollouts.isPending && <Loading what="Loading rollouts" />}
        {rollouts.error && <ErrorBox error={rollouts.error} />}
        {rollouts.data && rollouts.data.items.length === 0 && <Empty>No canary rollouts yet. Pick an HTTPRoute below to start one.</Empty>}
        {rollouts.data && rollouts.data.items.length > 0 && (
          <Table caption="Canary rollouts" head={['Route', 'Stable → canary', 'State', 'Weights', 'Progress', 'Actions']}>
            {rollouts.data.items.map((r) => (
              <RolloutRow key={r.id} r={r} />
            ))}
          </Table>
        )}
        <Card title="Route">
          <div className="max-w-xl">
            <RoutePicker
              id="canary-route"
              label="HTTPRoute"
              kinds={['HTTPRoute']}
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
        {route && (
          <>
            <TrafficSplitView route={route} />
            <StartForm key={routeValue(route)} route={route} />
          </>
        )}
      </div>
    </section>
  );
}
