import type { ReactNode } from 'react';
import { usePermissions } from '../auth/authQueries';
import { writeRefusal } from '../auth/permission';
import { LinkButton } from './LinkButton';

/**
 * Why the caller may not change `kind` in `namespace` (null namespace: cluster-wide). Null
 * when they may, or while that is not known yet — the API decides on submit anyway.
 */
export function useWriteRefusal(kind: string, namespace: string | null): string | null {
  const { data } = usePermissions(namespace);
  return writeRefusal(data, kind, namespace);
}

/** A link that is greyed, with the reason, when the role may not write `kind` in `namespace`. */
export function GuardedLink({
  to,
  kind,
  namespace,
  primary = false,
  children,
}: {
  to: string;
  kind: string;
  namespace: string | null;
  primary?: boolean;
  children: ReactNode;
}) {
  const refusal = useWriteRefusal(kind, namespace);
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
