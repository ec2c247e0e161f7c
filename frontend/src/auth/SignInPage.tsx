import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { AuthInfo } from '../api/types';
import { Button, Card } from '../components/ui';
import { useAuthStore } from '../state/auth';
import { verifyToken } from './authQueries';
import { startLogin } from './oidcLogin';

function Hint({ info }: { info: AuthInfo }) {
  if (info.mode === 'kubernetes') {
    return (
      <p className="text-sm text-fg-muted">
        This console checks tokens with the cluster (TokenReview) and acts as you, so the cluster&apos;s RBAC decides what you may do. Paste a
        ServiceAccount token (<code className="font-mono">kubectl create token &lt;serviceaccount&gt; -n &lt;namespace&gt;</code>) or your own
        bearer token.
      </p>
    );
  }
  return (
    <p className="text-sm text-fg-muted">
      Paste an ID token from <span className="font-mono">{info.oidc?.issuer}</span> issued for the client{' '}
      <span className="font-mono">{info.oidc?.client_id}</span> (e.g. <code className="font-mono">kubectl oidc-login get-token</code>). Your groups
      decide your role per namespace.
    </p>
  );
}

/** Token sign-in for the kubernetes and oidc auth modes; the token is checked before it is kept. */
export function SignInPage({ info }: { info: AuthInfo }) {
  const signIn = useAuthStore((s) => s.signIn);
  const rejected = useAuthStore((s) => s.rejected);
  const queryClient = useQueryClient();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(rejected ? 'Your session ended: the API no longer accepts your token.' : null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = token.trim().replace(/^Bearer\s+/i, '');
    if (!value) {
      setError('Paste a token first.');
      return;
    }
    setBusy(true);
    try {
      await verifyToken(value);
      queryClient.clear(); // nothing fetched as someone else (or no one) is kept
      signIn(value);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="grid min-h-screen place-items-center bg-surface p-6">
      <div className="w-full max-w-xl">
        <h1 className="mb-4 text-2xl font-semibold">Sign in to NGF Console</h1>
        {info.oidc && (
          <Card className="mb-4">
            <Button
              type="button"
              variant="primary"
              onClick={() => {
                const oidc = info.oidc;
                if (!oidc) return;
                startLogin(oidc, window.location.pathname + window.location.search).catch((err: unknown) =>
                  setError(`Could not reach the issuer ${oidc.issuer}: ${err instanceof Error ? err.message : String(err)}`),
                );
              }}
            >
              Sign in with {new URL(info.oidc.issuer).host}
            </Button>
            <p className="mt-2 text-xs text-fg-muted">Or paste a token below.</p>
          </Card>
        )}
        <Card>
          <form onSubmit={(e) => void submit(e)} className="space-y-4">
            <Hint info={info} />
            <label htmlFor="token" className="block text-sm font-medium">
              Bearer token
            </label>
            <textarea
              id="token"
              value={token}
              onChange={(e) => setToken(e.target.value)}
              rows={5}
              spellCheck={false}
              autoComplete="off"
              aria-invalid={error !== null}
              aria-describedby={error ? 'token-error' : undefined}
              className="w-full rounded-md border border-line bg-surface p-2 font-mono text-xs text-fg focus-visible:outline-2 focus-visible:outline-accent"
            />
            {error && (
              <p id="token-error" role="alert" className="text-sm text-status-error">
                {error}
              </p>
            )}
            <Button type="submit" variant="primary" disabled={busy}>
              {busy ? 'Checking…' : 'Sign in with token'}
            </Button>
          </form>
        </Card>
      </div>
    </main>
  );
}
