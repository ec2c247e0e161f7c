/**
 * The parts of a route's detail page read from the object itself: the status each parent's
 * controller wrote, and the spec — rules, matches, filters, backends with their weights.
 */
import type { KubeObject } from '../../api/types';
import { Card, Empty, HealthBadge, Table, Tag, Td, age } from '../../components/ui';

type Json = Record<string, unknown>;

interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
}

interface ParentRef {
  readonly name: string;
  readonly namespace?: string;
  readonly kind?: string;
  readonly sectionName?: string;
  readonly port?: number;
}

export function parentRefText(ref: ParentRef, routeNamespace: string): string {
  const kind = ref.kind && ref.kind !== 'Gateway' ? `${ref.kind} ` : '';
  return `${kind}${ref.namespace ?? routeNamespace}/${ref.name}${ref.sectionName ? `#${ref.sectionName}` : ''}${ref.port ? `:${ref.port}` : ''}`;
}

/** `status.parents[]`: one table of conditions per parent, as its controller wrote them. */
export function ParentStatus({ route }: { route: KubeObject }) {
  const namespace = route.metadata.namespace ?? '';
  const parents = (route.status?.['parents'] ?? []) as { parentRef: ParentRef; controllerName?: string; conditions?: Condition[] }[];
  return (
    <Card title="Status per parent">
      {parents.length === 0 && <Empty>No controller has written a status for this route yet (no Gateway of a running controller accepted or refused it).</Empty>}
      <div className="space-y-4">
        {parents.map((p) => (
          <div key={`${parentRefText(p.parentRef, namespace)}/${p.controllerName ?? ''}`}>
            <p className="mb-1 text-sm">
              <span className="font-medium">{parentRefText(p.parentRef, namespace)}</span>
              {p.controllerName && <span className="ml-2 font-mono text-xs text-fg-muted">{p.controllerName}</span>}
            </p>
            <Table caption={`Conditions from ${parentRefText(p.parentRef, namespace)}`} head={['Type', 'Status', 'Reason', 'Message', 'Since']}>
              {(p.conditions ?? []).map((c) => (
                <tr key={c.type}>
                  <Td className="font-medium">{c.type}</Td>
                  <Td>
                    <HealthBadge health={c.status === 'True' ? 'healthy' : c.status === 'False' ? 'error' : 'unknown'} label={c.status} />
                  </Td>
                  <Td>{c.reason ?? '—'}</Td>
                  <Td className="text-xs">{c.message ?? ''}</Td>
                  <Td className="text-xs">{c.lastTransitionTime ? age(c.lastTransitionTime) : '—'}</Td>
                </tr>
              ))}
            </Table>
          </div>
        ))}
      </div>
    </Card>
  );
}

/** One match of an HTTPRoute or GRPCRoute rule as a line of text. */
export function matchText(match: Json): string {
  const parts: string[] = [];
  const path = match['path'] as { type?: string; value?: string } | undefined;
  if (path) parts.push(`${path.type ?? 'PathPrefix'} ${path.value ?? '/'}`);
  const method = match['method'];
  if (typeof method === 'string') parts.push(method);
  else if (method && typeof method === 'object') {
    const m = method as { service?: string; method?: string; type?: string };
    parts.push(`${m.type === 'RegularExpression' ? '~' : ''}${m.service ?? '*'}/${m.method ?? '*'}`);
  }
  for (const h of (match['headers'] ?? []) as { name: string; value: string; type?: string }[]) parts.push(`header ${h.name}${h.type === 'RegularExpression' ? ' ~ ' : '='}${h.value}`);
  for (const q of (match['queryParams'] ?? []) as { name: string; value: string }[]) parts.push(`query ${q.name}=${q.value}`);
  return parts.join(' · ') || 'any request';
}

interface BackendRef {
  readonly name: string;
  readonly namespace?: string;
  readonly kind?: string;
  readonly port?: number;
  readonly weight?: number;
}

/** Each backend's share of its rule: weight / sum of weights (unset weight = 1, per Gateway API). */
export function backendShares(backends: readonly BackendRef[]): number[] {
  const weights = backends.map((b) => b.weight ?? 1);
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => (total === 0 ? 0 : w / total));
}

/** `spec.rules[]` with matches, filters and backends (weights and the resulting shares). */
export function RouteRules({ route }: { route: KubeObject }) {
  const namespace = route.metadata.namespace ?? '';
  const rules = (route.spec?.['rules'] ?? []) as Json[];
  if (rules.length === 0) return <Empty>This route has no rules.</Empty>;
  return (
    <ol className="space-y-4" aria-label="Rules">
      {rules.map((rule, i) => {
        const matches = (rule['matches'] ?? []) as Json[];
        const filters = (rule['filters'] ?? []) as { type: string }[];
        const backends = (rule['backendRefs'] ?? []) as BackendRef[];
        const shares = backendShares(backends);
        const name = typeof rule['name'] === 'string' ? ` (${rule['name']})` : '';
        return (
          <li key={i} className="rounded-md border border-line p-3" data-testid={`rule-${i}`}>
            <p className="text-sm font-medium">
              Rule {i + 1}
              {name}
            </p>
            {route.kind !== 'TLSRoute' && route.kind !== 'TCPRoute' && route.kind !== 'UDPRoute' && (
              <p className="mt-1 text-sm">
                <span className="text-fg-muted">Matches: </span>
                {matches.length ? matches.map(matchText).join(' or ') : 'every request'}
              </p>
            )}
            {filters.length > 0 && (
              <p className="mt-1 flex flex-wrap items-center gap-1 text-sm">
                <span className="text-fg-muted">Filters:</span>
                {filters.map((f, j) => (
                  <Tag key={j}>{f.type}</Tag>
                ))}
              </p>
            )}
            {backends.length === 0 ? (
              <p className="mt-2 text-sm text-fg-muted">No backends: the gateway answers these requests itself.</p>
            ) : (
              <div className="mt-2">
                <Table caption={`Backends of rule ${i + 1}`} head={['Backend', 'Kind', 'Port', 'Weight', 'Share']}>
                  {backends.map((b, j) => (
                    <tr key={j}>
                      <Td className="font-medium">
                        {b.namespace && b.namespace !== namespace ? `${b.namespace}/` : ''}
                        {b.name}
                      </Td>
                      <Td>{b.kind ?? 'Service'}</Td>
                      <Td>{b.port ?? '—'}</Td>
                      <Td>{b.weight ?? '1 (default)'}</Td>
                      <Td>{`${Math.round((shares[j] ?? 0) * 1000) / 10}%`}</Td>
                    </tr>
                  ))}
                </Table>
              </div>
            )}
          </li>
        );
      })}
    </ol>
  );
}
