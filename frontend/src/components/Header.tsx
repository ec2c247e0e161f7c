import { useEffect } from 'react';
import { Link } from 'react-router';
import { useClusters, useConfig, useNamespaces } from '../api/queries';
import { UserMenu } from '../auth/UserMenu';
import { useUiStore } from '../state/ui';
import { EnterpriseBadge } from './Enterprise';

const selectClass =
  'rounded-md border border-line bg-surface px-2 py-1 text-sm text-fg focus-visible:outline-2 focus-visible:outline-accent';

function ClusterSelector() {
  const cluster = useUiStore((s) => s.cluster);
  const setCluster = useUiStore((s) => s.setCluster);
  const { data } = useClusters();
  const clusters = Array.isArray(data) ? data : [];
  const current = cluster ?? clusters.find((c) => c.default)?.name ?? '';
  return (
    <label className="flex items-center gap-2 text-xs text-fg-muted">
      Cluster
      <select
        className={selectClass}
        value={current}
        onChange={(e) => {
          const chosen = clusters.find((c) => c.name === e.target.value);
          setCluster(chosen === undefined || chosen.default ? null : chosen.name);
        }}
      >
        {clusters.length === 0 && <option value="">default</option>}
        {clusters.map((c) => (
          <option key={c.name} value={c.name}>
            {c.name}
            {c.reachable ? '' : ' (unreachable)'}
          </option>
        ))}
      </select>
    </label>
  );
}

function NamespaceSelector() {
  const namespace = useUiStore((s) => s.namespace);
  const setNamespace = useUiStore((s) => s.setNamespace);
  const { data } = useNamespaces();
  const names = (data?.items ?? []).map((n) => n.metadata.name).sort();
  return (
    <label className="flex items-center gap-2 text-xs text-fg-muted">
      Namespace
      <select className={`${selectClass} max-w-56`} value={namespace ?? ''} onChange={(e) => setNamespace(e.target.value || null)}>
        <option value="">All namespaces</option>
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </label>
  );
}

function ThemeToggle() {
  const theme = useUiStore((s) => s.theme);
  const toggle = useUiStore((s) => s.toggleTheme);
  useEffect(() => {
    document.documentElement.dataset['theme'] = theme;
  }, [theme]);
  return (
    <button
      type="button"
      onClick={toggle}
      aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
      className="rounded-md border border-line px-2 py-1 text-sm text-fg-muted hover:text-fg focus-visible:outline-2 focus-visible:outline-accent"
    >
      {theme === 'dark' ? '☀ Light' : '☾ Dark'}
    </button>
  );
}

function EditionIndicator() {
  const { data } = useConfig();
  if (!data) return null;
  if (data.edition === 'enterprise') return <EnterpriseBadge />;
  return <span className="rounded border border-line px-1.5 py-0.5 text-[10px] font-semibold tracking-wide text-fg-muted uppercase">OSS</span>;
}

export function Header() {
  return (
    <header className="flex h-14 shrink-0 items-center gap-3 border-b border-line bg-panel px-4">
      <Link to="/" className="flex items-center gap-3 rounded focus-visible:outline-2 focus-visible:outline-accent">
        <span aria-hidden="true" className="grid size-8 place-items-center rounded-md bg-accent text-sm font-bold text-accent-fg">
          N
        </span>
        <span className="text-lg font-semibold tracking-tight">NGF Console</span>
      </Link>
      <EditionIndicator />
      <div className="ml-auto flex items-center gap-4">
        <ClusterSelector />
        <NamespaceSelector />
        <ThemeToggle />
        <UserMenu />
      </div>
    </header>
  );
}
