/** One top-level area of the console: a sidebar entry and a route. */
export interface Section {
  /** Absolute route path. */
  readonly path: string;
  readonly label: string;
  /** What the section is for (spec §6.2); shown on its page until the page is built. */
  readonly summary: string;
}

export const SECTIONS: readonly Section[] = [
  { path: '/', label: 'Dashboard', summary: 'Overview metrics, topology and inference summary.' },
  { path: '/gateways', label: 'Gateways', summary: 'Gateway list, creation wizard and per-gateway detail.' },
  { path: '/routes', label: 'Routes', summary: 'HTTP, gRPC, TLS, TCP and UDP routes: list, create, detail and metrics.' },
  { path: '/policies', label: 'Policies', summary: 'Policy list, builder and attachment detail.' },
  { path: '/certificates', label: 'Certificates', summary: 'Certificate inventory and lifecycle.' },
  { path: '/topology', label: 'Topology', summary: 'Interactive graph of gateways, routes, services and pools.' },
  { path: '/inference', label: 'Inference', summary: 'InferencePools, EPP decisions, GPU metrics, scaling and cost.' },
  { path: '/observability', label: 'Observability', summary: 'Dashboards, log explorer and metrics browser.' },
  { path: '/migration', label: 'Migration', summary: 'NGINX Ingress Controller to NGF migration projects.' },
  { path: '/diagnostics', label: 'Diagnostics', summary: 'Route checks, request tracing and troubleshooting.' },
  { path: '/audit', label: 'Audit', summary: 'Audit log of every change made through the console.' },
  { path: '/settings', label: 'Settings', summary: 'User preferences, alert rules and database configuration.' },
];
