/** Who the caller is and what they may do: `/auth`, `/me`, `/me/permissions`. */
import { useQuery } from '@tanstack/react-query';
import { API_BASE, apiGet, clusterPath } from '../api/client';
import { useClusterGet, withQuery } from '../api/queries';
import type { AuthInfo, Me, Permissions } from '../api/types';
import { useAuthStore } from '../state/auth';

/** How this API authenticates; asked without a token (the sign-in page needs it first). */
export async function fetchAuthInfo(signal?: AbortSignal): Promise<AuthInfo> {
  const response = await fetch(`${API_BASE}/auth`, { headers: { Accept: 'application/json' }, signal: signal ?? null });
  if (!response.ok) throw new Error(`GET ${API_BASE}/auth: HTTP ${response.status}`);
  return (await response.json()) as AuthInfo;
}

export function useAuthInfo() {
  // Asked once per page load: no retries (an unreachable API must not hold the shell, which
  // says so, behind a spinner) and no refetch when another component mounts — a refetch of a
  // failed query goes back to pending, which would unmount the shell and loop.
  return useQuery({
    queryKey: ['auth-info'],
    queryFn: ({ signal }) => fetchAuthInfo(signal),
    staleTime: Infinity,
    retry: false,
    retryOnMount: false,
    refetchOnMount: false,
  });
}

export function useMe() {
  const token = useAuthStore((s) => s.token);
  return useQuery<Me, Error>({ queryKey: ['me', token], queryFn: ({ signal }) => apiGet<Me>('/me', signal), staleTime: 60_000 });
}

/** The caller's rights per kind in `namespace` (null: cluster-wide). */
export function usePermissions(namespace: string | null) {
  const token = useAuthStore((s) => s.token);
  return useClusterGet<Permissions>(['permissions', token, namespace], withQuery('/me/permissions', { namespace }), {
    staleTime: 30_000,
  });
}

/** Check a token before keeping it: `/me` answers 200 only for a token the API accepts. */
export async function verifyToken(token: string): Promise<Me> {
  const response = await fetch(`${API_BASE}${clusterPath('/me')}`, {
    headers: { Accept: 'application/json', Authorization: `Bearer ${token}` },
  });
  if (response.status === 401) throw new Error('The API did not accept this token (expired, revoked, or for another audience).');
  if (!response.ok) throw new Error(`GET ${API_BASE}/me: HTTP ${response.status}`);
  return (await response.json()) as Me;
}
