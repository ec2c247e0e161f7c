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

/**
 * Replace global fetch with a mock answering by URL: the first key that the request URL
 * (path and query) starts with gives the JSON body; anything else is a 404.
 */
export function stubFetchByUrl(answers: Record<string, unknown>) {
  const mock = vi.fn((input: RequestInfo | URL) => {
    const url = String(input);
    const key = Object.keys(answers).find((k) => url.startsWith(k));
    const body = key === undefined ? { detail: { message: 'not found' } } : answers[key];
    return Promise.resolve(
      new Response(JSON.stringify(body), { status: key === undefined ? 404 : 200, headers: { 'Content-Type': 'application/json' } }),
    );
  });
  vi.stubGlobal('fetch', mock);
  return mock;
}
