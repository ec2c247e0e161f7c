import { useEffect, type ReactNode } from 'react';
import { Loading } from '../components/ui';
import { useAuthStore } from '../state/auth';
import { useAuthInfo } from './authQueries';
import { SignInPage } from './SignInPage';

/**
 * Shows the console only to someone the API will answer: with auth mode `none` everyone,
 * otherwise whoever holds a token the API accepted (a 401 later sends them back here).
 */
export function AuthGate({ children }: { children: ReactNode }) {
  const info = useAuthInfo();
  const token = useAuthStore((s) => s.token);
  const rejected = useAuthStore((s) => s.rejected);
  const { isError, refetch } = info;
  useEffect(() => {
    // The API was unreachable when the page loaded and now refuses us: ask again how to sign in.
    if (rejected && isError) void refetch();
  }, [rejected, isError, refetch]);
  if (info.isPending) return <Loading what="Connecting to the API" />;
  // Unreachable API: the shell still renders and says so (the header's status).
  if (info.isError || info.data.mode === 'none') return <>{children}</>;
  if (token === null || rejected) return <SignInPage info={info.data} />;
  return <>{children}</>;
}
