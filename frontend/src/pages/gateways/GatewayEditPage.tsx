/** `/gateways/:namespace/:name/edit`: the gateway wizard pre-filled from the GatewayBundle. */
import { useState } from 'react';
import { useParams } from 'react-router';
import { useGatewayBundle } from '../../api/bundleQueries';
import type { KubeObject } from '../../api/types';
import { PageHeader } from '../../components/PageHeader';
import { useWriteRefusal } from '../../components/WriteGuard';
import { ErrorBox, Loading } from '../../components/ui';
import { GatewayWizard } from './GatewayWizard';

export function GatewayEditPage() {
  const { namespace = '', name = '' } = useParams();
  const bundle = useGatewayBundle(namespace, name);
  const refusal = useWriteRefusal('GatewayBundle', namespace);
  // The version the edit is based on: the read made on opening (not a cached one), kept
  // while editing — a refetch (e.g. after the save) must not restart the wizard.
  const [base, setBase] = useState<KubeObject | null>(null);
  if (base !== null && (base.metadata.name !== name || base.metadata.namespace !== namespace)) setBase(null);
  else if (base === null && bundle.data && !bundle.isFetching) setBase(bundle.data);
  if (bundle.error && base === null) {
    return (
      <section className="space-y-4">
        <PageHeader title={`Edit gateway ${namespace}/${name}`}>Only a gateway created from a GatewayBundle is edited here.</PageHeader>
        <ErrorBox error={bundle.error} title={`Cannot read GatewayBundle ${namespace}/${name}`} />
      </section>
    );
  }
  if (base === null) return <Loading what="Loading the GatewayBundle" />;
  return (
    <>
      {refusal && (
        <p role="note" className="mb-4 rounded-md border border-status-warning/50 bg-status-warning/10 p-3 text-sm">
          {refusal} You can walk through the answers; saving will be refused.
        </p>
      )}
      <GatewayWizard existing={base as unknown as Record<string, unknown>} />
    </>
  );
}
