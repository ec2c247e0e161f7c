import type { Permissions } from '../api/types';

/** Why the caller may not change `kind` (null when they may, or while that is unknown). */
export function writeRefusal(permissions: Permissions | undefined, kind: string, namespace: string | null): string | null {
  if (permissions === undefined) return null; // unknown yet: the API decides on submit
  const entry = permissions.items.find((p) => p.kind === kind);
  if (entry === undefined || entry.write) return null;
  return namespace === null
    ? `Your role cannot change ${kind} objects cluster-wide. Pick a namespace you may write to in the header.`
    : `Your role cannot change ${kind} objects in namespace ${namespace}.`;
}
