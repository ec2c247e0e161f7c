/**
 * Browser sign-in with the OIDC issuer: authorization code flow with PKCE (oidc-client-ts),
 * as a public client (no secret in the browser). The ID token it returns is the bearer
 * token the API verifies (its audience is the client id, see docs/auth.md).
 */
import { UserManager, WebStorageStateStore } from 'oidc-client-ts';

/** Where the issuer sends the browser back (a client-side route, outside the shell). */
export const CALLBACK_PATH = '/auth/callback';

export interface OidcClient {
  readonly issuer: string;
  readonly client_id: string;
}

function manager({ issuer, client_id }: OidcClient): UserManager {
  return new UserManager({
    authority: issuer,
    client_id,
    redirect_uri: `${window.location.origin}${CALLBACK_PATH}`,
    response_type: 'code',
    scope: 'openid email profile groups',
    // The flow's state and the signed-in user stay in this tab only.
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    loadUserInfo: false,
    automaticSilentRenew: false,
  });
}

/** Leave for the issuer's login page; `returnTo` is where to land once signed in. */
export async function startLogin(client: OidcClient, returnTo: string): Promise<void> {
  await manager(client).signinRedirect({ state: { returnTo } });
}

/** Finish the flow on the callback page: the ID token and where the user was going. */
export async function finishLogin(client: OidcClient): Promise<{ idToken: string; returnTo: string }> {
  const user = await manager(client).signinRedirectCallback();
  if (!user.id_token) throw new Error('The issuer returned no ID token.');
  const state = user.state as { returnTo?: unknown } | undefined;
  const returnTo = typeof state?.returnTo === 'string' && state.returnTo.startsWith('/') ? state.returnTo : '/';
  return { idToken: user.id_token, returnTo };
}
