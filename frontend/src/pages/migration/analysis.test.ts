import { describe, expect, it } from 'vitest';
import type { MigrationReport, ResourceReport } from '../../api/migrationQueries';
import { analysisRows, errorLine, excerpt, generatedBySource, totals } from './analysis';

function resource(source: string, confidence: ResourceReport['confidence'], extra: Partial<ResourceReport> = {}): ResourceReport {
  return { source, kind: 'Ingress', confidence, reason: 'r', generated: [], direct_mappings: [], needs_review: [], unsupported: [], enterprise_only: [], ...extra };
}

describe('analysisRows', () => {
  const report: MigrationReport = {
    errors: [],
    summary: {},
    resources: [
      resource('Ingress/a/high', 'high', { direct_mappings: [{ path: 'spec.rules', message: 'ok' }], file: 'import.yaml', line: 3 }),
      resource('Ingress/a/low', 'low', {
        unsupported: [{ path: 'nginx.org/lb-method', message: 'no equivalent' }],
        needs_review: [{ path: 'nginx.org/proxy-read-timeout', message: 'review' }],
        enterprise_only: [{ path: 'nginx.org/jwt-key', message: 'Plus' }],
      }),
      resource('Ingress/a/medium', 'medium', { needs_review: [{ path: 'x', message: 'y' }] }),
    ],
  };

  it('puts the least confident first and counts each category', () => {
    const rows = analysisRows(report);
    expect(rows.map((r) => r.source)).toEqual(['Ingress/a/low', 'Ingress/a/medium', 'Ingress/a/high']);
    expect(rows[0]?.counts).toEqual({ direct_mappings: 0, needs_review: 1, unsupported: 1, enterprise_only: 1 });
    expect(rows[2]?.location).toBe('import.yaml:3');
    expect(rows[1]?.location).toBeNull();
  });

  it('lists every field not carried over with its category', () => {
    const low = analysisRows(report)[0];
    expect(low?.notCarried.map((i) => `${i.category}:${i.path}`)).toEqual([
      'needs_review:nginx.org/proxy-read-timeout',
      'unsupported:nginx.org/lb-method',
      'enterprise_only:nginx.org/jwt-key',
    ]);
  });

  it('totals per category and confidence', () => {
    expect(totals(analysisRows(report))).toEqual({
      byCategory: { direct_mappings: 1, needs_review: 2, unsupported: 1, enterprise_only: 1 },
      byConfidence: { high: 1, medium: 1, low: 1 },
    });
  });
});

describe('input errors', () => {
  it('reads the line from a location', () => {
    expect(errorLine('import.yaml:6')).toBe(6);
    expect(errorLine('/tmp/tmpx/nginx.conf:12')).toBe(12);
    expect(errorLine('import.yaml:6:3')).toBe(6);
    expect(errorLine('import.yaml')).toBeNull();
  });

  it('shows the line with its neighbours, clipped to the text', () => {
    expect(excerpt('a\nb\nc', 1)).toEqual([
      { number: 1, text: 'a', hit: true },
      { number: 2, text: 'b', hit: false },
    ]);
    expect(excerpt('a\nb\nc', 3).map((l) => l.number)).toEqual([2, 3]);
  });
});

describe('generatedBySource', () => {
  it('groups by source and reads each metadata.name', () => {
    const groups = generatedBySource([
      { sourceRef: 'Ingress/a/cafe', kind: 'Gateway', confidence: 'high', enabled: true, generatedYAML: 'kind: Gateway\nmetadata:\n  name: ngf-migrated\n' },
      { sourceRef: 'Ingress/a/cafe', kind: 'HTTPRoute', confidence: 'medium', enabled: true, generatedYAML: "kind: HTTPRoute\nmetadata:\n  labels:\n    name: nope\n  name: 'cafe-tea'\n" },
      { sourceRef: 'Ingress/a/other', kind: 'HTTPRoute', confidence: 'high', enabled: true, generatedYAML: 'kind: HTTPRoute\nmetadata:\n  name: other\n' },
    ]);
    expect(groups.map((g) => [g.source, g.resources.map((r) => r.name)])).toEqual([
      ['Ingress/a/cafe', ['ngf-migrated', 'cafe-tea']],
      ['Ingress/a/other', ['other']],
    ]);
  });
});
