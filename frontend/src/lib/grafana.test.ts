import { describe, expect, it } from 'vitest';
import { exploreUrl } from './grafana';

describe('exploreUrl', () => {
  it('opens the query in Explore over the same range', () => {
    const url = new URL(exploreUrl('https://grafana.example.com/', 'sum(rate(nginx_http_requests_total[1m]))', '6h'));
    expect(url.origin + url.pathname).toBe('https://grafana.example.com/explore');
    const panes = JSON.parse(url.searchParams.get('panes') ?? '{}') as { a: { queries: { expr: string }[]; range: { from: string } } };
    expect(panes.a.queries[0]?.expr).toBe('sum(rate(nginx_http_requests_total[1m]))');
    expect(panes.a.range.from).toBe('now-6h');
  });
});
