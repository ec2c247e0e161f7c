import { useCoexistence } from '../../api/migrationQueries';
import { Card, ErrorBox, Loading, Table, Tag, Td } from '../../components/ui';

/** What is left to migrate in this cluster: NGINX Ingress Controller routes and readiness. */
export function CoexistencePanel() {
  const { readiness, overview } = useCoexistence();
  const kic = overview.data?.kic ?? [];
  return (
    <Card title="This cluster: NGINX Ingress Controller beside Gateway API">
      {(readiness.isPending || overview.isPending) && <Loading what="Reading the cluster's routes" />}
      {readiness.error && <ErrorBox error={readiness.error} />}
      {overview.error && <ErrorBox error={overview.error} />}
      {readiness.data && (
        <div className="mb-3 text-sm" data-testid="readiness">
          <p>
            <span className="text-lg font-semibold">{readiness.data.score}%</span> ready: {readiness.data.ready} of {readiness.data.total} Ingress Controller route(s) have a
            Gateway API equivalent, {readiness.data.remaining} remain.
          </p>
          <ul className="mt-1 list-disc pl-5 text-fg-muted">
            {readiness.data.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
            {readiness.data.recommendations.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </div>
      )}
      {kic.length > 0 && (
        <Table caption="NGINX Ingress Controller routes" head={['Resource', 'Host', 'Path', 'Class', 'Confidence', 'Gateway API equivalent']}>
          {kic.slice(0, 200).map((r) => (
            <tr key={`${r.kind}/${r.namespace}/${r.name}/${r.host}/${r.path}`}>
              <Td>
                <Tag>{r.kind}</Tag> {r.namespace}/{r.name}
              </Td>
              <Td className="font-mono text-xs">{r.host || '*'}</Td>
              <Td className="font-mono text-xs">{r.path}</Td>
              <Td>{r.ingress_class ?? '—'}</Td>
              <Td>{r.confidence ?? '—'}</Td>
              <Td>{r.equivalent ?? 'none yet'}</Td>
            </tr>
          ))}
        </Table>
      )}
      {kic.length > 200 && <p className="mt-2 text-xs text-fg-muted">Showing 200 of {kic.length}; pick a namespace in the header to narrow.</p>}
    </Card>
  );
}
