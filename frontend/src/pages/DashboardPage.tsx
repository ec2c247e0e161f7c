import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { AlertsPanel, DriftPanel, InferenceSummaryPanel, RedSummaryPanel } from './dashboard/DashboardPanels';
import { useConfig, useGateways, useInferencePools, useObjectLists } from '../api/queries';
import type { Health } from '../api/types';
import { PageHeader } from '../components/PageHeader';
import { StatusDot, type Health as DotHealth } from '../components/StatusDot';
import { HealthBadge } from '../components/ui';

function Card({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="rounded-lg border border-line bg-panel p-4">
      <dt className="text-xs font-medium tracking-wide text-fg-muted uppercase">{label}</dt>
      <dd className="mt-2 flex items-center gap-2 text-lg font-medium">{children}</dd>
    </div>
  );
}

function EditionValue({ edition = 'unknown' }: { edition?: string | undefined }) {
  if (String(edition).toLowerCase() !== 'enterprise') return <span>{edition}</span>;
  return <span className="rounded border border-enterprise/60 bg-enterprise/10 px-2 py-0.5 text-enterprise">{edition}</span>;
}

function HealthSummary({ title, to, healths, loading }: { title: string; to: string; healths: readonly Health[]; loading: boolean }) {
  const count = (h: Health) => healths.filter((x) => x === h).length;
  return (
    <Link to={to} className="block rounded-lg border border-line bg-panel p-4 hover:border-accent/60 focus-visible:outline-2 focus-visible:outline-accent">
      <h2 className="text-xs font-medium tracking-wide text-fg-muted uppercase">{title}</h2>
      <p className="mt-2 text-2xl font-semibold">{loading ? '…' : healths.length}</p>
      <div className="mt-2 flex flex-wrap gap-3">
        {(['healthy', 'degraded', 'error', 'unknown'] as const).map((h) => (count(h) > 0 ? <HealthBadge key={h} health={h} label={`${count(h)} ${h}`} /> : null))}
      </div>
    </Link>
  );
}

const ROUTE_PATHS = ['/httproutes', '/grpcroutes', '/tlsroutes', '/tcproutes', '/udproutes'];

function routeHealth(route: { status?: Readonly<Record<string, unknown>> }): Health {
  const parents = (route.status?.['parents'] ?? []) as { conditions?: { type: string; status: string }[] }[];
  const accepted = parents.flatMap((p) => p.conditions ?? []).filter((c) => c.type === 'Accepted');
  if (accepted.length === 0) return 'unknown';
  return accepted.every((c) => c.status === 'True') ? 'healthy' : 'error';
}

export function DashboardPage() {
  const config = useConfig();
  const gateways = useGateways();
  const pools = useInferencePools();
  const routes = useObjectLists(ROUTE_PATHS);
  const health: DotHealth = config.data ? 'healthy' : config.error ? 'error' : 'unknown';
  const apiLabel = config.data ? 'Connected' : config.error ? 'Unreachable' : 'Checking…';
  const routeItems = routes.flatMap((r) => r.data?.items ?? []);

  return (
    <section>
      <PageHeader title="Dashboard">Overview of this NGF Console installation.</PageHeader>

      {config.error && (
        <div role="alert" className="mb-6 rounded-lg border border-status-error/50 bg-status-error/10 p-4">
          <p className="font-semibold">API unreachable</p>
          <p className="mt-1 text-sm text-fg-muted">{config.error.message}. Check that the NGF Console API server is running.</p>
        </div>
      )}

      <dl className="grid grid-cols-1 gap-4 sm:grid-cols-3">
        <Card label="API server">
          <StatusDot health={health} />
          <span>{apiLabel}</span>
        </Card>
        <Card label="Version">{config.data?.version ?? '—'}</Card>
        <Card label="Edition">{config.data ? <EditionValue edition={config.data.edition} /> : '—'}</Card>
      </dl>

      {config.data && (
        <div className="mt-6 grid grid-cols-1 gap-4 sm:grid-cols-3">
          <HealthSummary title="Gateways" to="/gateways" healths={(gateways.data?.items ?? []).map((g) => g.health)} loading={gateways.isPending} />
          <HealthSummary title="Routes" to="/routes" healths={routeItems.map(routeHealth)} loading={routes.some((r) => r.isPending)} />
          <HealthSummary title="Inference pools" to="/inference" healths={(pools.data?.items ?? []).map((p) => p.health)} loading={pools.isPending} />
        </div>
      )}

      {config.data && (
        <div className="mt-6 grid grid-cols-1 gap-4 xl:grid-cols-2">
          <RedSummaryPanel />
          <InferenceSummaryPanel />
          <AlertsPanel />
          <DriftPanel />
        </div>
      )}
    </section>
  );
}
