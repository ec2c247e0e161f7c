import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '../../test/render';
import { AlertRuleForm } from './AlertRuleForm';

const json = (body: unknown, status = 200) => Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));

const SOURCES = [
  { name: 'cert_expiry', available: true, reason: null, query_language: null, description: 'Days left per TLS certificate.' },
  { name: 'prometheus_query', available: false, reason: 'no Prometheus is configured on this server', query_language: 'promql', description: 'PromQL.' },
  { name: 'clickhouse_query', available: true, reason: null, query_language: 'sql', description: 'SQL.' },
];

/** GET /alerts/sources answers SOURCES; POSTs go to `post` (recorded). */
function stubApi(post: (body: unknown) => Promise<Response>) {
  const posts: unknown[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn((input: RequestInfo | URL, init?: RequestInit) => {
      if (init?.method === 'POST') {
        const body: unknown = JSON.parse(String(init.body));
        posts.push(body);
        return post(body);
      }
      return String(input).startsWith('/api/v1/alerts/sources') ? json(SOURCES) : json({ detail: { message: 'not found' } }, 404);
    }),
  );
  return posts;
}

afterEach(() => vi.unstubAllGlobals());

describe('AlertRuleForm', () => {
  it('offers the sources the server has, and says why the others are disabled', async () => {
    stubApi(() => json({}, 500));
    renderWithProviders(<AlertRuleForm rule={null} onDone={() => undefined} />);
    const promql = await screen.findByRole('radio', { name: /Prometheus query/ });
    expect(promql).toBeDisabled();
    expect(screen.getByText('Not available: no Prometheus is configured on this server')).toBeInTheDocument();
    expect(screen.getByRole('radio', { name: /Certificate expiry/ })).toBeChecked();
    expect(screen.getByRole('radio', { name: /Analytics query/ })).toBeEnabled();
  });

  it('puts the API’s 422 causes on their fields and stays open', async () => {
    const done = vi.fn();
    const posts = stubApi(() =>
      json({ detail: { message: 'invalid request', causes: [{ field: 'body.config.threshold', message: 'the threshold must be a finite number', reason: 'value_error' }] } }, 422),
    );
    renderWithProviders(<AlertRuleForm rule={null} onDone={done} />);
    await screen.findByRole('radio', { name: /Certificate expiry/ });
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'certs' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create rule' }));
    expect(await screen.findByText('the threshold must be a finite number', { selector: 'p' })).toBeInTheDocument();
    expect(screen.getByLabelText('Threshold')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByText('The API refused this rule; nothing was saved')).toBeInTheDocument();
    expect(posts).toEqual([expect.objectContaining({ name: 'certs', config: expect.objectContaining({ source: 'cert_expiry', query: null, threshold: 14 }) })]);
    expect(done).not.toHaveBeenCalled();
  });

  it('refuses an empty name before asking the API', async () => {
    const posts = stubApi(() => json({}, 201));
    renderWithProviders(<AlertRuleForm rule={null} onDone={() => undefined} />);
    await screen.findByRole('radio', { name: /Certificate expiry/ });
    fireEvent.click(screen.getByRole('button', { name: 'Create rule' }));
    await waitFor(() => expect(screen.getByLabelText('Name')).toHaveAttribute('aria-invalid', 'true'));
    expect(posts).toEqual([]);
  });
});
