import { screen } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { describe, expect, it } from 'vitest';
import { stubFetchByUrl } from '../../test/fetch';
import { renderWithProviders } from '../../test/render';
import { PoolDetailPage } from './PoolDetailPage';

describe('PoolDetailPage', () => {
  it('shows only the error for a pool that does not exist, not a wall of failed panels', async () => {
    const fetchMock = stubFetchByUrl({}); // every route answers 404
    renderWithProviders(
      <Routes>
        <Route path="/inference/pools/:namespace/:name" element={<PoolDetailPage />} />
      </Routes>,
      '/inference/pools/ns/missing',
    );
    expect(await screen.findByText('Could not load the pool')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'InferencePool missing' })).toBeInTheDocument();
    expect(screen.queryByText('Time to first token')).not.toBeInTheDocument();
    expect(screen.getAllByRole('alert')).toHaveLength(1);
    expect(fetchMock).toHaveBeenCalledWith('/api/v1/inference/pools/ns/missing', expect.anything());
  }, 30_000);
});
