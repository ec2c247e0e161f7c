/**
 * The observability section's frame: its title, the sub-navigation between the overview,
 * log explorer, Top-N panels and SQL console, and the range picker they share.
 */
import { useEffect, useMemo, useState } from 'react';
import { NavLink, Outlet, useSearchParams } from 'react-router';
import { LIVE_MS } from '../../api/observabilityQueries';
import { PageHeader } from '../../components/PageHeader';
import { isRange, windowFor, type RangeKey, type Window } from './timeRange';

const TABS = [
  { to: '/observability', label: 'Overview', end: true },
  { to: '/observability/logs', label: 'Log explorer', end: false },
  { to: '/observability/topn', label: 'Top-N', end: false },
  { to: '/observability/sql', label: 'SQL console', end: false },
] as const;

export function ObservabilityLayout() {
  return (
    <section className="space-y-4">
      <PageHeader title="Observability">
        RED metrics from Prometheus; access logs, Top-N and custom SQL from ClickHouse. Scoped to the header's namespace.
      </PageHeader>
      <nav aria-label="Observability" className="-mt-2 flex gap-1 border-b border-line">
        {TABS.map((tab) => (
          <NavLink
            key={tab.to}
            to={tab.to}
            end={tab.end}
            className={({ isActive }) =>
              `-mb-px border-b-2 px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-accent ${
                isActive ? 'border-accent text-fg' : 'border-transparent text-fg-muted hover:text-fg'
              }`
            }
          >
            {tab.label}
          </NavLink>
        ))}
      </nav>
      <Outlet />
    </section>
  );
}

/** The page's range, kept in the URL (`?range=6h`) so a view can be linked. */
export function useRange(fallback: RangeKey, allowed: readonly RangeKey[]): [RangeKey, (range: RangeKey) => void] {
  const [search, setSearch] = useSearchParams();
  const value = search.get('range');
  const range = isRange(value) && allowed.includes(value) ? value : fallback;
  const setRange = (next: RangeKey) =>
    setSearch(
      (prev) => {
        const out = new URLSearchParams(prev);
        out.set('range', next);
        return out;
      },
      { replace: true },
    );
  return [range, setRange];
}

/** A segmented range picker (5m … 24h). */
export function RangePicker({ value, options, onChange }: { value: RangeKey; options: readonly RangeKey[]; onChange: (range: RangeKey) => void }) {
  return (
    <div role="group" aria-label="Time range" className="inline-flex overflow-hidden rounded-md border border-line">
      {options.map((r) => (
        <button
          key={r}
          type="button"
          aria-pressed={r === value}
          onClick={() => onChange(r)}
          className={`px-2.5 py-1 text-xs font-medium focus-visible:outline-2 focus-visible:outline-accent ${
            r === value ? 'bg-accent text-accent-fg' : 'bg-panel text-fg-muted hover:bg-panel-raised hover:text-fg'
          }`}
        >
          {r}
        </button>
      ))}
    </div>
  );
}

/** Auto-refresh on/off (spec §3.4.1). */
export function LiveToggle({ live, onChange }: { live: boolean; onChange: (live: boolean) => void }) {
  return (
    <label className="inline-flex items-center gap-2 text-xs text-fg-muted">
      <input type="checkbox" checked={live} onChange={(e) => onChange(e.target.checked)} className="accent-accent" />
      Auto-refresh
    </label>
  );
}

/** The last `range` as an absolute window, moved forward every LIVE_MS while `live`. */
export function useLiveWindow(range: RangeKey, live: boolean): Window {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!live) return undefined;
    const id = setInterval(() => setNow(Date.now()), LIVE_MS);
    return () => clearInterval(id);
  }, [live]);
  return useMemo(() => windowFor(range, now), [range, now]);
}
