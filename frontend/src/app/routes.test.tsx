import { render, screen } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { describe, expect, it } from 'vitest';
import { stubFetchReject } from '../test/fetch';
import { routes } from './routes';

function renderAt(path: string) {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  render(<RouterProvider router={router} />);
}

describe('routes', () => {
  it('renders the shell with the product name and the dashboard at /', async () => {
    stubFetchReject();
    renderAt('/');
    expect(await screen.findByRole('heading', { level: 1, name: 'Dashboard' })).toBeInTheDocument();
    expect(screen.getByRole('banner')).toHaveTextContent('NGF Console');
  });

  it('renders an honest placeholder for a section that is not built', async () => {
    renderAt('/gateways');
    expect(await screen.findByRole('heading', { level: 1, name: 'Gateways' })).toBeInTheDocument();
    expect(screen.getByText('Not built yet — see the issue tracker.')).toBeInTheDocument();
  });

  it('renders a not-found page for unknown paths', async () => {
    renderAt('/no/such/page');
    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
  });
});
