/** Base path of the NGF Console REST API (same origin; proxied by Vite in dev). */
export const API_BASE = '/api/v1';

/** Any failure to get a usable answer from the API: network error, non-2xx status, bad JSON. */
export class ApiError extends Error {
  readonly status: number | undefined;

  constructor(message: string, status?: number, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApiError';
    this.status = status;
  }
}

/** GET `${API_BASE}${path}` and return the parsed JSON body, typed by the caller. */
export async function apiGet<T>(path: string, signal?: AbortSignal): Promise<T> {
  const url = `${API_BASE}${path}`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { Accept: 'application/json' }, signal: signal ?? null });
  } catch (cause) {
    if (signal?.aborted) throw cause;
    throw new ApiError(`GET ${url}: network error`, undefined, { cause });
  }
  if (!response.ok) {
    throw new ApiError(`GET ${url}: HTTP ${response.status} ${response.statusText}`.trim(), response.status);
  }
  try {
    return (await response.json()) as T;
  } catch (cause) {
    throw new ApiError(`GET ${url}: response is not JSON`, response.status, { cause });
  }
}

/** `GET /api/v1/config`: server build and edition information (fields may grow). */
export interface ConsoleConfig {
  readonly version?: string;
  readonly edition?: string;
  readonly [key: string]: unknown;
}

export function getConfig(signal?: AbortSignal): Promise<ConsoleConfig> {
  return apiGet<ConsoleConfig>('/config', signal);
}
