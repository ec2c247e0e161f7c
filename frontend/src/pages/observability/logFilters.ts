/**
 * The log explorer's filters: what the filter bar holds, how it is kept in the page URL
 * (so a link can open the explorer pre-filtered), and the `/logs/query` parameters it means.
 */
import { isRange, type RangeKey, type Window } from './timeRange';

export const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** What the filter bar holds ('' is "any"). The namespace comes from the header instead. */
export interface LogFilters {
  readonly statusClass: StatusClass | '';
  readonly method: string;
  readonly route: string;
  readonly host: string;
  readonly q: string;
  readonly range: RangeKey;
}

export const DEFAULT_FILTERS: LogFilters = { statusClass: '', method: '', route: '', host: '', q: '', range: '1h' };

/** Filters from the page URL (`?status=5xx&route=web&range=6h`); unknown values are dropped. */
export function filtersFromSearch(search: URLSearchParams): LogFilters {
  const status = search.get('status') ?? '';
  const range = search.get('range');
  return {
    statusClass: (STATUS_CLASSES as readonly string[]).includes(status) ? (status as StatusClass) : '',
    method: (search.get('method') ?? '').toUpperCase(),
    route: search.get('route') ?? '',
    host: search.get('host') ?? '',
    q: search.get('q') ?? '',
    range: isRange(range) ? range : DEFAULT_FILTERS.range,
  };
}

/** The page URL's query for `filters` (defaults left out, so links stay short). */
export function searchFromFilters(filters: LogFilters): URLSearchParams {
  const out = new URLSearchParams();
  const pairs: [string, string][] = [
    ['status', filters.statusClass],
    ['method', filters.method],
    ['route', filters.route.trim()],
    ['host', filters.host.trim()],
    ['q', filters.q.trim()],
    ['range', filters.range === DEFAULT_FILTERS.range ? '' : filters.range],
  ];
  for (const [key, value] of pairs) if (value) out.set(key, value);
  return out;
}

/** `[min, max]` status codes of a class, e.g. 5xx → [500, 599]. */
export function statusBounds(statusClass: StatusClass): [number, number] {
  const hundred = Number(statusClass[0]) * 100;
  return [hundred, hundred + 99];
}

/** How many rows a page of the explorer shows. */
export const PAGE_SIZE = 50;

/**
 * The `/logs/query` parameters of a search: column filters, the text search, the pinned
 * window (a continue token is bound to it) and the page position.
 */
export function logQueryParams(
  filters: LogFilters,
  namespace: string | null,
  window: Window,
  continueToken: string | null,
  limit: number = PAGE_SIZE,
): Record<string, string | number> {
  const params: Record<string, string | number> = { since: window.since, until: window.until, limit };
  if (namespace) params['namespace'] = namespace;
  if (filters.statusClass) {
    const [min, max] = statusBounds(filters.statusClass);
    params['status_min'] = min;
    params['status_max'] = max;
  }
  if (filters.method) params['method'] = filters.method;
  if (filters.route.trim()) params['route'] = filters.route.trim();
  if (filters.host.trim()) params['host'] = filters.host.trim();
  if (filters.q.trim()) params['q'] = filters.q.trim();
  if (continueToken) params['continue'] = continueToken;
  return params;
}

/** Column order of the row drawer: the ones people look for first, then the rest as sent. */
const FIRST_COLUMNS = ['timestamp', 'status', 'method', 'host', 'path', 'namespace', 'route', 'gateway', 'latency_ms'];

/** Every column of a log row, in drawer order. */
export function rowColumns(row: Readonly<Record<string, unknown>>): string[] {
  const keys = Object.keys(row);
  const first = FIRST_COLUMNS.filter((k) => keys.includes(k));
  return [...first, ...keys.filter((k) => !first.includes(k))];
}

/** A cell's text: arrays comma-joined, empty values as an em dash. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.length ? value.map(String).join(', ') : '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
