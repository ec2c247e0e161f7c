import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '../../test/render';
import { L4RouteBuilder } from './L4RouteBuilder';

const list = (items: unknown[]) => ({ items, continue: null, resourceVersion: '1', total: items.length });
const json = (body: unknown, status = 200) => Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));
const edge = {
  name: 'edge',
  namespace: 'db',
  listeners: [
    { name: 'http', protocol: 'HTTP', port: 80 },
    { name: 'tls', protocol: 'TLS', port: 8443 },
    { name: 'pg', protocol: 'TCP', port: 5432 },
  ],
};

function stubApi() {
  const posts: { url: string; body: Record<string, unknown> }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn((input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      if (init?.method === 'POST') {
        const body = JSON.parse(String(init.body)) as Record<string, unknown>;
        posts.push({ url, body });
        return json({ object: body, dryRun: url.includes('dryRun=true') }, url.includes('dryRun=true') ? 200 : 201);
      }
      if (url.startsWith('/api/v1/gateways')) return json(list([edge]));
      if (url.startsWith('/api/v1/services')) return json(list([{ metadata: { name: 'postgres', namespace: 'db' } }]));
      return json({ detail: { message: 'not found' } }, 404);
    }),
  );
  return posts;
}

afterEach(() => vi.unstubAllGlobals());

describe('L4RouteBuilder', () => {
  it('TLSRoute: SNI hostnames required, only TLS listeners offered; dry run, then create the reviewed manifest', async () => {
    const posts = stubApi();
    renderWithProviders(<L4RouteBuilder kind="TLSRoute" />);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'db' } });
    fireEvent.change(screen.getByLabelText('Namespace'), { target: { value: 'db' } });
    const gateway = screen.getByLabelText('Gateway');
    await waitFor(() => expect(within(gateway).getByRole('option', { name: 'db/edge' })).toBeInTheDocument());
    fireEvent.change(gateway, { target: { value: 'db/edge' } });
    const listener = screen.getByLabelText('Listener (TLS)');
    await waitFor(() => expect(within(listener).getAllByRole('option').map((o) => o.textContent)).toEqual(['Any TLS listener', 'tls (TLS:8443)']));
    fireEvent.change(listener, { target: { value: 'tls' } });
    fireEvent.change(screen.getByLabelText('Service'), { target: { value: 'postgres' } });
    fireEvent.click(screen.getByRole('button', { name: 'Review (dry run)' }));
    expect(await screen.findByText('At least one SNI hostname')).toBeInTheDocument();
    expect(posts).toEqual([]);

    fireEvent.change(screen.getByLabelText('SNI hostnames'), { target: { value: 'db.example.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Review (dry run)' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Create TLSRoute' }));
    expect(await screen.findByText(/Created TLSRoute db\/db/)).toBeInTheDocument();
    expect(posts.map((p) => p.url)).toEqual(['/api/v1/tlsroutes?dryRun=true', '/api/v1/tlsroutes']);
    expect(posts[1]!.body).toEqual(posts[0]!.body);
    expect(posts[1]!.body).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1alpha2',
      kind: 'TLSRoute',
      metadata: { name: 'db', namespace: 'db' },
      spec: { parentRefs: [{ name: 'edge', sectionName: 'tls' }], hostnames: ['db.example.com'], rules: [{ backendRefs: [{ name: 'postgres', port: 443, weight: 1 }] }] },
    });
  });

  it('UDPRoute: no hostnames, and a Gateway without a UDP listener is marked', async () => {
    stubApi();
    renderWithProviders(<L4RouteBuilder kind="UDPRoute" />);
    expect(screen.queryByLabelText('SNI hostnames')).toBeNull();
    const gateway = screen.getByLabelText('Gateway');
    await waitFor(() => expect(within(gateway).getByRole('option', { name: 'db/edge (no UDP listener)' })).toBeInTheDocument());
    fireEvent.change(gateway, { target: { value: 'db/edge' } });
    expect(await screen.findByText(/edge has no UDP listener: the route would not be accepted/)).toBeInTheDocument();
  });
});
