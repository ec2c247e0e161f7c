import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { describe, expect, it } from 'vitest';
import { stubFetchByUrl, stubFetchReject } from '../test/fetch';
import { testQueryClient } from '../test/render';
import { routes } from './routes';

function renderAt(path: string) {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  render(
    <QueryClientProvider client={testQueryClient()}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
}

describe('routes', () => {
  it('renders the shell with the product name and the dashboard at /', async () => {
    stubFetchReject();
    renderAt('/');
    expect(await screen.findByRole('heading', { level: 1, name: 'Dashboard' })).toBeInTheDocument();
    expect(screen.getByRole('banner')).toHaveTextContent('NGF Console');
  });

  it('renders an honest placeholder for a section that is not built', async () => {
    stubFetchReject();
    renderAt('/observability');
    expect(await screen.findByRole('heading', { level: 1, name: 'Observability' })).toBeInTheDocument();
    expect(screen.getByText('Not built yet — see the issue tracker.')).toBeInTheDocument();
  });

  it('renders the gateways page, lazily, at /gateways', async () => {
    stubFetchByUrl({
      '/api/v1/clusters': [{ name: 'default', default: true, reachable: true }],
      '/api/v1/gateways': { items: [], continue: null, resourceVersion: '1', total: 0 },
    });
    renderAt('/gateways');
    expect(await screen.findByRole('heading', { level: 1, name: 'Gateways' })).toBeInTheDocument();
    expect(await screen.findByText(/No Gateways yet/)).toBeInTheDocument();
  });

  it('renders a not-found page for unknown paths', async () => {
    stubFetchReject();
    renderAt('/no/such/page');
    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
  });
});
