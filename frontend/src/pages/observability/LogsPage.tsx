/**
 * `/observability/logs`: the access-log explorer. The filters live in the URL (links from the
 * overview open it pre-filtered); a search is pinned to an absolute window so its continue
 * tokens stay valid while paging; a row opens a drawer with every column.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { apiMessage, useLogPage } from '../../api/observabilityQueries';
import { useScope } from '../../api/queries';
import { Button, Empty, ErrorBox, Loading, Table, Td, inputClass } from '../../components/ui';
import { RangePicker } from './ObservabilityLayout';
import { METHODS, STATUS_CLASSES, cellText, filtersFromSearch, rowColumns, searchFromFilters, type LogFilters, type StatusClass } from './logFilters';
import { RANGES, windowFor, type Window } from './timeRange';

type Row = Readonly<Record<string, unknown>>;

function statusTone(status: unknown): string {
  const code = Number(status);
  if (code >= 500) return 'text-status-error';
  if (code >= 400) return 'text-status-warning';
  return 'text-status-healthy';
}

function FilterBar({ initial, onApply }: { initial: LogFilters; onApply: (filters: LogFilters) => void }) {
  const [draft, setDraft] = useState(initial);
  const [from, setFrom] = useState(initial);
  if (from !== initial) {
    // The URL changed (a link, back/forward): show what is applied.
    setFrom(initial);
    setDraft(initial);
  }
  const set = <K extends keyof LogFilters>(key: K, value: LogFilters[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(draft);
  };
  const select = `${inputClass} mt-1`;
  return (
    <form onSubmit={submit} aria-label="Log filters" className="grid grid-cols-2 items-end gap-3 rounded-lg border border-line bg-panel p-3 md:grid-cols-4 xl:grid-cols-8">
      <label className="text-xs text-fg-muted">
        Status
        <select className={select} value={draft.statusClass} onChange={(e) => set('statusClass', e.target.value as StatusClass | '')}>
          <option value="">Any</option>
          {STATUS_CLASSES.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </label>
      <label className="text-xs text-fg-muted">
        Method
        <select className={select} value={draft.method} onChange={(e) => set('method', e.target.value)}>
          <option value="">Any</option>
          {METHODS.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </label>
      <label className="text-xs text-fg-muted">
        Route
        <input className={select} value={draft.route} placeholder="route name" onChange={(e) => set('route', e.target.value)} />
      </label>
      <label className="text-xs text-fg-muted">
        Host
        <input className={select} value={draft.host} placeholder="api.example.com" onChange={(e) => set('host', e.target.value)} />
      </label>
      <label className="col-span-2 text-xs text-fg-muted">
        Search path and user agent
        <input className={select} type="search" value={draft.q} placeholder="/v1/chat" onChange={(e) => set('q', e.target.value)} />
      </label>
      <div className="col-span-2 flex flex-wrap items-center gap-2">
        <RangePicker value={draft.range} options={RANGES} onChange={(r) => set('range', r)} />
        <Button type="submit" variant="primary">
          Search
        </Button>
      </div>
    </form>
  );
}

function RowDrawer({ row, onClose }: { row: Row; onClose: () => void }) {
  useEffect(() => {
    document.getElementById('log-row-close')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <aside role="dialog" aria-modal="false" aria-labelledby="log-row-title" className="fixed top-0 right-0 z-40 flex h-full w-full max-w-md flex-col border-l border-line bg-panel shadow-2xl">
      <div className="flex items-center justify-between border-b border-line p-4">
        <h2 id="log-row-title" className="text-sm font-semibold">
          {row['request_id'] ? `Request ${cellText(row['request_id'])}` : `Request at ${new Date(String(row['timestamp'])).toLocaleString()}`}
        </h2>
        <Button id="log-row-close" variant="ghost" onClick={onClose} aria-label="Close request detail">
          Close
        </Button>
      </div>
      <dl className="grid flex-1 grid-cols-[max-content_1fr] content-start gap-x-4 gap-y-1.5 overflow-auto p-4 text-xs">
        {rowColumns(row).map((key) => (
          <div key={key} className="contents">
            <dt className="font-mono text-fg-muted">{key}</dt>
            <dd className="font-mono break-all" data-column={key}>
              {cellText(row[key])}
            </dd>
          </div>
        ))}
      </dl>
    </aside>
  );
}

export function LogsPage() {
  const [params, setParams] = useSearchParams();
  const { namespace } = useScope();
  const filters = filtersFromSearch(params);
  // Searching again with the same filters moves the window up to now.
  const [generation, setGeneration] = useState(0);
  const key = `${searchFromFilters(filters).toString()}|${namespace ?? ''}|${generation}`;
  const apply = (next: LogFilters) => {
    const nextSearch = searchFromFilters(next);
    if (nextSearch.toString() === params.toString()) setGeneration((g) => g + 1);
    else setParams(nextSearch);
  };
  return (
    <div className="space-y-4">
      <FilterBar initial={filters} onApply={apply} />
      {/* A new search (filters, namespace, generation) starts over: new window, first page. */}
      <LogSearch key={key} filters={filters} namespace={namespace} />
    </div>
  );
}

/** One search: pinned to the window it started with; paging moves within it. */
function LogSearch({ filters, namespace }: { filters: LogFilters; namespace: string | null }) {
  const [window] = useState<Window>(() => windowFor(filters.range, Date.now()));
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [selected, setSelected] = useState<Row | null>(null);
  const closeDrawer = useCallback(() => setSelected(null), []);
  const cursor = cursors[cursors.length - 1] ?? null;
  const page = useLogPage(filters, window, cursor);
  const items: readonly Row[] = page.data?.items ?? [];
  return (
    <div className="space-y-4">
      <p className="text-xs text-fg-muted" role="status">
        {namespace ? `Namespace ${namespace}` : 'All namespaces'} · {new Date(window.since).toLocaleString()} – {new Date(window.until).toLocaleString()}
        {page.data && ` · ${page.data.total.toLocaleString()} matching rows`}
      </p>
      {page.error && <ErrorBox error={new Error(apiMessage(page.error))} title="Log query failed" />}
      {page.isPending && <Loading what="Loading access logs" />}
      {page.data && items.length === 0 && <Empty>No access logs match these filters in this window.</Empty>}
      {items.length > 0 && (
        <Table caption="Access logs, newest first" head={['Time', 'Status', 'Method', 'Host', 'Path', 'Namespace / route', 'Latency', '']}>
          {items.map((row, i) => (
            <tr key={`${String(row['request_id'])}-${i}`} className={selected === row ? 'bg-panel-raised' : ''} data-testid="log-row">
              <Td className="text-xs whitespace-nowrap tabular-nums">{new Date(String(row['timestamp'])).toLocaleTimeString()}</Td>
              <Td className={`font-mono text-xs ${statusTone(row['status'])}`}>{cellText(row['status'])}</Td>
              <Td className="font-mono text-xs">{cellText(row['method'])}</Td>
              <Td className="text-xs">{cellText(row['host'])}</Td>
              <Td className="max-w-xs truncate font-mono text-xs">
                <span data-column="path">{cellText(row['path'])}</span>
              </Td>
              <Td className="text-xs">
                <span data-column="namespace">
                  {cellText(row['namespace'])}/{cellText(row['route'])}
                </span>
              </Td>
              <Td className="text-xs tabular-nums">{typeof row['latency_ms'] === 'number' ? `${row['latency_ms'].toFixed(1)} ms` : '—'}</Td>
              <Td>
                <Button variant="ghost" className="text-xs" onClick={() => setSelected(row)} aria-label={`Details of request ${cellText(row['request_id'])}`}>
                  Details
                </Button>
              </Td>
            </tr>
          ))}
        </Table>
      )}
      <div className="flex items-center gap-2">
        {cursors.length > 1 && <Button onClick={() => setCursors((c) => c.slice(0, -1))}>Newer</Button>}
        {page.data?.continue && <Button onClick={() => setCursors((c) => [...c, page.data?.continue ?? null])}>Older</Button>}
        {page.data && <span className="text-xs text-fg-muted">Page {cursors.length}</span>}
      </div>
      {selected && <RowDrawer row={selected} onClose={closeDrawer} />}
    </div>
  );
}
