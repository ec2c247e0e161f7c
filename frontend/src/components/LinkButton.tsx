import type { ReactNode } from 'react';
import { Link } from 'react-router';

export function LinkButton({ to, children, primary = false }: { to: string; children: ReactNode; primary?: boolean }) {
  const tone = primary ? 'bg-accent text-accent-fg hover:bg-accent/90 border-transparent' : 'bg-panel-raised text-fg hover:bg-line border-line';
  return (
    <Link to={to} className={`inline-flex items-center gap-2 rounded-md border px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-accent ${tone}`}>
      {children}
    </Link>
  );
}
