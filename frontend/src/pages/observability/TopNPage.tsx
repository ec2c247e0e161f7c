/**
 * `/observability/topn`: busiest, most erroring and slowest routes, top user agents and the
 * status mix over a range, read from the access-log rollups (`GET /logs/topn`).
 */
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { apiMessage, useTopN, type TopNKind } from '../../api/observabilityQueries';
import { Card, Empty, ErrorBox, Loading } from '../../components/ui';
import { LiveToggle, RangePicker, useLiveWindow, useRange } from './ObservabilityLayout';
import { formatMs, formatShare } from './series';
import { RANGES, type Window } from './timeRange';

type Item = Readonly<Record<string, unknown>>;

interface Column {
  readonly label: string;
  readonly cell: (item: Item) => ReactNode;
  readonly numeric?: boolean;
}

/** A column holding a route's name, linking to its RED view. */
function routeCell(item: Item): ReactNode {
  const ns = String(item['namespace'] ?? '');
  const route = String(item['route'] ?? '');
  if (!route) return <span className="text-fg-muted">{ns || '—'}/(no route)</span>;
  return (
    <Link className="underline decoration-fg-muted/50 underline-offset-2" to={`/observability/route/${encodeURIComponent(ns)}/${encodeURIComponent(route)}`}>
      {ns}/{route}
    </Link>
  );
}

const num = (key: string) => (item: Item) => Number(item[key] ?? 0).toLocaleString();
const ROUTE: Column = { label: 'Route', cell: routeCell };

/** The measure a panel's bars are drawn from. */
const BAR_KEY: Record<TopNKind, string> = { routes: 'requests', errors: 'errors', slowest: 'p95_ms', user_agents: 'requests', status: 'requests' };

const PANELS: readonly { kind: TopNKind; title: string; columns: readonly Column[] }[] = [
  { kind: 'routes', title: 'Busiest routes', columns: [ROUTE, { label: 'Requests', cell: num('requests'), numeric: true }, { label: 'Avg', cell: (i) => formatMs(Number(i['avg_ms'])), numeric: true }] },
  {
    kind: 'errors',
    title: 'Most erroring routes (5xx)',
    columns: [ROUTE, { label: '5xx', cell: num('errors'), numeric: true }, { label: 'Error rate', cell: (i) => formatShare(Number(i['error_rate'])), numeric: true }],
  },
  {
    kind: 'slowest',
    title: 'Slowest routes',
    columns: [ROUTE, { label: 'p95', cell: (i) => formatMs(Number(i['p95_ms'])), numeric: true }, { label: 'p99', cell: (i) => formatMs(Number(i['p99_ms'])), numeric: true }],
  },
  {
    kind: 'user_agents',
    title: 'Top user agents',
    columns: [
      { label: 'User agent', cell: (i) => <span className="break-all">{String(i['user_agent'] || '(none)')}</span> },
      { label: 'Requests', cell: num('requests'), numeric: true },
      { label: 'Errors', cell: num('errors'), numeric: true },
    ],
  },
  { kind: 'status', title: 'Status mix', columns: [{ label: 'Class', cell: (i) => String(i['status_class']) }, { label: 'Requests', cell: num('requests'), numeric: true }] },
];

/** Each item's share of the panel's largest (or, for the status mix, of the total) value. */
export function barShares(items: readonly Item[], key: string, ofTotal: boolean): number[] {
  const values = items.map((i) => Math.max(0, Number(i[key] ?? 0)) || 0);
  const base = ofTotal ? values.reduce((a, b) => a + b, 0) : Math.max(0, ...values);
  return values.map((v) => (base > 0 ? v / base : 0));
}

function Panel({ kind, title, columns, window }: { kind: TopNKind; title: string; columns: readonly Column[]; window: Window }) {
  const answer = useTopN(kind, window);
  const items: readonly Item[] = answer.data?.items ?? [];
  const shares = barShares(items, BAR_KEY[kind], kind === 'status');
  return (
    <Card title={title} actions={answer.data && <span className="text-xs text-fg-muted">rollup {answer.data.rollup}</span>}>
      {answer.error && <ErrorBox error={new Error(apiMessage(answer.error))} title={`${title} unavailable`} />}
      {answer.isPending && <Loading what={`Loading ${title.toLowerCase()}`} />}
      {answer.data && items.length === 0 && <Empty>Nothing in this range.</Empty>}
      {items.length > 0 && (
        <table className="w-full text-left text-sm" data-testid={`topn-${kind}`}>
          <caption className="sr-only">{title}</caption>
          <thead className="text-xs tracking-wide text-fg-muted uppercase">
            <tr>
              {columns.map((c) => (
                <th key={c.label} scope="col" className={`py-1 pr-2 font-medium ${c.numeric ? 'text-right' : ''}`}>
                  {c.label}
                </th>
              ))}
              {kind === 'status' && (
                <th scope="col" className="py-1 font-medium">
                  Share
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {items.map((item, i) => (
              <tr key={i} className="border-t border-line">
                {columns.map((c, ci) => (
                  <td key={c.label} className={`relative py-1.5 pr-2 align-top ${c.numeric ? 'text-right tabular-nums' : ''}`}>
                    {ci === 0 && kind !== 'status' && (
                      <span aria-hidden className="absolute inset-y-1 left-0 rounded-sm bg-accent/15" style={{ width: `${(shares[i] ?? 0) * 100}%` }} />
                    )}
                    <span className="relative">{c.cell(item)}</span>
                  </td>
                ))}
                {kind === 'status' && (
                  <td className="w-1/2 py-1.5">
                    <span className="flex items-center gap-2">
                      <span className="h-2 flex-1 rounded-sm bg-panel-raised">
                        <span className="block h-2 rounded-sm bg-accent" style={{ width: `${(shares[i] ?? 0) * 100}%` }} />
                      </span>
                      <span className="w-14 text-right text-xs tabular-nums">{formatShare(shares[i])}</span>
                    </span>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

export function TopNPage() {
  const [range, setRange] = useRange('1h', RANGES);
  const [live, setLive] = useState(true);
  const window = useLiveWindow(range, live);
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 className="text-lg font-semibold">Top-N</h2>
        <div className="flex items-center gap-4">
          <LiveToggle live={live} onChange={setLive} />
          <RangePicker value={range} options={RANGES} onChange={setRange} />
        </div>
      </div>
      <div className="grid gap-4 lg:grid-cols-2">
        {PANELS.map((p) => (
          <Panel key={p.kind} kind={p.kind} title={p.title} columns={p.columns} window={window} />
        ))}
      </div>
    </div>
  );
}
