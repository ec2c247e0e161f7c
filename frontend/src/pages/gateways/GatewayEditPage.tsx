/** `/gateways/:namespace/:name/edit`: the gateway wizard pre-filled from the GatewayBundle. */
import { useParams } from 'react-router';
import { useGatewayBundle } from '../../api/bundleQueries';
import { PageHeader } from '../../components/PageHeader';
import { useWriteRefusal } from '../../components/WriteGuard';
import { ErrorBox, Loading } from '../../components/ui';
import { GatewayWizard } from './GatewayWizard';

export function GatewayEditPage() {
  const { namespace = '', name = '' } = useParams();
  const bundle = useGatewayBundle(namespace, name);
  const refusal = useWriteRefusal('GatewayBundle', namespace);
  if (bundle.isPending) return <Loading what="Loading the GatewayBundle" />;
  if (bundle.error) {
    return (
      <section className="space-y-4">
        <PageHeader title={`Edit gateway ${namespace}/${name}`}>Only a gateway created from a GatewayBundle is edited here.</PageHeader>
        <ErrorBox error={bundle.error} title={`Cannot read GatewayBundle ${namespace}/${name}`} />
      </section>
    );
  }
  return (
    <>
      {refusal && (
        <p role="note" className="mb-4 rounded-md border border-status-warning/50 bg-status-warning/10 p-3 text-sm">
          {refusal} You can walk through the answers; saving will be refused.
        </p>
      )}
      {/* Keyed by the spec generation: if the read on opening brings a newer spec than a cached one, start from it. */}
      <GatewayWizard key={String(bundle.data.metadata['generation'] ?? '')} existing={bundle.data as unknown as Record<string, unknown>} />
    </>
  );
}
