import { useEdition, useObjectLists } from '../api/queries';
import { EnterpriseGate } from '../components/Enterprise';
import { LinkButton } from '../components/LinkButton';
import { PageHeader } from '../components/PageHeader';
import { Card, Empty, ErrorBox, Loading, Table, Tag, Td, age } from '../components/ui';

/** Policy types of the API (`/policies/{type}`); enterprise ones are never fetched on OSS. */
export const POLICY_TYPES = [
  { type: 'ratelimit', kind: 'RateLimitPolicy', enterprise: false },
  { type: 'backendtls', kind: 'BackendTLSPolicy', enterprise: false },
  { type: 'clientsettings', kind: 'ClientSettingsPolicy', enterprise: false },
  { type: 'observability', kind: 'ObservabilityPolicy', enterprise: false },
  { type: 'upstreamsettings', kind: 'UpstreamSettingsPolicy', enterprise: false },
  { type: 'proxysettings', kind: 'ProxySettingsPolicy', enterprise: false },
  { type: 'snippets', kind: 'SnippetsPolicy', enterprise: false },
  { type: 'authentication', kind: 'AuthenticationFilter', enterprise: false },
  { type: 'waf', kind: 'WAFPolicy (App Protect)', enterprise: true },
  { type: 'snippetsfilter', kind: 'SnippetsFilter', enterprise: true },
] as const;

function targetText(spec: Readonly<Record<string, unknown>> | undefined): string {
  const refs = (spec?.['targetRefs'] ?? (spec?.['targetRef'] ? [spec['targetRef']] : [])) as { kind: string; name: string; sectionName?: string }[];
  return refs.map((r) => `${r.kind}/${r.name}${r.sectionName ? `#${r.sectionName}` : ''}`).join(', ') || '—';
}

export function PoliciesPage() {
  const edition = useEdition();
  const enterprise = edition === 'enterprise';
  const types = POLICY_TYPES.filter((t) => edition !== undefined && (enterprise || !t.enterprise));
  const results = useObjectLists(types.map((t) => `/policies/${t.type}`));
  const rows = results.flatMap((r, i) => (r.data?.items ?? []).map((item) => ({ kind: types[i]?.kind ?? '', item })));
  const notServed = types.filter((_, i) => (results[i]?.error as { status?: number } | null)?.status === 404).map((t) => t.kind);
  const failures = results.filter((r) => r.error && (r.error as { status?: number }).status !== 404);
  return (
    <section className="space-y-4">
      <PageHeader title="Policies" actions={<LinkButton to="/policies/create" primary>Create policy</LinkButton>}>Policies attached to gateways, routes and backends.</PageHeader>
      {failures.map((r, i) => <ErrorBox key={i} error={r.error} />)}
      {results.some((r) => r.isPending) && <Loading what="Loading policies" />}
      {rows.length === 0 && !results.some((r) => r.isPending) && <Empty>No policies in this scope.</Empty>}
      {rows.length > 0 && (
        <Table caption="Policies" head={['Name', 'Kind', 'Namespace', 'Targets', 'Age']}>
          {rows.map(({ kind, item }) => (
            <tr key={`${kind}/${item.metadata.namespace}/${item.metadata.name}`}>
              <Td className="font-medium">{item.metadata.name}</Td>
              <Td><Tag>{kind}</Tag></Td>
              <Td>{item.metadata.namespace}</Td>
              <Td className="text-xs">{targetText(item.spec)}</Td>
              <Td>{age(item.metadata.creationTimestamp)}</Td>
            </tr>
          ))}
        </Table>
      )}
      {notServed.length > 0 && <p className="text-sm text-fg-muted">Not installed in this cluster: {notServed.join(', ')}.</p>}
      {!enterprise && (
        <Card title="Enterprise policies">
          <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
            <EnterpriseGate feature="App Protect WAF policies">{null}</EnterpriseGate>
            <EnterpriseGate feature="SnippetsFilter builder">{null}</EnterpriseGate>
          </div>
        </Card>
      )}
    </section>
  );
}
