/**
 * Two panels of spec §3.10.3 read from the inference logs (ClickHouse): where a request's
 * time goes (queue wait → prefill → decode → response) and how models compare on TTFT and
 * throughput.
 */
import type { Range } from '../../api/inferenceQueries';
import { useClusterGet, withQuery } from '../../api/queries';
import type { components } from '../../api/schema.gen';
import { Card, ErrorBox, Loading, Table, Td } from '../../components/ui';
import { phaseBars, sinceOf } from './latencyPanels';

type Schemas = components['schemas'];
type LatencyBreakdown = Schemas['LatencyBreakdown'];
type ModelComparison = Schemas['ModelComparison'];

const PHASE_COLORS: Record<string, string> = {
  queue: 'bg-status-warning',
  prefill: 'bg-accent',
  decode: 'bg-status-healthy',
  response: 'bg-status-unknown',
};

const ms = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(1)} ms`);

export function LatencyBreakdownCard({ namespace, name, range }: { namespace: string; name: string; range: Range }) {
  const query = useClusterGet<LatencyBreakdown>(
    ['inference', 'latency-breakdown', namespace, name, range],
    withQuery('/inference/metrics/latency-breakdown', { namespace, pool: name, since: sinceOf(range) }),
    { refetchInterval: 30_000, retry: false },
  );
  const pool = query.data?.items[0];
  const bars = pool ? phaseBars(pool.phases) : [];
  return (
    <Card title="Request latency breakdown">
      {query.error && <ErrorBox error={query.error} title="Latency breakdown unavailable" />}
      {query.isPending && <Loading what="Loading the latency breakdown" />}
      {query.data && !pool && <p className="text-sm text-fg-muted">No inference logs for this pool in the window.</p>}
      {pool && (
        <div className="space-y-3">
          <p className="text-sm text-fg-muted">
            Mean request {ms(pool.total_avg_ms)} (p50 {ms(pool.total_p50_ms)}, p95 {ms(pool.total_p95_ms)}) over {pool.requests} requests
            {pool.requests_with_phases < pool.requests && `, ${pool.requests_with_phases} of them with phase timings`}.
          </p>
          <div className="flex h-4 w-full overflow-hidden rounded" role="img" aria-label={bars.map((b) => `${b.label} ${Math.round(b.share * 100)}%`).join(', ')}>
            {bars.map((b) => (
              <div key={b.phase} className={PHASE_COLORS[b.phase] ?? 'bg-line'} style={{ width: `${b.share * 100}%` }} />
            ))}
          </div>
          <Table caption="Phases of a request" head={['Phase', 'Mean', 'p50', 'p95']}>
            {pool.phases.map((p) => (
              <tr key={p.phase}>
                <Td>
                  <span aria-hidden="true" className={`mr-2 inline-block size-2 rounded-sm ${PHASE_COLORS[p.phase] ?? 'bg-line'}`} />
                  {p.label}
                </Td>
                <Td>{ms(p.avg_ms)}</Td>
                <Td>{ms(p.p50_ms)}</Td>
                <Td>{ms(p.p95_ms)}</Td>
              </tr>
            ))}
          </Table>
        </div>
      )}
    </Card>
  );
}

export function ModelComparisonCard({ namespace, range }: { namespace: string; range: Range }) {
  const query = useClusterGet<ModelComparison>(
    ['inference', 'model-comparison', namespace, range],
    withQuery('/inference/metrics/model-comparison', { namespace, since: sinceOf(range) }),
    { refetchInterval: 30_000, retry: false },
  );
  const items = query.data?.items ?? [];
  return (
    <Card title={`Model throughput comparison (namespace ${namespace})`}>
      {query.error && <ErrorBox error={query.error} title="Model comparison unavailable" />}
      {query.isPending && <Loading what="Loading the model comparison" />}
      {query.data && items.length === 0 && <p className="text-sm text-fg-muted">No inference logs in the window.</p>}
      {items.length > 0 && (
        <Table caption="Models and pools" head={['Model', 'Pool', 'Requests', 'Errors', 'TTFT p50', 'TTFT p95', 'Output tokens/s']}>
          {items.map((m) => (
            <tr key={`${m.namespace}/${m.pool}/${m.model}`}>
              <Td className="font-medium">{m.model}</Td>
              <Td>{m.pool}</Td>
              <Td>{m.requests}</Td>
              <Td>{(m.error_rate * 100).toFixed(1)} %</Td>
              <Td>{ms(m.ttft_p50_ms)}</Td>
              <Td>{ms(m.ttft_p95_ms)}</Td>
              <Td>{m.output_tokens_per_second.toFixed(1)}</Td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}
