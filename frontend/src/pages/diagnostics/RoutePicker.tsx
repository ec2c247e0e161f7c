import { useObjectLists } from '../../api/queries';
import { CHECK_KINDS, type CheckKind, type RouteKey } from '../../api/diagnosticsQueries';
import { Field, inputClass } from '../../components/ui';

const LIST_PATHS: Record<CheckKind, string> = {
  HTTPRoute: '/httproutes',
  GRPCRoute: '/grpcroutes',
  TLSRoute: '/tlsroutes',
  TCPRoute: '/tcproutes',
  UDPRoute: '/udproutes',
};

export function routeValue(route: RouteKey): string {
  return `${route.kind}/${route.namespace}/${route.name}`;
}

export function parseRouteValue(value: string): RouteKey | null {
  const [kind, namespace, name] = value.split('/');
  if (!kind || !namespace || !name || !(CHECK_KINDS as readonly string[]).includes(kind)) return null;
  return { kind: kind as CheckKind, namespace, name };
}

/**
 * A select of the cluster's routes (of `kinds`, in the header's namespace), by
 * `Kind/namespace/name`. A route given in the URL that is not (yet) listed stays selectable.
 */
export function RoutePicker({
  id,
  label,
  value,
  onChange,
  kinds = CHECK_KINDS,
}: {
  id: string;
  label: string;
  value: RouteKey | null;
  onChange: (route: RouteKey | null) => void;
  kinds?: readonly CheckKind[];
}) {
  const results = useObjectLists(kinds.map((k) => LIST_PATHS[k]));
  const options = results.flatMap((r, i) =>
    (r.data?.items ?? []).map((item) => routeValue({ kind: kinds[i] ?? 'HTTPRoute', namespace: item.metadata.namespace ?? '', name: item.metadata.name })),
  );
  const current = value === null ? '' : routeValue(value);
  if (current && !options.includes(current)) options.unshift(current);
  const loading = results.some((r) => r.isPending);
  return (
    <Field id={id} label={label} hint={loading ? 'Loading routes…' : `${options.length} route(s) in scope`}>
      <select id={id} className={inputClass} value={current} onChange={(e) => onChange(parseRouteValue(e.target.value))}>
        <option value="">Pick a route…</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </Field>
  );
}
