import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_LISTENER } from '../../forms/gatewayBundle';
import { stubFetchByUrl } from '../../test/fetch';
import { renderWithProviders } from '../../test/render';
import { GatewayStepForm, GatewayWizard } from './GatewayWizard';

const emptyList = { items: [], continue: null, resourceVersion: '1', total: 0 };

describe('GatewayStepForm (step 2)', () => {
  it('shows the rules on the fields and does not go on', async () => {
    stubFetchByUrl({ '/api/v1/namespaces': emptyList, '/api/v1/gateways': emptyList });
    const onNext = vi.fn();
    renderWithProviders(
      <GatewayStepForm
        initial={{ name: 'Bad Name', namespace: 'default', labels: '', allowedRoutes: 'Same', routeNamespaceSelector: '', replicas: undefined, listeners: [{ ...DEFAULT_LISTENER, port: 0 }] }}
        onNext={onNext}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText(/Lower-case letters, digits, "-" and "."/)).toBeInTheDocument();
    expect(screen.getByText('1–65535')).toBeInTheDocument();
    expect(onNext).not.toHaveBeenCalled();
  });

  it('warns when another Gateway of the cluster listens on the port', async () => {
    stubFetchByUrl({
      '/api/v1/namespaces': emptyList,
      '/api/v1/gateways': { ...emptyList, items: [{ name: 'edge', namespace: 'infra', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] }] },
    });
    renderWithProviders(
      <GatewayStepForm initial={{ name: 'web', namespace: 'default', labels: '', allowedRoutes: 'Same', routeNamespaceSelector: '', replicas: undefined, listeners: [DEFAULT_LISTENER] }} onNext={vi.fn()} />,
    );
    expect(await screen.findByText('Also used by Gateway infra/edge')).toBeInTheDocument();
  });
});

describe('GatewayWizard on OSS', () => {
  it('greys the WAF and advanced steps and lets you skip them', async () => {
    const fetchMock = stubFetchByUrl({
      '/api/v1/config': { version: '1', edition: 'oss' },
      '/api/v1/gatewayclasses': emptyList,
      '/api/v1/namespaces': emptyList,
      '/api/v1/gateways': emptyList,
    });
    renderWithProviders(<GatewayWizard />);
    fireEvent.click(await screen.findByRole('button', { name: 'Next' }));
    fireEvent.change(await screen.findByRole('textbox', { name: 'Name' }), { target: { value: 'web' } });
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    const gate = await screen.findByTestId('enterprise-gated');
    expect(within(gate).getByText('App Protect WAF policy')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Skip' }));
    expect(await screen.findByText('NginxProxy tuning and SnippetsFilters')).toBeInTheDocument();
    const current = screen.getByRole('list', { name: 'Wizard steps' }).querySelector('[aria-current="step"]');
    expect(current).toHaveTextContent('Advanced');
    await waitFor(() => expect(fetchMock).toHaveBeenCalled());
    // No enterprise API (WAF policies, snippets filters) was asked on OSS.
    const urls = fetchMock.mock.calls.map((c) => String(c[0]));
    expect(urls.some((u) => u.includes('/policies/waf') || u.includes('/policies/snippetsfilter'))).toBe(false);
  });
});
