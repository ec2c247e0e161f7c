import type { ReactNode } from 'react';
import { useUiStore } from '../state/ui';
import { GuardedLink } from './WriteGuard';

/**
 * A "create" link, greyed with the reason when the caller's role may not change `kind` in
 * the header's namespace (cluster-wide when "All namespaces" is selected).
 */
export function CreateLink({ to, kind, children, primary = true }: { to: string; kind: string; children: ReactNode; primary?: boolean }) {
  const namespace = useUiStore((s) => s.namespace);
  return (
    <GuardedLink to={to} kind={kind} namespace={namespace} primary={primary}>
      {children}
    </GuardedLink>
  );
}
