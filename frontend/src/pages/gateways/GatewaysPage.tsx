import { Link } from 'react-router';
import { useGateways } from '../../api/queries';
import type { GatewayView } from '../../api/types';
import { CreateLink } from '../../components/CreateLink';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorBox, HealthBadge, Loading, Table, Tag, Td, age } from '../../components/ui';

function listenerText(l: GatewayView['listeners'][number]): string {
  return `${l.name} ${l.protocol}:${l.port ?? '?'}${l.hostname ? ` ${l.hostname}` : ''}`;
}

export function GatewaysPage() {
  const { data, error, isPending } = useGateways();
  return (
    <section>
      <PageHeader title="Gateways" actions={<CreateLink to="/gateways/create" kind="GatewayBundle">Create gateway</CreateLink>}>
        Gateways in the cluster: status, listeners, attached routes, age.
      </PageHeader>
      {error && <ErrorBox error={error} />}
      {isPending && <Loading what="Loading gateways" />}
      {data && data.items.length === 0 && <Empty>No Gateways yet. Create one with the wizard.</Empty>}
      {data && data.items.length > 0 && (
        <Table caption="Gateways" head={['Name', 'Namespace', 'Class', 'Status', 'Listeners', 'Attached routes', 'Age']}>
          {data.items.map((g) => (
            <tr key={`${g.namespace}/${g.name}`} className="hover:bg-panel-raised">
              <Td>
                <Link className="font-medium underline decoration-line underline-offset-4 hover:decoration-accent" to={`/gateways/${g.namespace}/${g.name}`}>
                  {g.name}
                </Link>
                {g.owners.map((o) => (
                  <span key={`${o.kind}/${o.name}`} className="ml-2">
                    <Tag>{o.kind}</Tag>
                  </span>
                ))}
              </Td>
              <Td>{g.namespace}</Td>
              <Td>{g.gateway_class_name}</Td>
              <Td>
                <HealthBadge health={g.health} label={g.programmed ? 'Programmed' : g.accepted ? 'Accepted' : g.health === 'unknown' ? 'No status' : 'Not programmed'} />
              </Td>
              <Td>
                <ul className="space-y-0.5 font-mono text-xs">
                  {g.listeners.map((l) => (
                    <li key={l.name}>{listenerText(l)}</li>
                  ))}
                </ul>
              </Td>
              <Td>{g.route_count}</Td>
              <Td>{age(g.created_at)}</Td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
