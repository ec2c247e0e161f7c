/** Pure helpers of the migration pages: the report grouped for display, input error lines. */
import { parse } from 'yaml';
import type { GeneratedResource, MigrationReport, ReportItem, ResourceReport } from '../../api/migrationQueries';

/** The report's four outcomes for a field, in the order the page shows them. */
export const CATEGORIES = [
  { key: 'direct_mappings', label: 'Direct', tone: 'healthy' },
  { key: 'needs_review', label: 'Needs review', tone: 'warning' },
  { key: 'unsupported', label: 'Unsupported', tone: 'error' },
  { key: 'enterprise_only', label: 'Enterprise', tone: 'enterprise' },
] as const;
export type CategoryKey = (typeof CATEGORIES)[number]['key'];

export interface AnalysisRow {
  readonly source: string;
  readonly kind: string;
  readonly location: string | null;
  readonly confidence: ResourceReport['confidence'];
  readonly reason: string;
  readonly generated: readonly string[];
  readonly counts: Readonly<Record<CategoryKey, number>>;
  /** Every field not carried over as is: review, unsupported and Enterprise items. */
  readonly notCarried: readonly (ReportItem & { category: CategoryKey })[];
  readonly items: Readonly<Record<CategoryKey, readonly ReportItem[]>>;
}

const CONFIDENCE_ORDER = { low: 0, medium: 1, high: 2 } as const;

/** One row per source resource, the least confident first (then by source name). */
export function analysisRows(report: MigrationReport): AnalysisRow[] {
  return report.resources
    .map((r) => {
      const items = {
        direct_mappings: r.direct_mappings ?? [],
        needs_review: r.needs_review ?? [],
        unsupported: r.unsupported ?? [],
        enterprise_only: r.enterprise_only ?? [],
      };
      const counts = Object.fromEntries(CATEGORIES.map((c) => [c.key, items[c.key].length])) as Record<CategoryKey, number>;
      const notCarried = (['needs_review', 'unsupported', 'enterprise_only'] as const).flatMap((category) =>
        items[category].map((item) => ({ ...item, category })),
      );
      return {
        source: r.source,
        kind: r.kind,
        location: r.file ? `${r.file}${r.line ? `:${r.line}` : ''}` : null,
        confidence: r.confidence,
        reason: r.reason,
        generated: r.generated ?? [],
        counts,
        notCarried,
        items,
      };
    })
    .sort((a, b) => CONFIDENCE_ORDER[a.confidence] - CONFIDENCE_ORDER[b.confidence] || a.source.localeCompare(b.source));
}

/** Totals over every row per category and per confidence. */
export function totals(rows: readonly AnalysisRow[]) {
  const byCategory = Object.fromEntries(CATEGORIES.map((c) => [c.key, rows.reduce((n, r) => n + r.counts[c.key], 0)])) as Record<CategoryKey, number>;
  const byConfidence = { high: 0, medium: 0, low: 0 };
  for (const r of rows) byConfidence[r.confidence] += 1;
  return { byCategory, byConfidence };
}

/** The line number of an input error's location (`import.yaml:6`, `/tmp/x/nginx.conf:12`). */
export function errorLine(location: string): number | null {
  const match = /:(\d+)(?::\d+)?$/.exec(location);
  return match ? Number(match[1]) : null;
}

/** `line` of `text` with one line of context each side (1-based numbers), for the error view. */
export function excerpt(text: string, line: number, context = 1): { number: number; text: string; hit: boolean }[] {
  const lines = text.split(/\r?\n/);
  const from = Math.max(1, line - context);
  const to = Math.min(lines.length, line + context);
  const out: { number: number; text: string; hit: boolean }[] = [];
  for (let n = from; n <= to; n++) out.push({ number: n, text: lines[n - 1] ?? '', hit: n === line });
  return out;
}

function nameOf(text: string): string {
  try {
    const doc = parse(text) as { metadata?: { name?: unknown } } | null;
    return typeof doc?.metadata?.name === 'string' ? doc.metadata.name : '';
  } catch {
    return '';
  }
}

/** The generated resources, each with the name its YAML gives it, grouped by source. */
export function generatedBySource(resources: readonly GeneratedResource[]): { source: string; resources: (GeneratedResource & { name: string })[] }[] {
  const groups = new Map<string, (GeneratedResource & { name: string })[]>();
  for (const r of resources) {
    const name = nameOf(r.generatedYAML);
    const list = groups.get(r.sourceRef) ?? [];
    list.push({ ...r, name });
    groups.set(r.sourceRef, list);
  }
  return [...groups.entries()].map(([source, list]) => ({ source, resources: list }));
}
