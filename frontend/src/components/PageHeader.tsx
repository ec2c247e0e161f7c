import type { ReactNode } from 'react';

interface PageHeaderProps {
  title: string;
  children?: ReactNode;
}

/** Page title (also sets the document title) with an optional description line. */
export function PageHeader({ title, children }: PageHeaderProps) {
  return (
    <div className="mb-6">
      <title>{`${title} · NGF Console`}</title>
      <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
      {children !== undefined && <p className="mt-1 text-sm text-fg-muted">{children}</p>}
    </div>
  );
}
