import { useQueryClient } from '@tanstack/react-query';
import { useAuthStore } from '../state/auth';
import { useAuthInfo, useMe } from './authQueries';

/** Who is signed in, and a way out (only when the API authenticates at all). */
export function UserMenu() {
  const info = useAuthInfo();
  const me = useMe();
  const signOut = useAuthStore((s) => s.signOut);
  const queryClient = useQueryClient();
  if (!info.data || info.data.mode === 'none') return null;
  return (
    <div className="flex items-center gap-2 text-xs text-fg-muted">
      <span title={me.data?.groups.join(', ')}>
        Signed in as <span className="font-medium text-fg">{me.data?.username ?? '…'}</span>
      </span>
      <button
        type="button"
        onClick={() => {
          signOut();
          queryClient.clear();
        }}
        className="rounded-md border border-line px-2 py-1 text-sm text-fg-muted hover:text-fg focus-visible:outline-2 focus-visible:outline-accent"
      >
        Sign out
      </button>
    </div>
  );
}
