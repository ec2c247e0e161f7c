import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '../../test/render';
import { PolicyBuilder } from './PolicyBuilder';
import { PolicyGallery } from './PolicyGallery';

const list = (items: unknown[]) => ({ items, continue: null, resourceVersion: '1', total: items.length });
const json = (body: unknown, status = 200) => Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));

/** fetch answering GETs from `gets` (URL prefix) and POSTs with `post`; records every call. */
function stubApi(gets: Record<string, unknown>, post: (url: string, body: unknown) => Promise<Response> = () => json({}, 500)) {
  const mock = vi.fn((input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    if (init?.method === 'POST') return post(url, JSON.parse(String(init.body)));
    const key = Object.keys(gets).find((k) => url.startsWith(k));
    return key === undefined ? json({ detail: { message: 'not found' } }, 404) : json(gets[key]);
  });
  vi.stubGlobal('fetch', mock);
  return mock;
}

function renderBuilder(path: string) {
  return renderWithProviders(
    <Routes>
      <Route path="/policies/create" element={<PolicyGallery />} />
      <Route path="/policies/create/:type" element={<PolicyBuilder />} />
    </Routes>,
    path,
  );
}

afterEach(() => vi.unstubAllGlobals());

describe('PolicyBuilder', () => {
  it('starts from the template, and puts the API’s 422 causes on the fields', async () => {
    const posts: string[] = [];
    stubApi(
      { '/api/v1/config': { edition: 'oss' }, '/api/v1/policies/clientsettings': list([]), '/api/v1/httproutes': list([{ metadata: { name: 'api', namespace: 'default' } }]) },
      (url) => {
        posts.push(url);
        return json({ detail: { message: 'ClientSettingsPolicy.gateway.nginx.org "client-settings" is invalid', causes: [{ field: 'spec.body.maxSize', message: 'Invalid value: "10m": server says no' }] } }, 422);
      },
    );
    renderBuilder('/policies/create/clientsettings?template=client-body-timeouts');
    expect(await screen.findByRole('heading', { level: 1, name: 'Create ClientSettingsPolicy' })).toBeInTheDocument();
    expect(screen.getByLabelText('Max request body size')).toHaveValue('10m');
    const target = screen.getByLabelText(/^HTTPRoute \(in default\)/);
    await waitFor(() => expect(within(target).getByRole('option', { name: 'api' })).toBeInTheDocument());
    fireEvent.change(target, { target: { value: 'api' } });
    fireEvent.click(screen.getByRole('button', { name: 'Review (dry run)' }));
    expect(await screen.findByText('Invalid value: "10m": server says no', { selector: 'p' })).toBeInTheDocument();
    expect(screen.getByLabelText('Max request body size')).toHaveAttribute('aria-invalid', 'true');
    expect(posts).toEqual(['/api/v1/policies/clientsettings?dryRun=true']);
    expect(screen.queryByRole('button', { name: 'Create ClientSettingsPolicy' })).not.toBeInTheDocument();
  });

  it('refuses bad input on the field before asking the API', async () => {
    const mock = stubApi({ '/api/v1/config': { edition: 'oss' }, '/api/v1/policies/ratelimit': list([]), '/api/v1/httproutes': list([]) });
    renderBuilder('/policies/create/ratelimit');
    fireEvent.change(await screen.findByLabelText('Rate'), { target: { value: 'fast' } });
    fireEvent.click(screen.getByRole('button', { name: 'Review (dry run)' }));
    expect(await screen.findByText('Requests per second or minute, such as 10r/s or 100r/m')).toBeInTheDocument();
    expect(mock.mock.calls.some((c) => (c[1] as RequestInit | undefined)?.method === 'POST')).toBe(false);
  });

  it('says clearly when the kind’s CRD is not installed', async () => {
    stubApi({ '/api/v1/config': { edition: 'oss' }, '/api/v1/httproutes': list([]) });
    renderBuilder('/policies/create/ratelimit');
    expect(await screen.findByText('RateLimitPolicy is not installed in this cluster')).toBeInTheDocument();
    expect(screen.getByText(/ratelimitpolicies.gateway.nginx.org is missing/)).toBeInTheDocument();
  });

  it('says up front when the caller’s role may not create the kind there', async () => {
    stubApi({
      '/api/v1/config': { edition: 'oss' },
      '/api/v1/policies/clientsettings': list([]),
      '/api/v1/httproutes': list([]),
      '/api/v1/me/permissions': { namespace: 'default', items: [{ kind: 'ClientSettingsPolicy', group: 'gateway.nginx.org', plural: 'clientsettingspolicies', read: true, write: false }] },
    });
    renderBuilder('/policies/create/clientsettings');
    expect(await screen.findByText('Your role cannot change ClientSettingsPolicy objects in namespace default.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Review (dry run)' })).toBeDisabled();
  });

  it('greys an enterprise kind on OSS and asks nothing about it', async () => {
    const mock = stubApi({ '/api/v1/config': { edition: 'oss' } });
    renderBuilder('/policies/create/snippetsfilter?template=cors-headers');
    expect(await screen.findByTestId('enterprise-gated')).toBeInTheDocument();
    await waitFor(() => expect(mock).toHaveBeenCalled());
    expect(mock.mock.calls.map((c) => String(c[0])).some((u) => u.includes('snippetsfilter'))).toBe(false);
  });
});

describe('PolicyGallery', () => {
  it('lists the templates, marks a missing CRD, and greys enterprise ones on OSS', async () => {
    const mock = stubApi({ '/api/v1/config': { edition: 'oss' }, '/api/v1/policies/clientsettings': list([]), '/api/v1/policies/backendtls': list([]), '/api/v1/policies/upstreamsettings': list([]), '/api/v1/policies/observability': list([]) });
    renderBuilder('/policies/create');
    const rate = await screen.findByRole('link', { name: /Rate limit API to 100 req\/min/ });
    expect(rate).toHaveAttribute('href', '/policies/create/ratelimit?template=rate-limit-api');
    await waitFor(() => expect(within(rate).getByText('CRD not installed')).toBeInTheDocument());
    expect(within(screen.getByRole('link', { name: /Client body size and timeouts/ })).queryByText('CRD not installed')).toBeNull();
    expect(screen.getAllByTestId('enterprise-gated').map((g) => g.textContent)).toEqual([expect.stringContaining('Add CORS headers'), expect.stringContaining('Block SQL injection')]);
    expect(mock.mock.calls.map((c) => String(c[0])).some((u) => u.includes('/policies/waf') || u.includes('/policies/snippetsfilter'))).toBe(false);
  });
});
