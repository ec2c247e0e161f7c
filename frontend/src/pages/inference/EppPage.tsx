/** `/inference/pools/:namespace/:name/epp`: the live EPP decision visualizer of one pool. */
import { useParams } from 'react-router';
import { LinkButton } from '../../components/LinkButton';
import { PageHeader } from '../../components/PageHeader';
import { EppVisualizer } from './EppVisualizer';

export function EppPage() {
  const { namespace = '', name = '' } = useParams();
  return (
    <section className="space-y-4">
      <PageHeader title={`EPP decisions · ${name}`} actions={<LinkButton to={`/inference/pools/${namespace}/${name}`}>Pool detail</LinkButton>}>
        {namespace} · how the endpoint picker routes each request across the pool's pods. Click a decision to see why its pod won.
      </PageHeader>
      <EppVisualizer namespace={namespace} pool={name} />
    </section>
  );
}
