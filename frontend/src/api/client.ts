import { useAuthStore } from '../state/auth';
import { useUiStore } from '../state/ui';
import type { ConsoleConfig } from './types';

/** Base path of the NGF Console REST API (same origin; proxied by Vite in dev). */
export const API_BASE = '/api/v1';

/** One field-level reason an API request was refused (`detail.causes[]`). */
export interface ApiCause {
  readonly field?: string;
  readonly message: string;
  readonly reason?: string;
}

/** Any failure to get a usable answer from the API: network error, non-2xx status, bad JSON. */
export class ApiError extends Error {
  readonly status: number | undefined;
  readonly causes: readonly ApiCause[];
  /** The error body's `detail`, as sent (e.g. a 409's `dependants`). */
  readonly detail: unknown;

  constructor(message: string, status?: number, options?: ErrorOptions & { causes?: readonly ApiCause[]; detail?: unknown }) {
    super(message, options);
    this.name = 'ApiError';
    this.status = status;
    this.causes = options?.causes ?? [];
    this.detail = options?.detail;
  }
}

/**
 * The API path for the selected cluster: the default cluster's routes live at `/api/v1/...`,
 * another cluster's at `/api/v1/clusters/{name}/...`. Only `/clusters` itself passes `global`.
 */
export function clusterPath(path: string, global = false): string {
  const cluster = useUiStore.getState().cluster;
  if (global || cluster === null) return path;
  return `/clusters/${encodeURIComponent(cluster)}${path}`;
}

async function errorFrom(response: Response, label: string): Promise<ApiError> {
  const statusLine = `${label}: HTTP ${response.status} ${response.statusText}`.trim();
  let message = statusLine;
  let causes: ApiCause[] = [];
  let detail: unknown;
  try {
    const body = (await response.json()) as { detail?: unknown };
    detail = body.detail;
    if (typeof detail === 'string') message = `${statusLine}: ${detail}`;
    else if (detail && typeof detail === 'object') {
      const d = detail as { message?: string; causes?: ApiCause[] };
      if (d.message) message = `${d.message} (HTTP ${response.status})`;
      if (Array.isArray(d.causes)) causes = d.causes;
    }
  } catch {
    // Not JSON: the status line says enough.
  }
  return new ApiError(message, response.status, { causes, detail });
}

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const url = `${API_BASE}${path}`;
  const label = `${method} ${url}`;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const token = useAuthStore.getState().token;
  if (token !== null) headers['Authorization'] = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      signal: signal ?? null,
    });
  } catch (cause) {
    if (signal?.aborted) throw cause;
    throw new ApiError(`${label}: network error`, undefined, { cause });
  }
  if (response.status === 401) useAuthStore.getState().markRejected();
  if (!response.ok) throw await errorFrom(response, label);
  if (response.status === 204) return undefined as T;
  try {
    return (await response.json()) as T;
  } catch (cause) {
    throw new ApiError(`${label}: response is not JSON`, response.status, { cause });
  }
}

/** GET `${API_BASE}${path}` and return the parsed JSON body, typed by the caller. */
export function apiGet<T>(path: string, signal?: AbortSignal): Promise<T> {
  return request<T>('GET', path, undefined, signal);
}

export function apiPost<T>(path: string, body?: unknown): Promise<T> {
  return request<T>('POST', path, body);
}

export function apiPut<T>(path: string, body: unknown): Promise<T> {
  return request<T>('PUT', path, body);
}

export function apiDelete<T>(path: string): Promise<T> {
  return request<T>('DELETE', path);
}

export function getConfig(signal?: AbortSignal): Promise<ConsoleConfig> {
  return apiGet(clusterPath('/config'), signal);
}
