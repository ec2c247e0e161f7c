import { Link } from 'react-router';
import { useObjectLists } from '../../api/queries';
import type { Health, KubeObject } from '../../api/types';
import { LinkButton } from '../../components/LinkButton';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorBox, HealthBadge, Loading, Table, Tag, Td, age } from '../../components/ui';
import { CreateRouteMenu } from './CreateRouteMenu';

export const ROUTE_KINDS = [
  { kind: 'HTTPRoute', path: '/httproutes' },
  { kind: 'GRPCRoute', path: '/grpcroutes' },
  { kind: 'TLSRoute', path: '/tlsroutes' },
  { kind: 'TCPRoute', path: '/tcproutes' },
  { kind: 'UDPRoute', path: '/udproutes' },
] as const;

type Condition = { type: string; status: string; reason?: string };

/** Accepted across the route's parents, as the controller wrote it. */
export function routeStatus(route: KubeObject): { health: Health; label: string } {
  const parents = (route.status?.['parents'] ?? []) as { conditions?: Condition[] }[];
  const accepted = parents.flatMap((p) => p.conditions ?? []).filter((c) => c.type === 'Accepted');
  if (accepted.length === 0) return { health: 'unknown', label: 'No status' };
  const refused = accepted.find((c) => c.status !== 'True');
  return refused ? { health: 'error', label: refused.reason ?? 'Not accepted' } : { health: 'healthy', label: 'Accepted' };
}

function parentText(route: KubeObject): string {
  const refs = (route.spec?.['parentRefs'] ?? []) as { name: string; namespace?: string; sectionName?: string }[];
  return refs.map((r) => `${r.namespace ? `${r.namespace}/` : ''}${r.name}${r.sectionName ? `#${r.sectionName}` : ''}`).join(', ');
}

export function RoutesPage() {
  const results = useObjectLists(ROUTE_KINDS.map((k) => k.path));
  const rows = results.flatMap((r, i) => (r.data?.items ?? []).map((item) => ({ kind: ROUTE_KINDS[i]?.kind ?? '', item })));
  const errors = results.filter((r) => r.error && (r.error as { status?: number }).status !== 404);
  const loading = results.some((r) => r.isPending);
  return (
    <section>
      <PageHeader
        title="Routes"
        actions={
          <div className="flex items-center gap-2">
            <LinkButton to="/routes/canary">Canary rollouts</LinkButton>
            <CreateRouteMenu />
          </div>
        }
      >
        HTTP, gRPC, TLS, TCP and UDP routes.
      </PageHeader>
      {errors.map((r, i) => <ErrorBox key={i} error={r.error} />)}
      {loading && <Loading what="Loading routes" />}
      {!loading && rows.length === 0 && <Empty>No routes yet.</Empty>}
      {rows.length > 0 && (
        <Table caption="Routes" head={['Name', 'Kind', 'Namespace', 'Hostnames', 'Parents', 'Status', 'Age']}>
          {rows.slice(0, 1000).map(({ kind, item }) => {
            const status = routeStatus(item);
            return (
              <tr key={`${kind}/${item.metadata.namespace}/${item.metadata.name}`}>
                <Td className="font-medium">
                  <Link className="underline-offset-2 hover:underline" to={`/routes/${kind.toLowerCase()}/${encodeURIComponent(item.metadata.namespace ?? '')}/${encodeURIComponent(item.metadata.name)}`}>
                    {item.metadata.name}
                  </Link>
                </Td>
                <Td><Tag>{kind}</Tag></Td>
                <Td>{item.metadata.namespace}</Td>
                <Td className="font-mono text-xs">{((item.spec?.['hostnames'] ?? []) as string[]).join(', ') || '*'}</Td>
                <Td className="text-xs">{parentText(item)}</Td>
                <Td><HealthBadge health={status.health} label={status.label} /></Td>
                <Td>{age(item.metadata.creationTimestamp)}</Td>
              </tr>
            );
          })}
        </Table>
      )}
      {rows.length > 1000 && <p className="mt-2 text-sm text-fg-muted">Showing 1,000 of {rows.length} routes; pick a namespace in the header to narrow.</p>}
    </section>
  );
}
