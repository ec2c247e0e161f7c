import { Link, useParams } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { NotFoundPage } from '../NotFoundPage';
import { ConflictsPanel } from './ConflictsPanel';
import { RouteCheckPanel } from './RouteCheckPanel';
import { SimulatorPanel } from './SimulatorPanel';
import { TracePanel } from './TracePanel';

const TABS = [
  { tab: 'route-check', label: 'Route check', Panel: RouteCheckPanel },
  { tab: 'simulate', label: 'Request simulator', Panel: SimulatorPanel },
  { tab: 'trace', label: 'Request trace', Panel: TracePanel },
  { tab: 'conflicts', label: 'Policy conflicts', Panel: ConflictsPanel },
] as const;

/** `/diagnostics[/:tab]`: troubleshooting home (spec §3.7), the route check by default. */
export function DiagnosticsPage() {
  const { tab = 'route-check' } = useParams();
  const current = TABS.find((t) => t.tab === tab);
  if (current === undefined) return <NotFoundPage />;
  return (
    <section>
      <PageHeader title="Diagnostics">Why isn't my route working? Checks, request simulation and tracing over the live cluster state; nothing is changed.</PageHeader>
      <nav aria-label="Diagnostics tools" className="mb-4 flex flex-wrap gap-1 border-b border-line">
        {TABS.map((t) => (
          <Link
            key={t.tab}
            to={`/diagnostics/${t.tab}`}
            aria-current={t.tab === current.tab ? 'page' : undefined}
            className={`-mb-px border-b-2 px-3 py-2 text-sm ${t.tab === current.tab ? 'border-accent font-medium text-fg' : 'border-transparent text-fg-muted hover:text-fg'}`}
          >
            {t.label}
          </Link>
        ))}
      </nav>
      <current.Panel />
    </section>
  );
}
