import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '../../test/render';
import { ScaleDataPlane } from './ScaleDataPlane';

const bundle = {
  apiVersion: 'ngf-console.f5.com/v1alpha1',
  kind: 'GatewayBundle',
  metadata: { name: 'web', namespace: 'shop', generation: 2, resourceVersion: '10' },
  spec: { gatewayClassName: 'nginx', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }], infrastructure: { replicas: 2 } },
};

function json(body: unknown, status = 200) {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));
}

/** The API: the bundle, the caller's permissions, and a PUT answered by `put`. */
function stubApi(write: boolean, put: (body: unknown) => Promise<Response>) {
  const mock = vi.fn((input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    if (url.startsWith('/api/v1/me/permissions')) return json({ items: [{ kind: 'GatewayBundle', group: 'ngf-console.f5.com', plural: 'gatewaybundles', read: true, write }] });
    if (url.startsWith('/api/v1/gatewaybundles/shop/web') && init?.method === 'PUT') return put(JSON.parse(String(init.body)));
    if (url.startsWith('/api/v1/gatewaybundles/shop/web')) return json(bundle);
    return json({ detail: { message: 'not found' } }, 404);
  });
  vi.stubGlobal('fetch', mock);
  return mock;
}

describe('ScaleDataPlane', () => {
  it('refuses replicas outside 1..N before asking the API', async () => {
    const put = vi.fn(() => json({}));
    stubApi(true, put);
    renderWithProviders(<ScaleDataPlane namespace="shop" name="web" />);
    expect(await screen.findByText('Replicas now: 2')).toBeInTheDocument();
    const input = screen.getByLabelText('Replicas');
    await waitFor(() => expect(input).toBeEnabled());
    fireEvent.change(input, { target: { value: '0' } });
    fireEvent.click(screen.getByRole('button', { name: 'Scale…' }));
    expect(await screen.findByText(/At least 1/)).toBeInTheDocument();
    fireEvent.change(input, { target: { value: '1.5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Scale…' }));
    expect(await screen.findByText('A whole number')).toBeInTheDocument();
    fireEvent.change(input, { target: { value: '2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Scale…' }));
    expect(await screen.findByText('The data plane already asks for 2 replicas')).toBeInTheDocument();
    expect(put).not.toHaveBeenCalled();
  });

  it('confirms with the diff line, PUTs the bundle with the new replicas, and shows the API field errors', async () => {
    const put = vi.fn((body: unknown) => {
      void body;
      return json({ detail: { message: 'invalid GatewayBundle', causes: [{ field: 'spec.infrastructure.replicas', message: 'quota exceeded' }] } }, 422);
    });
    stubApi(true, put);
    renderWithProviders(<ScaleDataPlane namespace="shop" name="web" />);
    const input = await screen.findByLabelText('Replicas');
    await waitFor(() => expect(input).toBeEnabled());
    fireEvent.change(input, { target: { value: '3' } });
    fireEvent.click(screen.getByRole('button', { name: 'Scale…' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Confirm scale' });
    const changed = dialog.querySelectorAll('[data-change="changed"]');
    expect(changed).toHaveLength(1);
    expect(changed[0]).toHaveTextContent('replicas: 2');
    expect(changed[0]).toHaveTextContent('replicas: 3');
    fireEvent.click(screen.getByRole('button', { name: 'Confirm scale' }));
    expect(await screen.findByText('quota exceeded')).toBeInTheDocument();
    expect(screen.getByText('spec.infrastructure.replicas')).toBeInTheDocument();
    const sent = put.mock.calls[0]?.[0] as { spec: { infrastructure: { replicas: number }; listeners: unknown[] } };
    expect(sent.spec.infrastructure.replicas).toBe(3);
    expect(sent.spec.listeners).toEqual(bundle.spec.listeners);
  });

  it('is greyed, with the reason, when the role may not write GatewayBundles there', async () => {
    stubApi(false, () => json({}));
    renderWithProviders(<ScaleDataPlane namespace="shop" name="web" />);
    expect(await screen.findByText('Your role cannot change GatewayBundle objects in namespace shop.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Scale…' })).toBeDisabled();
  });
});
