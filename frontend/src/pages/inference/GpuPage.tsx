/** `/inference/gpus`: the GPU utilisation heatmap of every pool in scope. */
import { useState } from 'react';
import type { Range } from '../../api/inferenceQueries';
import { useScope } from '../../api/queries';
import { PageHeader } from '../../components/PageHeader';
import { GpuHeatmap } from './GpuHeatmap';
import { RangeSelect } from './RangeSelect';

export function GpuPage() {
  const { namespace } = useScope();
  const [range, setRange] = useState<Range>('15m');
  return (
    <section className="space-y-4">
      <PageHeader title="GPU utilisation" actions={<RangeSelect value={range} onChange={setRange} />}>
        Every pod GPU of the inference pools{namespace ? ` in ${namespace}` : ''} over time (DCGM), live.
      </PageHeader>
      <GpuHeatmap namespace={namespace} pool={null} range={range} title="Pods × time" />
    </section>
  );
}
