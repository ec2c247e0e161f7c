import { act, fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { stubFetchByUrl } from '../../test/fetch';
import { renderWithProviders } from '../../test/render';
import { EppVisualizer } from './EppVisualizer';

/** A stand-in for the browser's WebSocket: opens at once, lets the test push frames. */
class FakeSocket {
  static all: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  readonly url: string;
  constructor(url: string) {
    this.url = url;
    FakeSocket.all.push(this);
    setTimeout(() => this.onopen?.(), 0);
  }
  close() {}
  push(data: unknown) {
    this.onmessage?.({ data: JSON.stringify({ type: 'message', topic: 't', seq: 1, data }) });
  }
}

const candidates = [
  { pod: 'pod-a', score: 0.2, queue_depth: 9, kv_cache_pct: 70, prefix_hit: false },
  { pod: 'pod-b', score: 0.9, queue_depth: 1, kv_cache_pct: 20, prefix_hit: true },
];
const stored = {
  items: [
    {
      timestamp: '2026-11-23T18:00:01+00:00',
      namespace: 'ns',
      inference_pool: 'p',
      request_id: 'old',
      selected_pod: 'pod-b',
      strategy: 'prefix_hit',
      reason: 'Selected pod-b: queue_depth=1 (lowest), kv_cache=20% (available), prefix_hit=true',
      candidates,
    },
  ],
  since: '2026-11-23T17:00:00Z',
  until: '2026-11-23T18:00:02Z',
};
const pods = [
  { pod: 'pod-a', node: 'n1', gpu_type: 'H100', engine: 'vllm', ready: true, values: { queue_depth: 9, kv_cache_pct: 70, gpu_util_pct: 90 } },
  { pod: 'pod-b', node: 'n1', gpu_type: 'H100', engine: 'vllm', ready: true, values: { queue_depth: 1, kv_cache_pct: 20, gpu_util_pct: 30 } },
];

describe('EppVisualizer', () => {
  it('shows stored decisions, then a live one, and every candidate of a clicked decision', async () => {
    FakeSocket.all = [];
    vi.stubGlobal('WebSocket', FakeSocket);
    const fetchMock = stubFetchByUrl({ '/api/v1/inference/epp/decisions': stored, '/api/v1/inference/metrics/pool/ns/p/pods': pods });
    renderWithProviders(<EppVisualizer namespace="ns" pool="p" />);

    // The analytics route (the socket is quiet): pod-b chosen, with the reason.
    const chosen = await screen.findByRole('article', { name: 'Pod pod-b' });
    expect(chosen).toHaveAttribute('data-chosen', 'true');
    expect(screen.getByRole('article', { name: 'Pod pod-a' })).toHaveAttribute('data-chosen', 'false');
    expect(screen.getByTestId('epp-reason')).toHaveTextContent('Selected pod-b: queue_depth=1');
    expect(fetchMock).toHaveBeenCalledWith(expect.stringContaining('/api/v1/inference/epp/decisions?namespace=ns&pool=p'), expect.anything());
    expect(screen.getByRole('status')).toHaveTextContent('analytics store');

    // A decision on the per-pool socket: it becomes the newest, pod-a is chosen now.
    const socket = FakeSocket.all.find((s) => s.url.endsWith('/api/v1/ws/inference/epp/ns/p'));
    expect(socket).toBeDefined();
    act(() =>
      socket?.push({
        timestamp: '2026-11-23T18:00:05+00:00',
        namespace: 'ns',
        inference_pool: 'p',
        request_id: 'live',
        selected_pod: 'pod-a',
        strategy: 'kv_available',
        reason: 'Selected pod-a: kv_cache=70%',
        candidates: candidates.map((c) => ({ ...c, score: c.pod === 'pod-a' ? 0.95 : 0.1 })),
      }),
    );
    expect(screen.getByRole('article', { name: 'Pod pod-a' })).toHaveAttribute('data-chosen', 'true');
    expect(screen.getByRole('status')).toHaveTextContent('websocket (live)');
    const list = screen.getByRole('list', { name: 'EPP decisions' });
    expect(within(list).getAllByRole('button')).toHaveLength(2);

    // Clicking the older decision pins it: pod-b chosen again, its candidates ranked by score.
    fireEvent.click(within(list).getAllByRole('button')[1] as HTMLElement);
    expect(screen.getByRole('article', { name: 'Pod pod-b' })).toHaveAttribute('data-chosen', 'true');
    const table = screen.getByRole('table', { name: 'Candidates of decision old' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.textContent)).toEqual([expect.stringContaining('pod-b'), expect.stringContaining('pod-a')]);
    expect(rows[0]).toHaveTextContent('0.9000');
    expect(screen.getByRole('button', { name: 'Follow live' })).toBeInTheDocument();
  }, 30_000); // the first render transforms the page's modules: slow on a busy 2-core machine
});
