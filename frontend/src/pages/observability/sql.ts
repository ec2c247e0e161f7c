/**
 * SQL the observability pages send to `POST /logs/sql`: the console's example queries and
 * the latency-percentile series read from the access-log rollups (Prometheus has no latency
 * histogram from NGINX, so p50/p95/p99 come from the logs; design: telemetry/red.py).
 */

/** A worked query for the SQL console's example list. */
export interface ExampleQuery {
  readonly label: string;
  readonly sql: string;
}

export const EXAMPLE_QUERIES: readonly ExampleQuery[] = [
  { label: 'Count every access log', sql: 'SELECT count() FROM ngf_access_logs' },
  {
    label: 'Busiest routes, last hour',
    sql: [
      'SELECT namespace, route, count() AS requests,',
      "       countIf(status >= 500) AS errors_5xx,",
      '       round(quantile(0.95)(latency_ms), 1) AS p95_ms',
      'FROM ngf_access_logs',
      'WHERE timestamp > now() - INTERVAL 1 HOUR',
      'GROUP BY namespace, route',
      'ORDER BY requests DESC',
      'LIMIT 20',
    ].join('\n'),
  },
  {
    label: 'Status mix per minute (1m rollup)',
    sql: [
      'SELECT window_start, status_class, sum(request_count) AS requests',
      'FROM ngf_metrics_1m',
      'WHERE window_start > now() - INTERVAL 30 MINUTE',
      'GROUP BY window_start, status_class',
      'ORDER BY window_start DESC, status_class',
    ].join('\n'),
  },
  {
    label: 'Slowest requests today',
    sql: [
      'SELECT timestamp, namespace, route, method, path, status, latency_ms',
      'FROM ngf_access_logs',
      'WHERE timestamp > today()',
      'ORDER BY latency_ms DESC',
      'LIMIT 25',
    ].join('\n'),
  },
  {
    label: 'Top user agents (rollup)',
    sql: [
      'SELECT user_agent, sum(request_count) AS requests',
      'FROM ngf_user_agents_1m',
      'GROUP BY user_agent',
      'ORDER BY requests DESC',
      'LIMIT 10',
    ].join('\n'),
  },
];

/** A ClickHouse string literal (backslashes and quotes escaped). */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** What the percentile series covers. */
export interface PercentileScope {
  /** Seconds back from now. */
  readonly rangeSeconds: number;
  /** Bucket width in seconds (a multiple of 60: the finest rollup is per minute). */
  readonly stepSeconds: number;
  /** The cluster's name in the analytics rows; null: every cluster. */
  readonly cluster: string | null;
  readonly namespace: string | null;
  readonly route?: string | null;
  readonly gateway?: string | null;
}

/**
 * p50/p95/p99 latency per bucket from the access rollup (`t, p50, p95, p99`, oldest first):
 * the 1-minute rollup up to 6 h, the hourly one beyond (as the API's Top-N does).
 */
export function percentileSql(scope: PercentileScope): string {
  const rollup = scope.rangeSeconds <= 6 * 3600 ? 'ngf_metrics_1m' : 'ngf_metrics_1h';
  const step = Math.max(60, Math.round(scope.stepSeconds / 60) * 60);
  const where = [`window_start >= now() - INTERVAL ${Math.round(scope.rangeSeconds)} SECOND`];
  if (scope.cluster) where.push(`cluster = ${sqlString(scope.cluster)}`);
  if (scope.namespace) where.push(`namespace = ${sqlString(scope.namespace)}`);
  if (scope.route) where.push(`route = ${sqlString(scope.route)}`);
  if (scope.gateway) where.push(`gateway = ${sqlString(scope.gateway)}`);
  return [
    'SELECT t, round(q[1], 2) AS p50, round(q[2], 2) AS p95, round(q[3], 2) AS p99 FROM (',
    `  SELECT toUnixTimestamp(toStartOfInterval(window_start, INTERVAL ${step} SECOND)) AS t,`,
    '         quantilesTDigestMerge(0.5, 0.95, 0.99)(latency_quantiles) AS q',
    `  FROM ${rollup}`,
    `  WHERE ${where.join(' AND ')}`,
    '  GROUP BY t',
    ') ORDER BY t',
  ].join('\n');
}

/** A result cell as text (arrays and objects as JSON, null as NULL). */
export function sqlCell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
