import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { stubFetchJson, stubFetchReject } from '../test/fetch';
import { renderWithProviders } from '../test/render';
import { DashboardPage } from './DashboardPage';

describe('DashboardPage', () => {
  it('shows version and edition from GET /api/v1/config', async () => {
    const fetchMock = stubFetchJson({ version: '1.4.2', edition: 'enterprise', clusters: 1 });
    renderWithProviders(<DashboardPage />);

    expect(await screen.findByText('1.4.2')).toBeInTheDocument();
    expect(screen.getByText('enterprise')).toBeInTheDocument();
    expect(screen.getByText('Connected')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(fetchMock).toHaveBeenCalledWith('/api/v1/config', expect.objectContaining({}));
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
