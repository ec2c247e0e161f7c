import type { ReactNode } from 'react';
import { usePermissions } from '../auth/authQueries';
import { writeRefusal } from '../auth/permission';
import { useUiStore } from '../state/ui';
import { LinkButton } from './LinkButton';

/**
 * A "create" link that is greyed, with the reason, when the caller's role may not change
 * `kind` in the header's namespace. The API enforces it anyway; this only saves a trip.
 */
export function CreateLink({ to, kind, children, primary = true }: { to: string; kind: string; children: ReactNode; primary?: boolean }) {
  const namespace = useUiStore((s) => s.namespace);
  const { data } = usePermissions(namespace);
  const refusal = writeRefusal(data, kind, namespace);
  if (refusal === null) {
    return (
      <LinkButton to={to} primary={primary}>
        {children}
      </LinkButton>
    );
  }
  return (
    <span
      role="link"
      aria-disabled="true"
      title={refusal}
      className="inline-flex cursor-not-allowed items-center gap-2 rounded-md border border-line bg-panel-raised px-3 py-1.5 text-sm font-medium text-fg-muted opacity-60"
    >
      {children}
      <span className="sr-only"> — {refusal}</span>
    </span>
  );
}
