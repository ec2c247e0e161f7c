import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { ErrorBox, Loading } from '../components/ui';
import { useAuthStore } from '../state/auth';
import { useAuthInfo, verifyToken } from './authQueries';
import { finishLogin } from './oidcLogin';

/** Where the issuer returns: exchange the code (PKCE), check the ID token with the API, go on. */
export function OidcCallbackPage() {
  const info = useAuthInfo();
  const signIn = useAuthStore((s) => s.signIn);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const started = useRef(false); // the code can be redeemed once (StrictMode runs effects twice)
  const oidc = info.data?.oidc;

  useEffect(() => {
    if (!oidc || started.current) return;
    started.current = true;
    finishLogin(oidc)
      .then(async ({ idToken, returnTo }) => {
        await verifyToken(idToken);
        queryClient.clear();
        signIn(idToken);
        await navigate(returnTo, { replace: true });
      })
      .catch(setError);
  }, [oidc, navigate, queryClient, signIn]);

  return (
    <main className="grid min-h-screen place-items-center bg-surface p-6">
      <div className="w-full max-w-xl">
        <h1 className="mb-4 text-2xl font-semibold">Signing in…</h1>
        {info.isError && <ErrorBox error={info.error} title="The API is unreachable" />}
        {info.data && !oidc && <ErrorBox error={new Error('This console does not use OIDC sign-in.')} title="Sign-in failed" />}
        {error !== null ? <ErrorBox error={error} title="Sign-in failed" /> : <Loading what="Finishing the sign-in" />}
        {error !== null && (
          <a className="mt-4 inline-block text-sm text-accent underline" href="/">
            Back to the sign-in page
          </a>
        )}
      </div>
    </main>
  );
}
