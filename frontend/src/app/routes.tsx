import type { RouteObject } from 'react-router';
import { Layout } from '../components/Layout';
import { RouteError } from '../pages/RouteError';
import { SECTIONS } from './sections';

function placeholderRoute(path: string, label: string, summary: string): RouteObject {
  return {
    path: path.replace(/^\//, ''),
    lazy: async () => {
      const { PlaceholderPage } = await import('../pages/PlaceholderPage');
      return { element: <PlaceholderPage title={label} summary={summary} /> };
    },
  };
}

/** Sections whose pages wait for APIs not built yet (none today; the placeholder stays for the next). */
const NOT_BUILT = new Set<string>([]);

/**
 * Route table (paths of spec §6.2). Every page is code-split with `lazy`, so the shell loads
 * only the layout; a section not built yet gets the placeholder.
 */
export const routes: RouteObject[] = [
  // Outside the shell: the OIDC issuer returns here before anyone is signed in.
  { path: '/auth/callback', lazy: async () => ({ Component: (await import('../auth/OidcCallbackPage')).OidcCallbackPage }) },
  {
    path: '/',
    Component: Layout,
    errorElement: <RouteError />,
    HydrateFallback: () => null,
    children: [
      { index: true, lazy: async () => ({ Component: (await import('../pages/DashboardPage')).DashboardPage }) },
      { path: 'gateways', lazy: async () => ({ Component: (await import('../pages/gateways/GatewaysPage')).GatewaysPage }) },
      { path: 'gateways/create', lazy: async () => ({ Component: (await import('../pages/gateways/GatewayWizard')).GatewayWizard }) },
      { path: 'gateways/:namespace/:name', lazy: async () => ({ Component: (await import('../pages/gateways/GatewayDetailPage')).GatewayDetailPage }) },
      { path: 'gateways/:namespace/:name/edit', lazy: async () => ({ Component: (await import('../pages/gateways/GatewayEditPage')).GatewayEditPage }) },
      { path: 'routes', lazy: async () => ({ Component: (await import('../pages/routes/RoutesPage')).RoutesPage }) },
      { path: 'routes/create/httproute', lazy: async () => ({ Component: (await import('../pages/routes/HttpRouteBuilder')).HttpRouteBuilder }) },
      { path: 'routes/:kind/:namespace/:name', lazy: async () => ({ Component: (await import('../pages/routes/RouteDetailPage')).RouteDetailPage }) },
      { path: 'routes/create/grpcroute', lazy: async () => ({ Component: (await import('../pages/routes/GrpcRouteBuilder')).GrpcRouteBuilder }) },
      ...(['TLSRoute', 'TCPRoute', 'UDPRoute'] as const).map((kind) => ({
        path: `routes/create/${kind.toLowerCase()}`,
        lazy: async () => {
          const { L4RouteBuilder } = await import('../pages/routes/L4RouteBuilder');
          return { element: <L4RouteBuilder key={kind} kind={kind} /> };
        },
      })),
      { path: 'policies', lazy: async () => ({ Component: (await import('../pages/PoliciesPage')).PoliciesPage }) },
      { path: 'policies/create', lazy: async () => ({ Component: (await import('../pages/policies/PolicyGallery')).PolicyGallery }) },
      { path: 'policies/create/:type', lazy: async () => ({ Component: (await import('../pages/policies/PolicyBuilder')).PolicyBuilder }) },
      { path: 'certificates', lazy: async () => ({ Component: (await import('../pages/CertificatesPage')).CertificatesPage }) },
      { path: 'topology', lazy: async () => ({ Component: (await import('../pages/TopologyPage')).TopologyPage }) },
      { path: 'inference', lazy: async () => ({ Component: (await import('../pages/inference/InferencePage')).InferencePage }) },
      { path: 'inference/pools', lazy: async () => ({ Component: (await import('../pages/inference/InferencePage')).InferencePage }) },
      { path: 'inference/pools/create', lazy: async () => ({ Component: (await import('../pages/inference/InferenceWizard')).InferenceWizard }) },
      { path: 'inference/pools/:namespace/:name', lazy: async () => ({ Component: (await import('../pages/inference/PoolDetailPage')).PoolDetailPage }) },
      { path: 'inference/pools/:namespace/:name/epp', lazy: async () => ({ Component: (await import('../pages/inference/EppPage')).EppPage }) },
      { path: 'inference/gpus', lazy: async () => ({ Component: (await import('../pages/inference/GpuPage')).GpuPage }) },
      { path: 'inference/cost', lazy: async () => ({ Component: (await import('../pages/inference/CostPage')).CostPage }) },
      { path: 'audit', lazy: async () => ({ Component: (await import('../pages/AuditPage')).AuditPage }) },
      {
        path: 'observability',
        lazy: async () => ({ Component: (await import('../pages/observability/ObservabilityLayout')).ObservabilityLayout }),
        children: [
          { index: true, lazy: async () => ({ Component: (await import('../pages/observability/OverviewPage')).OverviewPage }) },
          { path: 'logs', lazy: async () => ({ Component: (await import('../pages/observability/LogsPage')).LogsPage }) },
          { path: 'topn', lazy: async () => ({ Component: (await import('../pages/observability/TopNPage')).TopNPage }) },
          { path: 'sql', lazy: async () => ({ Component: (await import('../pages/observability/SqlPage')).SqlPage }) },
          { path: ':kind/:namespace/:name', lazy: async () => ({ Component: (await import('../pages/observability/ScopeDetailPage')).ScopeDetailPage }) },
        ],
      },
      { path: 'settings', lazy: async () => ({ Component: (await import('../pages/SettingsPage')).SettingsPage }) },
      { path: 'routes/canary', lazy: async () => ({ Component: (await import('../pages/canary/CanaryPage')).CanaryPage }) },
      { path: 'diagnostics/:tab?', lazy: async () => ({ Component: (await import('../pages/diagnostics/DiagnosticsPage')).DiagnosticsPage }) },
      { path: 'migration', lazy: async () => ({ Component: (await import('../pages/migration/MigrationImportPage')).MigrationImportPage }) },
      { path: 'migration/new', lazy: async () => ({ Component: (await import('../pages/migration/MigrationImportPage')).MigrationImportPage }) },
      { path: 'migration/:id', lazy: async () => ({ Component: (await import('../pages/migration/MigrationProjectPage')).MigrationProjectPage }) },
      ...SECTIONS.filter((s) => NOT_BUILT.has(s.path)).map((s) => placeholderRoute(s.path, s.label, s.summary)),
      { path: '*', lazy: async () => ({ Component: (await import('../pages/NotFoundPage')).NotFoundPage }) },
    ],
  },
];
