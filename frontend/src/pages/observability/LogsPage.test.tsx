import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useUiStore } from '../../state/ui';
import { stubFetchByUrl } from '../../test/fetch';
import { renderWithProviders } from '../../test/render';
import { LogsPage } from './LogsPage';

const row = {
  timestamp: '2026-01-01T00:00:01+00:00',
  status: 503,
  method: 'GET',
  host: 'shop.example.com',
  path: '/cart',
  namespace: 'team-a',
  route: 'web',
  latency_ms: 12.5,
  request_id: 'req-1',
  waf_signatures: ['a', 'b'],
};

describe('LogsPage', () => {
  it('queries with the URL filters and the header namespace, and shows every column of a row', async () => {
    useUiStore.setState({ cluster: null, namespace: 'team-a' });
    const fetch = stubFetchByUrl({ '/api/v1/logs/query': { items: [row], continue: 'next', total: 7, since: 'x', until: 'y' } });
    renderWithProviders(<LogsPage />, '/observability/logs?status=5xx&route=web&range=6h');
    expect(await screen.findByText('/cart')).toBeInTheDocument();
    const url = new URL(String(fetch.mock.calls[0]?.[0]), 'http://x');
    expect(url.searchParams.get('namespace')).toBe('team-a');
    expect(url.searchParams.get('status_min')).toBe('500');
    expect(url.searchParams.get('status_max')).toBe('599');
    expect(url.searchParams.get('route')).toBe('web');
    const since = Date.parse(url.searchParams.get('since') ?? '');
    const until = Date.parse(url.searchParams.get('until') ?? '');
    expect(until - since).toBe(6 * 3600 * 1000);
    expect(screen.getByText(/7 matching rows/)).toBeInTheDocument();
    expect(screen.getByLabelText('Status')).toHaveValue('5xx');

    fireEvent.click(screen.getByRole('button', { name: 'Details of request req-1' }));
    const drawer = screen.getByRole('dialog');
    for (const key of Object.keys(row)) expect(within(drawer).getByText(key)).toBeInTheDocument();
    expect(within(drawer).getByText('a, b')).toBeInTheDocument();
    fireEvent.keyDown(window, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();

    // The next page carries the continue token within the same window.
    fireEvent.click(screen.getByRole('button', { name: 'Older' }));
    await screen.findByText('Page 2');
    const next = new URL(String(fetch.mock.calls.at(-1)?.[0]), 'http://x');
    expect(next.searchParams.get('continue')).toBe('next');
    expect(next.searchParams.get('since')).toBe(url.searchParams.get('since'));
  });
});
