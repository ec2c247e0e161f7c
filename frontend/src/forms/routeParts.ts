/**
 * Parts every route builder shares (GRPCRoute, TLS/TCP/UDPRoute): the parent Gateway and
 * listener, hostnames, weighted backends, and where the API server's field paths land on
 * the form.
 */
import { z } from 'zod';
import { hostname } from './common';

/** Listener protocols a route kind can attach to (Gateway API: a listener's supported kinds). */
export const LISTENER_PROTOCOLS = {
  GRPCRoute: ['HTTP', 'HTTPS'],
  TLSRoute: ['TLS'],
  TCPRoute: ['TCP'],
  UDPRoute: ['UDP'],
} as const satisfies Record<string, readonly string[]>;
export type RouteKindWithListeners = keyof typeof LISTENER_PROTOCOLS;

/** A listener of a Gateway as the picker needs it. */
export interface ListenerChoice {
  readonly name: string;
  readonly protocol: string;
  readonly port?: number | null | undefined;
}

/** The listeners of a Gateway a route of `kind` can attach to. */
export function matchingListeners(kind: RouteKindWithListeners, listeners: readonly ListenerChoice[]): ListenerChoice[] {
  const protocols: readonly string[] = LISTENER_PROTOCOLS[kind];
  return listeners.filter((l) => protocols.includes(l.protocol));
}

/** "namespace/name" of the parent Gateway. */
export const gatewayChoice = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'Choose a Gateway');

export const sectionName = z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$/, 'A listener name');

/** Comma-separated hostnames (each a DNS name, optionally "*."-prefixed). */
export const hostnamesText = z
  .string()
  .refine((t) => splitList(t).every((h) => hostname.safeParse(h).success), 'Hostnames such as api.example.com or *.example.com, comma-separated');

export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export const backendSchema = z.object({
  name: z
    .string()
    .min(1, 'A Service name')
    .max(63, 'At most 63 characters')
    .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, 'A Service name: lower-case letters, digits and "-", starting with a letter'),
  port: z.number({ error: 'A port' }).int('A whole number').min(1, '1–65535').max(65535, '1–65535'),
  weight: z.number({ error: 'A weight' }).int('A whole number').min(0, '0–1000000').max(1_000_000, '0–1000000'),
});
export type BackendForm = z.infer<typeof backendSchema>;
export const NEW_BACKEND: BackendForm = { name: '', port: 80, weight: 1 };

/** `parentRefs` for a Gateway chosen as "namespace/name" (namespace left out when it is the route's own). */
export function toParentRefs(gateway: string, section: string, routeNamespace: string): Record<string, unknown>[] {
  const [gwNamespace, gwName] = gateway.split('/');
  return [{ name: gwName, namespace: gwNamespace === routeNamespace ? undefined : gwNamespace, sectionName: section || undefined }];
}

export function toBackendRefs(backends: readonly BackendForm[]): Record<string, unknown>[] {
  return backends.map((b) => ({ name: b.name, port: b.port, weight: b.weight }));
}

/** "spec.rules[0].backendRefs[1].port" -> "spec.rules.0.backendRefs.1.port". */
export function dotted(apiField: string): string {
  return apiField.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');
}

/**
 * Where an API field path (from a 422's `causes[].field`) lands on a route form; undefined
 * when no single field of the form holds it. `rules` maps the API's rule index onto the
 * form's rule prefix (`rules.0` for multi-rule forms, '' for single-rule L4 forms).
 */
export function routeFormField(apiField: string, rulePrefix: (rule: string) => string): string | undefined {
  const f = dotted(apiField);
  if (f === 'metadata.name') return 'name';
  if (f === 'metadata.namespace') return 'namespace';
  if (f.startsWith('spec.hostnames')) return 'hostnames';
  const section = /^spec\.parentRefs\.\d+\.sectionName/.exec(f);
  if (section) return 'sectionName';
  if (f.startsWith('spec.parentRefs')) return 'gateway';
  const backend = /^spec\.rules\.(\d+)\.backendRefs\.(\d+)\.(name|port|weight)/.exec(f);
  if (backend) return `${rulePrefix(backend[1] ?? '0')}backends.${backend[2]}.${backend[3]}`;
  const grpc = /^spec\.rules\.(\d+)\.matches\.(\d+)\.method(?:\.(service|method))?/.exec(f);
  if (grpc) return `${rulePrefix(grpc[1] ?? '0')}matches.${grpc[2]}.${grpc[3] ?? 'service'}`;
  const filter = /^spec\.rules\.(\d+)\.filters\.(\d+)(?:\.(\w+))?/.exec(f);
  if (filter) return `${rulePrefix(filter[1] ?? '0')}filters.${filter[2]}.${/HeaderModifier/.test(filter[3] ?? '') ? 'headers' : 'value'}`;
  const headers = /^spec\.rules\.(\d+)\.matches\.(\d+)\.headers/.exec(f);
  if (headers) return `${rulePrefix(headers[1] ?? '0')}matches.${headers[2]}.headers`;
  return undefined;
}
