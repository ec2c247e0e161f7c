import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { stubFetchByUrl, stubFetchJson, stubFetchReject } from '../test/fetch';
import { renderWithProviders } from '../test/render';
import { DashboardPage } from './DashboardPage';

describe('DashboardPage', () => {
  it('shows version and edition from GET /api/v1/config', async () => {
    const fetchMock = stubFetchByUrl({ '/api/v1/config': { version: '1.4.2', edition: 'enterprise', clusters: 1 } });
    renderWithProviders(<DashboardPage />);

    expect(await screen.findByText('1.4.2')).toBeInTheDocument();
    expect(screen.getByText('enterprise')).toBeInTheDocument();
    expect(screen.getByText('Connected')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(fetchMock).toHaveBeenCalledWith('/api/v1/config', expect.objectContaining({}));
  });

  it('shows the live panels, and says which sources are not there', async () => {
    stubFetchByUrl({
      '/api/v1/config': { version: '1.4.2', edition: 'oss' },
      '/api/v1/alerts/active': [
        {
          rule_id: '00000000-0000-0000-0000-000000000001',
          rule_name: 'TTFT p95 over 500 ms',
          severity: 'critical',
          state: 'firing',
          labels: { pool: 'chat' },
          annotations: {},
          value: 812.5,
          since: new Date().toISOString(),
          pending_since: new Date().toISOString(),
        },
      ],
      '/api/v1/events': {
        items: [
          {
            name: 'e1',
            namespace: 'ml',
            reason: 'DriftCorrected',
            message: 'Deployment chat-epp restored: deleted',
            involved_object: { kind: 'InferenceStack', name: 'chat' },
            last_seen: new Date().toISOString(),
          },
        ],
        total: 1,
      },
    });
    renderWithProviders(<DashboardPage />);

    expect(await screen.findByText('TTFT p95 over 500 ms')).toBeInTheDocument();
    expect(screen.getByText(/pool=chat/)).toBeInTheDocument();
    expect(await screen.findByText('Deployment chat-epp restored: deleted')).toBeInTheDocument();
    // No Prometheus behind /metrics/summary here: the panel says so rather than showing zeros.
    expect((await screen.findAllByText(/^Not available:/)).length).toBeGreaterThanOrEqual(1);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('says the API is unreachable when fetch rejects', async () => {
    stubFetchReject();
    renderWithProviders(<DashboardPage />);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('API unreachable');
    expect(alert).toHaveTextContent('/api/v1/config');
    expect(screen.getByText('Unreachable')).toBeInTheDocument();
  });

  it('treats an HTTP error status as unreachable and reports the status', async () => {
    stubFetchJson({ detail: 'boom' }, { status: 502, statusText: 'Bad Gateway' });
    renderWithProviders(<DashboardPage />);

    expect(await screen.findByRole('alert')).toHaveTextContent('HTTP 502 Bad Gateway');
  });
});
