import type { MigrationReport } from '../../api/migrationQueries';
import { Card, Tag } from '../../components/ui';
import { StatusDot, type Health } from '../../components/StatusDot';
import { CATEGORIES, analysisRows, errorLine, excerpt, totals, type CategoryKey } from './analysis';

const CONFIDENCE_DOT: Record<'high' | 'medium' | 'low', Health> = { high: 'healthy', medium: 'warning', low: 'error' };
const CATEGORY_CLASS: Record<CategoryKey, string> = {
  direct_mappings: 'border-status-healthy/50',
  needs_review: 'border-status-warning/60',
  unsupported: 'border-status-error/60',
  enterprise_only: 'border-enterprise/60',
};

/** Input the engine could not read, each with its line (and the line itself if known). */
export function InputErrors({ errors, source }: { errors: MigrationReport['errors']; source: string | null }) {
  if (errors.length === 0) return null;
  return (
    <div role="alert" className="space-y-3 rounded-lg border border-status-error/50 bg-status-error/10 p-4 text-sm">
      <p className="font-semibold">{errors.length} part(s) of the input could not be read; the rest was converted.</p>
      {errors.map((e, i) => {
        const line = errorLine(e.location);
        return (
          <div key={i} data-testid="input-error">
            <p>
              {line !== null && <strong>Line {line}: </strong>}
              {e.message} <span className="text-fg-muted">({e.location.replace(/^.*\//, '')})</span>
            </p>
            {line !== null && source !== null && (
              <pre className="mt-1 overflow-x-auto rounded border border-line bg-surface p-2 font-mono text-xs">
                {excerpt(source, line).map((l) => (
                  <div key={l.number} className={l.hit ? 'bg-status-error/20' : ''}>
                    <span className="mr-3 inline-block w-8 text-right text-fg-muted select-none">{l.number}</span>
                    {l.text}
                  </div>
                ))}
              </pre>
            )}
          </div>
        );
      })}
    </div>
  );
}

/** Spec §3.9.3 step 2: per source resource, confidence with its reason and every field's fate. */
export function AnalysisTable({ report }: { report: MigrationReport }) {
  const rows = analysisRows(report);
  const sums = totals(rows);
  return (
    <Card title={`Analysis (${rows.length} source resources)`}>
      <p className="mb-3 flex flex-wrap gap-3 text-sm">
        {(['high', 'medium', 'low'] as const).map((c) => (
          <span key={c} className="inline-flex items-center gap-1.5">
            <StatusDot health={CONFIDENCE_DOT[c]} /> {sums.byConfidence[c]} {c} confidence
          </span>
        ))}
        <span className="text-fg-muted">·</span>
        {CATEGORIES.map((c) => (
          <span key={c.key}>
            {sums.byCategory[c.key]} {c.label.toLowerCase()}
          </span>
        ))}
      </p>
      {rows.length === 0 && <p className="text-sm text-fg-muted">No source resource was recognised.</p>}
      <ul className="space-y-3" aria-label="Source resources">
        {rows.map((r) => (
          <li key={r.source} className="rounded-md border border-line p-3" data-testid="analysis-row">
            <div className="flex flex-wrap items-center gap-2">
              <Tag>{r.kind}</Tag>
              <span className="font-medium">{r.source}</span>
              {r.location && <span className="text-xs text-fg-muted">{r.location}</span>}
              <span className="ml-auto inline-flex items-center gap-1.5 text-sm">
                <StatusDot health={CONFIDENCE_DOT[r.confidence]} />
                {r.confidence} confidence
              </span>
            </div>
            <p className="mt-1 text-sm text-fg-muted">{r.reason}</p>
            {r.generated.length > 0 && <p className="mt-1 text-xs">Generates: {r.generated.join(', ')}</p>}
            <div className="mt-2 grid gap-2 md:grid-cols-2">
              {CATEGORIES.map((c) =>
                r.items[c.key].length === 0 ? null : (
                  <div key={c.key} className={`rounded border-l-4 border ${CATEGORY_CLASS[c.key]} p-2`}>
                    <p className="mb-1 text-xs font-semibold uppercase">
                      {c.label} ({r.items[c.key].length})
                    </p>
                    <ul className="space-y-0.5 text-xs">
                      {r.items[c.key].map((item, i) => (
                        <li key={i}>
                          <code className="font-semibold">{item.path}</code> {item.message}
                        </li>
                      ))}
                    </ul>
                  </div>
                ),
              )}
            </div>
          </li>
        ))}
      </ul>
    </Card>
  );
}
