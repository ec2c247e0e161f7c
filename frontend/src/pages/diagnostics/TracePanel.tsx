import { useState } from 'react';
import { useTrace, type Correlation, type TraceStep } from '../../api/diagnosticsQueries';
import { Card, ErrorBox, Field, Table, Td, inputClass } from '../../components/ui';
import { RequestFormFields } from './RequestFormFields';
import { EMPTY_REQUEST, formToBody } from './requestForm';
import { SimulationView } from './SimulationView';
import { PassMark } from './verdict';
import { segmentBars } from './waterfall';

const STATUS_TONE: Record<TraceStep['status'], string> = {
  ok: 'bg-status-healthy',
  miss: 'bg-status-warning',
  error: 'bg-status-error',
  skipped: 'bg-status-unknown',
};

/** The stages in order: gateway → listener → route → filters → policies → upstream → response. */
export function StageList({ steps }: { steps: readonly TraceStep[] }) {
  return (
    <ol aria-label="Trace stages" className="space-y-1.5">
      {steps.map((s, i) => (
        <li key={i} className="grid grid-cols-[7rem_5rem_1fr] items-start gap-3 text-sm" data-testid={`trace-${s.stage}`} data-status={s.status}>
          <span className="font-medium capitalize">
            <span aria-hidden="true" className={`mr-2 inline-block size-2.5 rounded-full ${STATUS_TONE[s.status]}`} />
            {s.stage}
          </span>
          <span className="text-xs">
            {s.status}
            {s.duration_ms != null ? ` · ${s.duration_ms.toFixed(1)} ms` : ''}
          </span>
          <span className="text-xs">{s.summary}</span>
        </li>
      ))}
    </ol>
  );
}

/** The observed request's timings from its access-log row, as bars on one time axis. */
export function Waterfall({ logs }: { logs: Correlation }) {
  const { bars, totalMs } = segmentBars(logs.segments ?? []);
  if (bars.length === 0) return <p className="text-sm text-fg-muted">No timings: {logs.available ? 'the matched log row has none' : 'no access-log row was matched'}.</p>;
  return (
    <div>
      <ol aria-label="Trace waterfall" className="space-y-1.5">
        {bars.map((b) => (
          <li key={b.name} className="grid grid-cols-[10rem_1fr_9rem] items-center gap-3 text-sm" data-testid="waterfall-bar">
            <span style={{ paddingLeft: `${b.depth}rem` }}>{b.name}</span>
            <div className="relative h-5 rounded bg-surface" aria-hidden="true">
              <div className="absolute top-0 h-5 rounded bg-accent/80" style={{ left: `${b.left}%`, width: `${b.width}%` }} />
            </div>
            <span className="text-xs">
              {b.durationMs.toFixed(1)} ms{b.approximate ? ' (start inferred)' : ''}
            </span>
          </li>
        ))}
      </ol>
      <p className="mt-2 text-xs text-fg-muted">
        Axis 0–{totalMs.toFixed(1)} ms, from the access-log columns {[...new Set(bars.map((b) => b.source))].join(', ')}.
        {(logs.missing_timings ?? []).length > 0 && ` Not logged: ${(logs.missing_timings ?? []).join(', ')}.`}
      </p>
    </div>
  );
}

function CorrelationCard({ logs }: { logs: Correlation }) {
  const observed = logs.observed;
  return (
    <Card title="Access-log correlation">
      <p className="text-sm" data-testid="correlation">
        {logs.available ? `Matched by ${logs.matched_by ?? 'id'}.` : `Not available: ${logs.reason}`}
        {logs.agrees != null && <span className="ml-2 font-medium">{logs.agrees ? 'The logs agree with the simulation.' : 'The logs disagree with the simulation.'}</span>}
      </p>
      {observed && (
        <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-fg-muted">Logged</dt>
          <dd>
            {new Date(observed.timestamp).toLocaleString()} · {observed.method} {observed.host}
            {observed.path} → HTTP {observed.status}
          </dd>
          <dt className="text-fg-muted">Route / upstream</dt>
          <dd>
            {observed.route || '—'} → {observed.upstream || '—'} {observed.upstream_addr && `(${observed.upstream_addr})`}
          </dd>
          <dt className="text-fg-muted">Latency</dt>
          <dd>
            {observed.latency_ms.toFixed(1)} ms total, {observed.upstream_latency_ms.toFixed(1)} ms upstream
          </dd>
          <dt className="text-fg-muted">Ids</dt>
          <dd className="font-mono text-xs">
            {observed.request_id || '—'} / {observed.trace_id || '—'}
          </dd>
        </dl>
      )}
      {(logs.findings ?? []).length > 0 && (
        <div className="mt-3">
          <Table caption="Simulated against observed" head={['Aspect', 'Simulated', 'Observed', 'Agrees', 'Why']}>
            {(logs.findings ?? []).map((f) => (
              <tr key={f.aspect}>
                <Td className="capitalize">{f.aspect}</Td>
                <Td className="text-xs">{f.simulated ?? '—'}</Td>
                <Td className="text-xs">{f.observed ?? '—'}</Td>
                <Td>
                  <PassMark passed={f.agrees} />
                </Td>
                <Td className="text-xs">{f.message}</Td>
              </tr>
            ))}
          </Table>
        </div>
      )}
      <p className="mt-2 text-xs text-fg-muted">
        {(logs.access_logs ?? []).length} access-log row(s), {(logs.epp_decisions ?? []).length} EPP decision(s), {(logs.inference_logs ?? []).length} inference log row(s).
      </p>
    </Card>
  );
}

/** Spec §3.7.2: the request's path gateway → listener → route → policies → upstream, with logs. */
export function TracePanel() {
  const [form, setForm] = useState(EMPTY_REQUEST);
  const [requestId, setRequestId] = useState('');
  const [traceId, setTraceId] = useState('');
  const traceIdError = traceId.trim() && !/^[0-9a-f]{32}$/i.test(traceId.trim()) ? 'A W3C trace id: 32 hex digits.' : undefined;
  const trace = useTrace();
  const data = trace.data;
  return (
    <div className="space-y-4">
      <Card title="Request">
        <div className="mb-4 grid gap-3 md:grid-cols-2">
          <Field id="trace-request-id" label="Request id (optional)" hint="Correlates with the access log's request_id.">
            <input id="trace-request-id" className={inputClass} value={requestId} onChange={(e) => setRequestId(e.target.value)} />
          </Field>
          <Field id="trace-trace-id" label="Trace id (optional)" error={traceIdError}>
            <input
              id="trace-trace-id"
              className={inputClass}
              value={traceId}
              onChange={(e) => setTraceId(e.target.value)}
              aria-invalid={traceIdError ? true : undefined}
              aria-describedby={traceIdError ? 'trace-trace-id-error' : undefined}
            />
          </Field>
        </div>
        <RequestFormFields
          idPrefix="trace"
          form={form}
          onChange={setForm}
          onSubmit={(f) => {
            if (traceIdError) return;
            trace.mutate({ ...formToBody(f), ...(requestId.trim() ? { request_id: requestId.trim() } : {}), ...(traceId.trim() ? { trace_id: traceId.trim() } : {}) });
          }}
          submitLabel="Trace"
          busy={trace.isPending}
        />
      </Card>
      {trace.error && <ErrorBox error={trace.error} title="The trace was refused" />}
      {data && (
        <div className="space-y-4" data-testid="trace-results">
          <Card title={`Path — ${data.outcome}${data.status != null ? ` (HTTP ${data.status})` : ''}`}>
            <StageList steps={data.steps} />
          </Card>
          <Card title="Waterfall">
            <Waterfall logs={data.logs} />
          </Card>
          <CorrelationCard logs={data.logs} />
          <SimulationView result={data.simulation} />
        </div>
      )}
    </div>
  );
}
