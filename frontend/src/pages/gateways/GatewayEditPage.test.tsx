import { fireEvent, screen, waitFor } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '../../test/render';
import { GatewayEditPage } from './GatewayEditPage';

const emptyList = { items: [], continue: null, resourceVersion: '1', total: 0 };
const bundle = {
  apiVersion: 'ngf-console.f5.com/v1alpha1',
  kind: 'GatewayBundle',
  metadata: { name: 'web', namespace: 'shop', generation: 2, resourceVersion: '10', labels: { team: 'web' } },
  spec: { gatewayClassName: 'nginx', infrastructure: { replicas: 2 }, listeners: [{ hostname: 'old.example.com', name: 'http', port: 80, protocol: 'HTTP' }] },
  status: { phase: 'Ready' },
};

function json(body: unknown, status = 200) {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));
}

function stubApi() {
  const puts: { url: string; body: Record<string, unknown> }[] = [];
  const mock = vi.fn((input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    if (init?.method === 'PUT') {
      const body = JSON.parse(String(init.body)) as Record<string, unknown>;
      puts.push({ url, body });
      const dryRun = url.includes('dryRun=true');
      return json({ object: body, dryRun, preview: dryRun ? { edition: 'oss', children: [{ kind: 'Gateway', metadata: { name: 'web', namespace: 'shop' } }] } : null, auditId: dryRun ? null : 5 });
    }
    // After the save the API holds a newer generation (the refetch must not restart the wizard).
    if (url.startsWith('/api/v1/gatewaybundles/shop/web')) return json(puts.some((p) => !p.url.includes('dryRun')) ? { ...bundle, metadata: { ...bundle.metadata, generation: 3 } } : bundle);
    if (url.startsWith('/api/v1/config')) return json({ version: '1', edition: 'oss' });
    if (url.startsWith('/api/v1/me/permissions')) return json({ namespace: 'shop', items: [] });
    if (/\/api\/v1\/(gatewayclasses|namespaces|gateways)/.test(url)) return json(emptyList);
    return json({ detail: { message: 'not found' } }, 404);
  });
  vi.stubGlobal('fetch', mock);
  return puts;
}

/** GETs so far whose URL matches `pattern`. */
function fetchCalls(pattern: RegExp): number {
  const mock = globalThis.fetch as unknown as { mock: { calls: [RequestInfo | URL, RequestInit | undefined][] } };
  return mock.mock.calls.filter(([url, init]) => init?.method !== 'PUT' && pattern.test(String(url))).length;
}

describe('GatewayEditPage', () => {
  it('opens the wizard pre-filled, shows the change as a diff with the dry run, and PUTs it', async () => {
    const puts = stubApi();
    renderWithProviders(
      <Routes>
        <Route path="/gateways/:namespace/:name/edit" element={<GatewayEditPage />} />
      </Routes>,
      '/gateways/shop/web/edit',
    );
    expect(await screen.findByRole('heading', { level: 1, name: 'Edit gateway shop/web' })).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    const name = await screen.findByRole('textbox', { name: 'Name' });
    expect(name).toHaveValue('web');
    expect(name).toHaveAttribute('readonly');
    expect(screen.getByRole('textbox', { name: 'Labels' })).toHaveValue('team=web');
    const hostname = screen.getByRole('textbox', { name: 'Hostname' });
    expect(hostname).toHaveValue('old.example.com');
    fireEvent.change(hostname, { target: { value: 'new.example.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Skip' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Skip' }));

    const diff = await screen.findByRole('table', { name: 'Side-by-side diff' });
    const changed = diff.querySelectorAll('[data-change="changed"]');
    expect(changed).toHaveLength(1);
    expect(changed[0]).toHaveTextContent('hostname: old.example.com');
    expect(changed[0]).toHaveTextContent('hostname: new.example.com');
    expect(diff.querySelectorAll('[data-change="added"], [data-change="removed"]')).toHaveLength(0);
    expect(await screen.findByText(/What the operator will create \(1 resources/)).toBeInTheDocument();
    expect(puts[0]?.url).toBe('/api/v1/gatewaybundles/shop/web?dryRun=true');

    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Saved GatewayBundle shop/web (audit entry #5).')).toBeInTheDocument();
    await waitFor(() => expect(puts).toHaveLength(2));
    // Reads: on opening, the generation check before the PUT, the refetch after it.
    await waitFor(() => expect(fetchCalls(/gatewaybundles\/shop\/web$/)).toBeGreaterThan(2));
    expect(screen.getByText('Saved GatewayBundle shop/web (audit entry #5).')).toBeInTheDocument();
    const saved = puts[1]!;
    expect(saved.url).toBe('/api/v1/gatewaybundles/shop/web');
    expect(saved.body).toEqual({
      apiVersion: 'ngf-console.f5.com/v1alpha1',
      kind: 'GatewayBundle',
      metadata: { name: 'web', namespace: 'shop', labels: { team: 'web' } },
      spec: { gatewayClassName: 'nginx', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', hostname: 'new.example.com' }], infrastructure: { replicas: 2 } },
    });
    // Five steps of forms on a shared 2-core machine: more than the default 5 s.
  }, 30_000);
});
