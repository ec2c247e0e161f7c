import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useAuthStore } from '../state/auth';
import { stubFetchByUrl, stubFetchReject } from '../test/fetch';
import { testQueryClient } from '../test/render';
import { AuthGate } from './AuthGate';
import { useAuthInfo } from './authQueries';

/** A child that asks for the auth info too (as the header's user menu does). */
function AlsoAsks() {
  const info = useAuthInfo();
  return <p>also asked: {info.status}</p>;
}

function renderGate() {
  render(
    <QueryClientProvider client={testQueryClient()}>
      <AuthGate>
        <p>the console</p>
      </AuthGate>
    </QueryClientProvider>,
  );
}

afterEach(() => useAuthStore.getState().signOut());

describe('AuthGate', () => {
  it('lets everyone in when the API does not authenticate', async () => {
    stubFetchByUrl({ '/api/v1/auth': { mode: 'none', oidc: null } });
    renderGate();
    expect(await screen.findByText('the console')).toBeInTheDocument();
  });

  it('renders the shell when the API is unreachable (the header says so)', async () => {
    stubFetchReject();
    renderGate();
    expect(await screen.findByText('the console')).toBeInTheDocument();
  });

  it('stays on the shell when a child asks again and the API is still unreachable', async () => {
    const fetchMock = stubFetchReject();
    render(
      <QueryClientProvider client={testQueryClient()}>
        <AuthGate>
          <AlsoAsks />
        </AuthGate>
      </QueryClientProvider>,
    );
    expect(await screen.findByText('also asked: error')).toBeInTheDocument();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(screen.getByText('also asked: error')).toBeInTheDocument();
    expect(fetchMock).toHaveBeenCalledTimes(1); // a refetch would unmount the shell, again and again
  });

  it('asks for a token in kubernetes mode, and again after a 401', async () => {
    stubFetchByUrl({ '/api/v1/auth': { mode: 'kubernetes', oidc: null } });
    renderGate();
    expect(await screen.findByRole('heading', { name: 'Sign in to NGF Console' })).toBeInTheDocument();
    expect(screen.getByText(/kubectl create token/)).toBeInTheDocument();
  });

  it('shows the console to a signed-in user until the API rejects the token', async () => {
    stubFetchByUrl({ '/api/v1/auth': { mode: 'oidc', oidc: { issuer: 'https://idp.example', client_id: 'console' } } });
    useAuthStore.getState().signIn('t0ken');
    renderGate();
    expect(await screen.findByText('the console')).toBeInTheDocument();
  });
});
