import { render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import { Sidebar } from './Sidebar';

const EXPECTED = [
  'Dashboard',
  'Gateways',
  'Routes',
  'Policies',
  'Certificates',
  'Topology',
  'Inference',
  'Observability',
  'Migration',
  'Diagnostics',
  'Audit',
  'Settings',
];

function renderAt(path: string) {
  render(
    <MemoryRouter initialEntries={[path]}>
      <Sidebar />
    </MemoryRouter>,
  );
  return screen.getByRole('navigation', { name: 'Main' });
}

describe('Sidebar', () => {
  it('lists every section, in order, as a link', () => {
    const nav = renderAt('/');
    const links = within(nav).getAllByRole('link');
    expect(links.map((a) => a.textContent)).toEqual(EXPECTED);
    expect(within(nav).getByRole('link', { name: 'Gateways' })).toHaveAttribute('href', '/gateways');
    expect(within(nav).getByRole('link', { name: 'Dashboard' })).toHaveAttribute('href', '/');
  });

  it('marks only the current section as active', () => {
    const nav = renderAt('/inference');
    const current = within(nav)
      .getAllByRole('link')
      .filter((a) => a.getAttribute('aria-current') === 'page');
    expect(current.map((a) => a.textContent)).toEqual(['Inference']);
  });
});
