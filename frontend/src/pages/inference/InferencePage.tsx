import { Link } from 'react-router';
import { useInferencePools, useObjects } from '../../api/queries';
import type { Health } from '../../api/types';
import { CreateLink } from '../../components/CreateLink';
import { LinkButton } from '../../components/LinkButton';
import { PageHeader } from '../../components/PageHeader';
import { Card, Empty, ErrorBox, HealthBadge, Loading, Table, Tag, Td, age, healthOf } from '../../components/ui';

function phaseHealth(phase: string | undefined): Health {
  if (phase === 'Ready') return 'healthy';
  if (phase === 'Error') return 'error';
  if (phase === 'Degraded' || phase === 'Provisioning' || phase === 'Pending') return 'degraded';
  return 'unknown';
}

interface StackStatus {
  phase?: string;
  currentReplicas?: number;
  desiredReplicas?: number;
  children?: Record<string, { name?: string; ready?: boolean } | undefined>;
}

/** Inference pools (from the cluster) and the InferenceStacks that declare them. */
export function InferencePage() {
  const pools = useInferencePools();
  const stacks = useObjects('/inferencestacks');
  const poolsMissing = (pools.error as { status?: number } | null)?.status === 404;
  return (
    <section className="space-y-6">
      <PageHeader
        title="Inference"
        actions={
          <>
            <LinkButton to="/inference/gpus">GPU heatmap</LinkButton>
            <LinkButton to="/inference/cost">Cost</LinkButton>
            <CreateLink to="/inference/pools/create" kind="InferenceStack">Create inference pool</CreateLink>
          </>
        }
      >
        InferenceStacks and the InferencePools they run. Open a pool for its metrics, scaling timeline, cost and live EPP decisions.
      </PageHeader>

      <Card title="InferenceStacks">
        {stacks.error && <ErrorBox error={stacks.error} />}
        {stacks.isPending && <Loading what="Loading InferenceStacks" />}
        {stacks.data && stacks.data.items.length === 0 && <Empty>No InferenceStacks. Create one with the wizard.</Empty>}
        {stacks.data && stacks.data.items.length > 0 && (
          <Table caption="InferenceStacks" head={['Name', 'Namespace', 'Model', 'Phase', 'Replicas', 'Children ready', 'Age']}>
            {stacks.data.items.map((s) => {
              const status = (s.status ?? {}) as StackStatus;
              const model = (s.spec?.['model'] ?? {}) as { name?: string; backend?: string; gpuType?: string };
              const children = Object.values(status.children ?? {}).filter((c) => c !== undefined);
              return (
                <tr key={`${s.metadata.namespace}/${s.metadata.name}`}>
                  <Td className="font-medium">{s.metadata.name}{s.metadata['deletionTimestamp'] ? <span className="ml-2"><Tag>deleting</Tag></span> : null}</Td>
                  <Td>{s.metadata.namespace}</Td>
                  <Td className="text-xs">{model.name} <span className="text-fg-muted">({model.backend}, {model.gpuType})</span></Td>
                  <Td><HealthBadge health={phaseHealth(status.phase)} label={status.phase ?? 'Pending'} /></Td>
                  <Td>{status.currentReplicas ?? '—'} / {status.desiredReplicas ?? '—'}</Td>
                  <Td>{children.length ? `${children.filter((c) => c.ready).length}/${children.length}` : '—'}</Td>
                  <Td>{age(s.metadata.creationTimestamp)}</Td>
                </tr>
              );
            })}
          </Table>
        )}
      </Card>

      <Card title="InferencePools">
        {poolsMissing && <Empty>The InferencePool CRD is not installed in this cluster.</Empty>}
        {pools.error && !poolsMissing && <ErrorBox error={pools.error} />}
        {pools.isPending && <Loading what="Loading InferencePools" />}
        {pools.data && pools.data.items.length === 0 && <Empty>No InferencePools yet.</Empty>}
        {pools.data && pools.data.items.length > 0 && (
          <Table caption="InferencePools" head={['Name', 'Namespace', 'Health', 'Selector', 'Target ports', 'Endpoint picker', 'Accepted', 'API']}>
            {pools.data.items.map((p) => (
              <tr key={`${p.namespace}/${p.name}/${p.api_version}`}>
                <Td className="font-medium"><Link to={`/inference/pools/${p.namespace}/${p.name}`} className="underline decoration-line underline-offset-4">{p.name}</Link></Td>
                <Td>{p.namespace}</Td>
                <Td><HealthBadge health={p.health} /></Td>
                <Td className="font-mono text-xs">{Object.entries(p.selector).map(([k, v]) => `${k}=${String(v)}`).join(', ')}</Td>
                <Td>{p.target_ports.join(', ')}</Td>
                <Td className="text-xs">{p.endpoint_picker ? `${p.endpoint_picker.name}:${p.endpoint_picker.port ?? '?'} (${p.endpoint_picker.failure_mode})` : '—'}</Td>
                <Td><HealthBadge health={healthOf(p.accepted)} label={String(p.accepted ?? '—')} /></Td>
                <Td>{p.legacy ? <Tag>v1alpha2</Tag> : <Tag>v1</Tag>}</Td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
    </section>
  );
}
