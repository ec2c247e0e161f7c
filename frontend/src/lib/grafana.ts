/**
 * Links into Grafana Explore (when the server is configured with a Grafana URL): the exact
 * PromQL a panel ran, over the panel's range, so the numbers can be taken further there.
 */

/** Grafana Explore URL for `expr` over the last `range` (e.g. "1h"), default datasource. */
export function exploreUrl(grafana: string, expr: string, range: string): string {
  const panes = { a: { queries: [{ refId: 'A', expr }], range: { from: `now-${range}`, to: 'now' } } };
  const base = grafana.replace(/\/+$/, '');
  return `${base}/explore?schemaVersion=1&panes=${encodeURIComponent(JSON.stringify(panes))}`;
}
