import type { ReactNode } from 'react';
import { PageHeader } from '../components/PageHeader';
import { StatusDot, type Health } from '../components/StatusDot';
import { useConsoleConfig } from '../hooks/useConsoleConfig';

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
  return (
    <span className="rounded border border-enterprise/60 bg-enterprise/10 px-2 py-0.5 text-enterprise">{edition}</span>
  );
}

export function DashboardPage() {
  const state = useConsoleConfig();
  const health: Health = state.status === 'ok' ? 'healthy' : state.status === 'error' ? 'error' : 'unknown';
  const apiLabel = { loading: 'Checking…', ok: 'Connected', error: 'Unreachable' }[state.status];

  return (
    <section>
      <PageHeader title="Dashboard">Overview of this NGF Console installation.</PageHeader>

      {state.status === 'error' && (
        <div role="alert" className="mb-6 rounded-lg border border-status-error/50 bg-status-error/10 p-4">
          <p className="font-semibold">API unreachable</p>
          <p className="mt-1 text-sm text-fg-muted">
            {state.message}. Check that the NGF Console API server is running.
          </p>
        </div>
      )}

      <dl className="grid grid-cols-1 gap-4 sm:grid-cols-3">
        <Card label="API server">
          <StatusDot health={health} />
          <span>{apiLabel}</span>
        </Card>
        <Card label="Version">{state.status === 'ok' ? (state.config.version ?? 'unknown') : '—'}</Card>
        <Card label="Edition">{state.status === 'ok' ? <EditionValue edition={state.config.edition} /> : '—'}</Card>
      </dl>

      <p className="mt-8 rounded-lg border border-dashed border-line bg-panel px-6 py-10 text-center text-fg-muted">
        Metrics, topology and inference summary: not built yet — see the issue tracker.
      </p>
    </section>
  );
}
