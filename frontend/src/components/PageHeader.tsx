import type { ReactNode } from 'react';

interface PageHeaderProps {
  title: string;
  children?: ReactNode;
  /** Buttons or links at the right of the title. */
  actions?: ReactNode;
}

/** Page title (also sets the document title) with an optional description line. */
export function PageHeader({ title, children, actions }: PageHeaderProps) {
  return (
    <div className="mb-6 flex items-start justify-between gap-4">
      <div>
        <title>{`${title} · NGF Console`}</title>
        <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
        {children !== undefined && <p className="mt-1 text-sm text-fg-muted">{children}</p>}
      </div>
      {actions !== undefined && <div className="flex shrink-0 items-center gap-2">{actions}</div>}
    </div>
  );
}
