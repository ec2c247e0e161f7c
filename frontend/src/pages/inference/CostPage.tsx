/**
 * `/inference/cost`: the GPU cost of every pool in scope (now: hourly, daily; over the
 * window), the over-provisioning findings the API computed, and the prices used.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { useCost, type Range } from '../../api/inferenceQueries';
import { useScope } from '../../api/queries';
import { PageHeader } from '../../components/PageHeader';
import { Card, Empty, Table, Td } from '../../components/ui';
import { formatMoney, formatNumber } from './chartData';
import { PanelState } from './charts';
import { RangeSelect } from './RangeSelect';

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="rounded-lg border border-line bg-panel p-4">
      <p className="text-xs text-fg-muted uppercase">{label}</p>
      <p className="mt-1 text-2xl font-semibold">{value}</p>
    </div>
  );
}

export function CostPage() {
  const { namespace } = useScope();
  const [range, setRange] = useState<Range>('1h');
  const cost = useCost(namespace, range);
  const report = cost.data;
  const pools = [...(report?.pools ?? [])].sort((a, b) => b.hourly - a.hourly);
  return (
    <section className="space-y-4">
      <PageHeader title="Inference cost" actions={<RangeSelect value={range} onChange={setRange} options={['1h', '6h', '24h']} />}>
        Estimated GPU cost of the inference pools{namespace ? ` in ${namespace}` : ''}: replicas × GPUs per pod × the GPU type's hourly price.
      </PageHeader>
      {(cost.error || cost.isPending) && <PanelState error={cost.error} pending={cost.isPending} empty={false} what="cost estimates" />}
      {report && (
        <>
          <div className="grid grid-cols-1 gap-4 sm:grid-cols-3">
            <Stat label="Hourly, now" value={formatMoney(report.hourly)} />
            <Stat label="Daily, at this size" value={formatMoney(report.daily)} />
            <Stat label={`Last ${range}`} value={formatMoney(report.window_cost)} />
          </div>
          <Card title="Findings">
            {report.findings.length === 0 ? (
              <p className="text-sm text-fg-muted">No pool kept more replicas than it needed over the last {range}.</p>
            ) : (
              <ul className="list-disc space-y-1 pl-5 text-sm" aria-label="Cost findings">
                {report.findings.map((f) => (
                  <li key={f}>{f}</li>
                ))}
              </ul>
            )}
          </Card>
          <Card title="Pools">
            {pools.length === 0 ? (
              <Empty>No inference pools in scope.</Empty>
            ) : (
              <Table caption="Cost per pool" head={['Pool', 'GPU', 'Replicas', 'Hourly', 'Daily', `Last ${range}`, 'Avg replicas / busy', 'Recommended']}>
                {pools.map((p) => (
                  <tr key={`${p.namespace}/${p.pool}`}>
                    <Td className="font-medium">
                      <Link className="underline decoration-line underline-offset-4" to={`/inference/pools/${p.namespace}/${p.pool}`}>
                        {p.namespace}/{p.pool}
                      </Link>
                    </Td>
                    <Td>
                      {p.gpus_per_pod} × {p.gpu_type}
                      <span className="block text-xs text-fg-muted">{p.price_per_gpu_hour === null ? 'no price configured' : `${formatMoney(p.price_per_gpu_hour)}/GPU-hour`}</span>
                    </Td>
                    <Td>{p.replicas}</Td>
                    <Td>{formatMoney(p.hourly)}</Td>
                    <Td>{formatMoney(p.daily)}</Td>
                    <Td>{formatMoney(p.window_cost)}</Td>
                    <Td>
                      {formatNumber(p.avg_replicas)} / {formatNumber(p.avg_busy_pods)}
                    </Td>
                    <Td>{p.recommended_replicas === null ? '—' : `${p.recommended_replicas} (saves ${formatMoney(p.savings_per_day)}/day)`}</Td>
                  </tr>
                ))}
              </Table>
            )}
          </Card>
          <Card title="GPU prices">
            <ul className="flex flex-wrap gap-4 text-sm" aria-label="GPU prices per hour">
              {Object.entries(report.pricing).map(([gpu, price]) => (
                <li key={gpu}>
                  <span className="text-fg-muted">{gpu}</span> {formatMoney(price)}/h
                </li>
              ))}
            </ul>
          </Card>
        </>
      )}
    </section>
  );
}
