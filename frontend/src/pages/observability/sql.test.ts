import { describe, expect, it } from 'vitest';
import { EXAMPLE_QUERIES, percentileSql, sqlCell, sqlString } from './sql';
import { barShares } from './TopNPage';

describe('observability SQL', () => {
  it('quotes string literals so a value cannot end them', () => {
    expect(sqlString("it's")).toBe("'it\\'s'");
    expect(sqlString('a\\b')).toBe("'a\\\\b'");
  });

  it('reads percentiles from the minute rollup up to 6 h, scoped as asked', () => {
    const sql = percentileSql({ rangeSeconds: 3600, stepSeconds: 30, cluster: 'default', namespace: 'team-a', route: 'chat' });
    expect(sql).toContain('FROM ngf_metrics_1m');
    expect(sql).toContain('INTERVAL 60 SECOND'); // never finer than the rollup
    expect(sql).toContain("cluster = 'default' AND namespace = 'team-a' AND route = 'chat'");
    expect(sql).toContain('window_start >= now() - INTERVAL 3600 SECOND');
  });

  it('uses the hourly rollup beyond 6 h and leaves out unset filters', () => {
    const sql = percentileSql({ rangeSeconds: 86400, stepSeconds: 900, cluster: null, namespace: null, gateway: 'gw' });
    expect(sql).toContain('FROM ngf_metrics_1h');
    expect(sql).toContain('INTERVAL 900 SECOND');
    expect(sql).not.toContain('cluster =');
    expect(sql).not.toContain('namespace =');
    expect(sql).toContain("gateway = 'gw'");
  });

  it('offers examples that are single SELECTs', () => {
    for (const q of EXAMPLE_QUERIES) expect(q.sql.trim()).toMatch(/^SELECT\b[^;]*$/s);
  });

  it('shows result cells as text', () => {
    expect(sqlCell(null)).toBe('NULL');
    expect(sqlCell(['a'])).toBe('["a"]');
    expect(sqlCell(42)).toBe('42');
  });
});

describe('Top-N bars', () => {
  it('scales to the largest value, or to the total for a mix', () => {
    const items = [{ n: 10 }, { n: 5 }, { n: 'x' }, {}];
    expect(barShares(items, 'n', false)).toEqual([1, 0.5, 0, 0]);
    expect(barShares(items, 'n', true)).toEqual([10 / 15, 5 / 15, 0, 0]);
    expect(barShares([], 'n', true)).toEqual([]);
  });
});
