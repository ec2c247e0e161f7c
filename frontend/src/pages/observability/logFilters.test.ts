import { describe, expect, it } from 'vitest';
import { DEFAULT_FILTERS, cellText, filtersFromSearch, logQueryParams, rowColumns, searchFromFilters, statusBounds } from './logFilters';

const window = { since: '2026-01-01T00:00:00.000Z', until: '2026-01-01T01:00:00.000Z' };

describe('log filters', () => {
  it('sends only the window and page size when nothing is filtered', () => {
    expect(logQueryParams(DEFAULT_FILTERS, null, window, null)).toEqual({ since: window.since, until: window.until, limit: 50 });
  });

  it('maps every filter to its /logs/query parameter', () => {
    const filters = { statusClass: '5xx', method: 'POST', route: ' chat ', host: 'api.example.com', q: '/v1', range: '6h' } as const;
    expect(logQueryParams(filters, 'team-a', window, 'tok', 20)).toEqual({
      since: window.since,
      until: window.until,
      limit: 20,
      namespace: 'team-a',
      status_min: 500,
      status_max: 599,
      method: 'POST',
      route: 'chat',
      host: 'api.example.com',
      q: '/v1',
      continue: 'tok',
    });
  });

  it('turns a status class into bounds', () => {
    expect(statusBounds('2xx')).toEqual([200, 299]);
    expect(statusBounds('4xx')).toEqual([400, 499]);
  });

  it('round-trips through the URL and drops unknown values', () => {
    const filters = { statusClass: '4xx', method: 'GET', route: 'web', host: '', q: 'curl', range: '24h' } as const;
    const search = searchFromFilters(filters);
    expect(search.toString()).toBe('status=4xx&method=GET&route=web&q=curl&range=24h');
    expect(filtersFromSearch(search)).toEqual(filters);
    expect(filtersFromSearch(new URLSearchParams('status=9xx&range=2h&method=get'))).toEqual({ ...DEFAULT_FILTERS, method: 'GET' });
    expect(searchFromFilters(DEFAULT_FILTERS).toString()).toBe('');
  });

  it('orders drawer columns: the usual ones first, then the rest as sent', () => {
    const row = { trace_id: 't', path: '/', timestamp: 'x', zeta: 1, status: 200 };
    expect(rowColumns(row)).toEqual(['timestamp', 'status', 'path', 'trace_id', 'zeta']);
  });

  it('shows empty values and arrays readably', () => {
    expect(cellText('')).toBe('—');
    expect(cellText(null)).toBe('—');
    expect(cellText([])).toBe('—');
    expect(cellText(['a', 'b'])).toBe('a, b');
    expect(cellText(0)).toBe('0');
    expect(cellText({ a: 1 })).toBe('{"a":1}');
  });
});
