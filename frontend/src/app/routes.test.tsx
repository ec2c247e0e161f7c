import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { describe, expect, it } from 'vitest';
import { stubFetchByUrl, stubFetchReject } from '../test/fetch';
import { testQueryClient } from '../test/render';
import { PlaceholderPage } from '../pages/PlaceholderPage';
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

  it('has an honest placeholder for a section that is not built', () => {
    // Every section is built today; the placeholder stays for the next one.
    render(<PlaceholderPage title="Later" summary="Something to come." />);
    expect(screen.getByRole('heading', { level: 1, name: 'Later' })).toBeInTheDocument();
    expect(screen.getByText('Not built yet — see the issue tracker.')).toBeInTheDocument();
  });

  it('renders the observability section, lazily, with its sub-navigation', async () => {
    stubFetchReject();
    renderAt('/observability/topn');
    expect(await screen.findByRole('heading', { level: 1, name: 'Observability' })).toBeInTheDocument();
    const nav = screen.getByRole('navigation', { name: 'Observability' });
    expect(nav).toHaveTextContent('Log explorer');
    expect(await screen.findByRole('heading', { level: 2, name: 'Top-N' })).toBeInTheDocument();
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
