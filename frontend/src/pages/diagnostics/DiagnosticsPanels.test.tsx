import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { RouteCheckReport, SimulationResult } from '../../api/diagnosticsQueries';
import { stubFetchByUrl } from '../../test/fetch';
import { renderWithProviders } from '../../test/render';
import { RouteCheckPanel } from './RouteCheckPanel';
import { SimulationView } from './SimulationView';

const emptyList = { items: [], continue: null, resourceVersion: '1', total: 0 };
const IDS = ['route-status', 'gateway-attachment', 'listener-match', 'route-precedence', 'backend-health', 'policy-blocks', 'tls', 'network-connectivity'];

function report(): RouteCheckReport {
  return {
    kind: 'HTTPRoute',
    namespace: 'shop',
    name: 'web',
    status: 'fail',
    first_failure: 'gateway-attachment',
    first_warning: 'backend-health',
    checks: IDS.map((id, i) => ({
      id,
      step: i + 1,
      title: `Check ${id}`,
      status: id === 'gateway-attachment' ? 'fail' : id === 'backend-health' ? 'warn' : id === 'tls' ? 'skip' : 'pass',
      summary: `summary of ${id}`,
      evidence: id === 'gateway-attachment' ? ['Gateway shop/edge: not found'] : [],
      remediation: id === 'gateway-attachment' ? 'Create Gateway shop/edge.' : null,
    })),
  };
}

describe('RouteCheckPanel', () => {
  it('asks nothing until a route is picked', () => {
    const fetchMock = stubFetchByUrl({ '/api/v1/httproutes': emptyList, '/api/v1/grpcroutes': emptyList });
    renderWithProviders(<RouteCheckPanel />, '/diagnostics');
    expect(screen.getByText(/Pick a route to run the eight checks/)).toBeInTheDocument();
    expect(fetchMock.mock.calls.some(([url]) => String(url).includes('route-check'))).toBe(false);
  });

  it('shows the eight checks in order with a word for each verdict, evidence and the fix', async () => {
    const fetchMock = stubFetchByUrl({ '/api/v1/diagnostics/route-check': report(), '/api/v1/': emptyList });
    renderWithProviders(<RouteCheckPanel />, '/diagnostics?route=HTTPRoute/shop/web');
    const list = await screen.findByRole('list', { name: 'Route checks' });
    const items = within(list).getAllByRole('listitem').filter((li) => li.dataset['testid']?.startsWith('check-'));
    expect(items.map((li) => li.dataset['testid'])).toEqual(IDS.map((id) => `check-${id}`));
    const failing = screen.getByTestId('check-gateway-attachment');
    expect(failing).toHaveTextContent('Fail');
    expect(failing).toHaveTextContent('First failure:');
    expect(failing).toHaveTextContent('Gateway shop/edge: not found');
    expect(failing).toHaveTextContent('Fix: Create Gateway shop/edge.');
    expect(screen.getByTestId('check-backend-health')).toHaveTextContent('Warning');
    expect(screen.getByTestId('check-tls')).toHaveTextContent('Skipped');
    const url = fetchMock.mock.calls.map(([u]) => String(u)).find((u) => u.includes('route-check'));
    expect(url).toBe('/api/v1/diagnostics/route-check?kind=HTTPRoute&namespace=shop&name=web');
  });
});

describe('SimulationView', () => {
  it('marks each condition of the winner and of the losers', () => {
    stubFetchByUrl({});
    const result = {
      request: { method: 'GET', scheme: 'http', host: 'shop.example.com', path: '/api/x', headers: {}, query: {}, protocol: 'http' },
      outcome: 'forwarded',
      status: null,
      gateway: 'shop/edge',
      listener: 'http',
      hostname: 'shop.example.com',
      route: {
        kind: 'HTTPRoute', namespace: 'shop', name: 'web', rule: 1, match: 0, hostname: 'shop.example.com', matched: true,
        conditions: [{ field: 'path', match_type: 'PathPrefix', expected: '/api', actual: '/api/x', passed: true }],
      },
      candidates: [
        {
          kind: 'HTTPRoute', namespace: 'shop', name: 'web', rule: 0, match: 0, hostname: 'shop.example.com', matched: false,
          conditions: [
            { field: 'path', match_type: 'PathPrefix', expected: '/api', actual: '/api/x', passed: true },
            { field: 'header:x-env', match_type: 'Exact', expected: 'canary', actual: null, passed: false },
          ],
        },
        { kind: 'HTTPRoute', namespace: 'shop', name: 'old', rule: 0, match: 0, hostname: 'shop.example.com', matched: true, lost_by: 'oldest route by creationTimestamp', conditions: [] },
      ],
      backends: [{ kind: 'Service', namespace: 'shop', name: 'web', port: 80, weight: 1, share: 1, resolved: true }],
    } as unknown as SimulationResult;
    renderWithProviders(<SimulationView result={result} />);
    expect(screen.getByTestId('chosen-route')).toHaveTextContent('HTTPRoute shop/web rule 1 match 0');
    const losers = screen.getAllByTestId('losing-candidate');
    expect(losers).toHaveLength(2);
    const failed = losers[0]?.querySelector('li[data-passed="false"]');
    expect(failed).toHaveTextContent('header:x-env');
    expect(failed).toHaveTextContent('(absent)');
    expect(within(failed as HTMLElement).getByText('failed')).toBeInTheDocument();
    expect(losers[1]).toHaveTextContent('Matched, but lost on precedence: oldest route by creationTimestamp');
    expect(screen.getByRole('table', { name: 'Backend shares' })).toHaveTextContent('100%');
  });
});
