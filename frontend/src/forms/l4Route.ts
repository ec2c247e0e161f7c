/**
 * The TLSRoute / TCPRoute / UDPRoute builder's form (spec §3.3.1): one form, parametrised by
 * kind. TLSRoute routes by SNI hostname (passthrough); TCP and UDP have no hostnames.
 *
 * The API serves these kinds as `v1alpha2` (still served next to `v1` in Gateway API v1.5+,
 * and the only version older installs have). The form writes one rule, which both versions
 * accept (`v1` allows exactly one).
 */
import { z } from 'zod';
import { compact, namespaceName, objectName } from './common';
import { NEW_BACKEND, backendSchema, gatewayChoice, hostnamesText, routeFormField, sectionName, splitList, toBackendRefs, toParentRefs } from './routeParts';

export const L4_KINDS = ['TLSRoute', 'TCPRoute', 'UDPRoute'] as const;
export type L4Kind = (typeof L4_KINDS)[number];

/** URL segment of each kind, for the builder's path and the API's collection. */
export const L4_PATHS: Record<L4Kind, string> = { TLSRoute: 'tlsroutes', TCPRoute: 'tcproutes', UDPRoute: 'udproutes' };
export const L4_API_VERSION = 'gateway.networking.k8s.io/v1alpha2';

export function hasHostnames(kind: L4Kind): boolean {
  return kind === 'TLSRoute';
}

export const l4RouteForm = z
  .object({
    kind: z.enum(L4_KINDS),
    name: objectName,
    namespace: namespaceName,
    gateway: gatewayChoice,
    sectionName,
    hostnames: hostnamesText,
    backends: z.array(backendSchema).min(1, 'At least one backend').max(16, 'At most 16 backends'),
  })
  .superRefine((v, ctx) => {
    // NGINX routes TLS passthrough by SNI: a TLSRoute without a hostname matches nothing useful.
    if (v.kind === 'TLSRoute' && splitList(v.hostnames).length === 0) ctx.addIssue({ code: 'custom', path: ['hostnames'], message: 'At least one SNI hostname' });
    if (v.kind === 'TLSRoute' && splitList(v.hostnames).length > 16) ctx.addIssue({ code: 'custom', path: ['hostnames'], message: 'At most 16 hostnames' });
  });
export type L4RouteForm = z.infer<typeof l4RouteForm>;

export function initialL4Form(kind: L4Kind, namespace: string): L4RouteForm {
  return { kind, name: '', namespace, gateway: '', sectionName: '', hostnames: '', backends: [{ ...NEW_BACKEND, port: kind === 'UDPRoute' ? 53 : kind === 'TLSRoute' ? 443 : 5432 }] };
}

/** The route manifest the form describes. */
export function toL4Route(v: L4RouteForm): Record<string, unknown> {
  return compact({
    apiVersion: L4_API_VERSION,
    kind: v.kind,
    metadata: { name: v.name, namespace: v.namespace },
    spec: {
      parentRefs: toParentRefs(v.gateway, v.sectionName, v.namespace),
      hostnames: hasHostnames(v.kind) ? splitList(v.hostnames) : undefined,
      rules: [{ backendRefs: toBackendRefs(v.backends) }],
    },
  });
}

/** The form field an API field path of an L4 route belongs to (the form has one rule). */
export function l4FormField(apiField: string): string | undefined {
  return routeFormField(apiField, () => '');
}
