import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { stubFetchByUrl } from '../test/fetch';
import { renderWithProviders } from '../test/render';
import { ENTERPRISE_TOOLTIP, EnterpriseGate } from './Enterprise';

function Feature() {
  return <p>WAF editor</p>;
}

describe('EnterpriseGate', () => {
  it('greys the feature on OSS, with the tooltip and the trial link, and never mounts it', async () => {
    stubFetchByUrl({ '/api/v1/config': { version: '1', edition: 'oss' } });
    renderWithProviders(<EnterpriseGate feature="App Protect WAF"><Feature /></EnterpriseGate>);
    const gate = await screen.findByTestId('enterprise-gated');
    expect(gate).toHaveAttribute('title', ENTERPRISE_TOOLTIP);
    expect(gate).toHaveAttribute('aria-disabled', 'true');
    expect(screen.getByRole('link', { name: 'Start an F5 trial' })).toHaveAttribute('href', expect.stringContaining('f5.com'));
    expect(screen.queryByText('WAF editor')).not.toBeInTheDocument();
  });

  it('shows the feature on Enterprise', async () => {
    stubFetchByUrl({ '/api/v1/config': { version: '1', edition: 'enterprise' } });
    renderWithProviders(<EnterpriseGate feature="App Protect WAF"><Feature /></EnterpriseGate>);
    expect(await screen.findByText('WAF editor')).toBeInTheDocument();
    expect(screen.queryByTestId('enterprise-gated')).not.toBeInTheDocument();
  });
});
