import { useState } from 'react';
import { useTrace, type TraceStep } from '../../api/diagnosticsQueries';
import { Card, ErrorBox } from '../../components/ui';
import { RequestFormFields } from './RequestFormFields';
import { EMPTY_REQUEST, formToBody } from './requestForm';
import { SimulationView } from './SimulationView';

const STATUS_TONE: Record<TraceStep['status'], string> = {
  ok: 'bg-status-healthy',
  miss: 'bg-status-warning',
  error: 'bg-status-error',
  skipped: 'bg-status-unknown',
};
const STATUS_WORD: Record<TraceStep['status'], string> = { ok: 'ok', miss: 'miss', error: 'error', skipped: 'skipped' };

/**
 * Each stage as a row of a waterfall. With durations (from access logs) the bars are
 * placed on a time axis; without them the rows show the order only, never invented times.
 */
export function Waterfall({ steps }: { steps: readonly TraceStep[] }) {
  const timed = steps.every((s) => s.duration_ms != null);
  const total = timed ? steps.reduce((sum, s) => sum + (s.duration_ms ?? 0), 0) || 1 : steps.length;
  const widths = steps.map((s) => (timed ? (s.duration_ms ?? 0) / total : 1 / total));
  return (
    <ol aria-label="Trace waterfall" className="space-y-1.5">
      {steps.map((s, i) => {
        const width = widths[i] ?? 0;
        const left = widths.slice(0, i).reduce((a, b) => a + b, 0);
        return (
          <li key={i} className="grid grid-cols-[7rem_1fr_16rem] items-center gap-3 text-sm" data-testid={`trace-${s.stage}`} data-status={s.status}>
            <span className="font-medium capitalize">{s.stage}</span>
            <div className="relative h-5 rounded bg-surface" aria-hidden="true">
              <div className={`absolute top-0 h-5 rounded ${STATUS_TONE[s.status]}`} style={{ left: `${left * 100}%`, width: `${Math.max(width * 100, 1)}%` }} />
            </div>
            <span className="text-xs">
              <span className="font-medium">{STATUS_WORD[s.status]}</span>
              {timed ? ` · ${s.duration_ms?.toFixed(1) ?? ''} ms` : ''} — {s.summary}
            </span>
          </li>
        );
      })}
    </ol>
  );
}

/** Spec §3.7.2: the request's path gateway → listener → route → policies → upstream. */
export function TracePanel() {
  const [form, setForm] = useState(EMPTY_REQUEST);
  const trace = useTrace();
  const data = trace.data;
  return (
    <div className="space-y-4">
      <Card title="Request">
        <RequestFormFields idPrefix="trace" form={form} onChange={setForm} onSubmit={(f) => trace.mutate(formToBody(f))} submitLabel="Trace" busy={trace.isPending} />
      </Card>
      {trace.error && <ErrorBox error={trace.error} title="The trace was refused" />}
      {data && (
        <>
          <Card title={`Waterfall — ${data.outcome}${data.status != null ? ` (HTTP ${data.status})` : ''}`}>
            <Waterfall steps={data.steps} />
            {!data.steps.every((s) => s.duration_ms != null) && (
              <p className="mt-3 text-xs text-fg-muted">Bars show the order of the stages, not their duration: timings come from access logs.</p>
            )}
          </Card>
          <Card title="Access-log correlation">
            <p className="text-sm">
              {data.logs.available ? 'Correlated with access logs.' : `Not available: ${data.logs.reason}.`}
              {data.logs.request_id && (
                <>
                  {' '}
                  Request id: <code>{data.logs.request_id}</code>
                </>
              )}
            </p>
          </Card>
          <SimulationView result={data.simulation} />
        </>
      )}
    </div>
  );
}
