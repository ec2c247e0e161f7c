import { screen, within } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { describe, expect, it } from 'vitest';
import { stubFetchByUrl } from '../../test/fetch';
import { renderWithProviders } from '../../test/render';
import { RouteDetailPage } from './RouteDetailPage';
import { backendShares, matchText } from './routeDetailParts';

const grpc = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'GRPCRoute',
  metadata: { name: 'orders', namespace: 'shop' },
  spec: {
    parentRefs: [{ name: 'edge', namespace: 'infra', sectionName: 'grpc' }],
    rules: [{ matches: [{ method: { service: 'shop.Orders', method: 'Get' } }], backendRefs: [{ name: 'orders', port: 9000, weight: 3 }, { name: 'orders-next', port: 9000, weight: 1 }] }],
  },
  status: {
    parents: [
      {
        parentRef: { name: 'edge', namespace: 'infra', sectionName: 'grpc' },
        controllerName: 'gateway.nginx.org/nginx-gateway-controller',
        conditions: [{ type: 'Accepted', status: 'False', reason: 'NotAllowedByListeners', message: 'listener grpc takes HTTPRoutes only' }],
      },
    ],
  },
};

function renderAt(path: string) {
  return renderWithProviders(
    <Routes>
      <Route path="/routes/:kind/:namespace/:name" element={<RouteDetailPage />} />
    </Routes>,
    path,
  );
}

describe('route detail helpers', () => {
  it('shares follow the weights, an unset weight counting 1', () => {
    expect(backendShares([{ name: 'a', weight: 90 }, { name: 'b', weight: 10 }])).toEqual([0.9, 0.1]);
    expect(backendShares([{ name: 'a' }, { name: 'b' }])).toEqual([0.5, 0.5]);
    expect(backendShares([{ name: 'a', weight: 0 }])).toEqual([0]);
  });

  it('reads HTTP and gRPC matches', () => {
    expect(matchText({ path: { type: 'Exact', value: '/cart' }, method: 'POST', headers: [{ name: 'x-env', value: 'beta' }] })).toBe('Exact /cart · POST · header x-env=beta');
    expect(matchText({ method: { service: 'shop.Orders', method: 'Get' } })).toBe('shop.Orders/Get');
    expect(matchText({})).toBe('any request');
  });
});

describe('RouteDetailPage', () => {
  it('shows a GRPCRoute: refused status per parent, rules with shares, the route check link, no invented metrics', async () => {
    stubFetchByUrl({ '/api/v1/grpcroutes/shop/orders': grpc, '/api/v1/me/permissions': { namespace: 'shop', items: [] } });
    renderAt('/routes/grpcroute/shop/orders');
    expect(await screen.findByRole('heading', { level: 1, name: 'GRPCRoute orders' })).toBeInTheDocument();
    const conditions = await screen.findByRole('table', { name: 'Conditions from infra/edge#grpc' });
    expect(within(conditions).getByText('NotAllowedByListeners')).toBeInTheDocument();
    expect(screen.getByText('shop.Orders/Get')).toBeInTheDocument();
    const backends = screen.getByRole('table', { name: 'Backends of rule 1' });
    expect(within(backends).getByRole('row', { name: /^orders-next/ })).toHaveTextContent('25%');
    expect(screen.getByRole('link', { name: 'Run route check' })).toHaveAttribute('href', '/diagnostics/route-check?route=GRPCRoute%2Fshop%2Forders');
    expect(screen.getByText(/measured for HTTPRoutes only/)).toBeInTheDocument();
  });

  it('says so when the kind is not a route kind', () => {
    renderAt('/routes/ingress/shop/orders');
    expect(screen.getByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
  });
});
