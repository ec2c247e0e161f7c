import { vi } from 'vitest';

/** Replace global fetch with a mock answering every call with `body` as JSON. */
export function stubFetchJson(body: unknown, init: ResponseInit = { status: 200 }) {
  const mock = vi.fn(() =>
    Promise.resolve(new Response(JSON.stringify(body), { ...init, headers: { 'Content-Type': 'application/json' } })),
  );
  vi.stubGlobal('fetch', mock);
  return mock;
}

/** Replace global fetch with a mock that rejects like a refused connection. */
export function stubFetchReject(error: Error = new TypeError('Failed to fetch')) {
  const mock = vi.fn(() => Promise.reject(error));
  vi.stubGlobal('fetch', mock);
  return mock;
}
