/**
 * `/observability/sql`: one read-only SELECT over the analytics tables (`POST /logs/sql`).
 * A refused or failed query shows the API's text verbatim (ClickHouse's own message when the
 * query ran and failed). Monaco comes with this page only (CodeEditor is imported here).
 */
import { useState } from 'react';
import { apiMessage, useRunSql } from '../../api/observabilityQueries';
import { CodeEditor } from '../../components/CodeEditor';
import { Button, Card, Empty } from '../../components/ui';
import { EXAMPLE_QUERIES, sqlCell } from './sql';

export function SqlPage() {
  const [sql, setSql] = useState(EXAMPLE_QUERIES[0]?.sql ?? '');
  const run = useRunSql();
  const submit = (text: string) => {
    if (text.trim()) run.mutate(text);
  };
  const result = run.data;
  return (
    <div className="grid gap-4 xl:grid-cols-[1fr_18rem]">
      <div className="space-y-4">
        <Card
          title="Query"
          actions={
            <span className="flex items-center gap-3">
              <span className="text-xs text-fg-muted">Ctrl+Enter runs</span>
              <Button variant="primary" onClick={() => submit(sql)} disabled={run.isPending || !sql.trim()}>
                {run.isPending ? 'Running…' : 'Run'}
              </Button>
            </span>
          }
        >
          <CodeEditor language="sql" label="SQL query" value={sql} onChange={setSql} onSubmit={submit} height={220} />
          <p className="mt-2 text-xs text-fg-muted">One SELECT (or WITH … SELECT), run read-only with the console’s time and row limits.</p>
        </Card>
        {run.error && (
          <div role="alert" className="rounded-lg border border-status-error/50 bg-status-error/10 p-4 text-sm">
            <p className="font-semibold">Query failed</p>
            <pre className="mt-2 font-mono text-xs whitespace-pre-wrap" data-testid="sql-error">
              {apiMessage(run.error)}
            </pre>
          </div>
        )}
        {result && (
          <Card
            title="Result"
            actions={
              <span className="text-xs text-fg-muted" data-testid="sql-stats">
                {result.rows.length.toLocaleString()} row{result.rows.length === 1 ? '' : 's'} · {result.elapsed_ms.toFixed(1)} ms
              </span>
            }
          >
            {result.rows.length === 0 ? (
              <Empty>The query returned no rows.</Empty>
            ) : (
              <div className="max-h-[32rem] overflow-auto rounded-md border border-line">
                <table className="w-full text-left font-mono text-xs" data-testid="sql-result">
                  <caption className="sr-only">Query result</caption>
                  <thead className="sticky top-0 bg-panel-raised">
                    <tr>
                      {result.columns.map((c, i) => (
                        <th key={i} scope="col" className="px-2 py-1.5 font-medium whitespace-nowrap">
                          {c.name} <span className="font-normal text-fg-muted">{c.type}</span>
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-line">
                    {result.rows.map((row, r) => (
                      <tr key={r}>
                        {row.map((cell, c) => (
                          <td key={c} className="px-2 py-1 align-top whitespace-pre-wrap">
                            {sqlCell(cell)}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Card>
        )}
      </div>
      <Card title="Examples">
        <ul className="space-y-1">
          {EXAMPLE_QUERIES.map((q) => (
            <li key={q.label}>
              <Button variant="ghost" className="w-full justify-start text-left text-xs" onClick={() => setSql(q.sql)}>
                {q.label}
              </Button>
            </li>
          ))}
        </ul>
        <p className="mt-3 text-xs text-fg-muted">
          Tables: <code>ngf_access_logs</code>, <code>ngf_inference_logs</code>, rollups <code>ngf_metrics_1m</code>/<code>_1h</code>/<code>_1d</code>,{' '}
          <code>ngf_user_agents_1m</code>.
        </p>
      </Card>
    </div>
  );
}
