/** The GRPCRoute builder's form (spec §3.3.1): gRPC service/method matches and weighted backends. */
import { z } from 'zod';
import { compact, namespaceName, objectName } from './common';
import { headerLines, parseHeaderLines } from './httpRoute';
import { NEW_BACKEND, backendSchema, gatewayChoice, hostnamesText, routeFormField, sectionName, splitList, toBackendRefs, toParentRefs } from './routeParts';

export const GRPC_MATCH_TYPES = ['Exact', 'RegularExpression'] as const;
/** Filters NGF applies to GRPCRoute rules; the ExtensionRef ones name an NGF filter object. */
export const GRPC_FILTER_TYPES = ['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestMirror', 'SnippetsFilter', 'AuthenticationFilter'] as const;
export type GrpcFilterType = (typeof GRPC_FILTER_TYPES)[number];

// The GRPCRoute CRD's own rules for Exact matches (its CEL validations), so the form refuses
// what the API server would.
const GRPC_SERVICE = /^\.?[A-Za-z_][A-Za-z_0-9]*(\.[A-Za-z_][A-Za-z_0-9]*)*$/;
const GRPC_METHOD = /^[A-Za-z_][A-Za-z_0-9]*$/;

function validRegex(text: string): boolean {
  try {
    new RegExp(text);
    return true;
  } catch {
    return false;
  }
}

const matchSchema = z
  .object({
    type: z.enum(GRPC_MATCH_TYPES),
    service: z.string().max(1024, 'At most 1024 characters'),
    method: z.string().max(1024, 'At most 1024 characters'),
    headers: headerLines,
  })
  .superRefine((m, ctx) => {
    const service = m.service.trim();
    const method = m.method.trim();
    if (!service && !method) {
      ctx.addIssue({ code: 'custom', path: ['service'], message: 'A service, a method or both' });
      return;
    }
    if (m.type === 'Exact') {
      if (service && !GRPC_SERVICE.test(service)) ctx.addIssue({ code: 'custom', path: ['service'], message: 'A fully qualified service such as helloworld.Greeter' });
      if (method && !GRPC_METHOD.test(method)) ctx.addIssue({ code: 'custom', path: ['method'], message: 'A method name such as SayHello (letters, digits, "_")' });
    } else {
      if (service && !validRegex(service)) ctx.addIssue({ code: 'custom', path: ['service'], message: 'Not a valid regular expression' });
      if (method && !validRegex(method)) ctx.addIssue({ code: 'custom', path: ['method'], message: 'Not a valid regular expression' });
    }
  });

const filterSchema = z
  .object({ type: z.enum(GRPC_FILTER_TYPES), headers: headerLines, remove: z.string(), value: z.string() })
  .superRefine((f, ctx) => {
    const value = f.value.trim();
    if (f.type === 'RequestMirror' && !/^[a-z]([-a-z0-9]*[a-z0-9])?:\d{1,5}$/.test(value)) ctx.addIssue({ code: 'custom', path: ['value'], message: 'service-name:port' });
    if ((f.type === 'SnippetsFilter' || f.type === 'AuthenticationFilter') && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value)) ctx.addIssue({ code: 'custom', path: ['value'], message: `The ${f.type} name (same namespace)` });
    if ((f.type === 'RequestHeaderModifier' || f.type === 'ResponseHeaderModifier') && !f.headers.trim() && !f.remove.trim()) ctx.addIssue({ code: 'custom', path: ['headers'], message: 'Headers to set or to remove' });
  });

export const grpcRouteForm = z.object({
  name: objectName,
  namespace: namespaceName,
  gateway: gatewayChoice,
  sectionName,
  hostnames: hostnamesText,
  rules: z
    .array(
      z.object({
        matches: z.array(matchSchema).max(64, 'At most 64 matches'),
        filters: z.array(filterSchema).max(16, 'At most 16 filters'),
        backends: z.array(backendSchema).min(1, 'At least one backend').max(16, 'At most 16 backends'),
      }),
    )
    .min(1, 'At least one rule')
    .max(16, 'At most 16 rules'),
});
export type GrpcRouteForm = z.infer<typeof grpcRouteForm>;
export type GrpcMatchForm = GrpcRouteForm['rules'][number]['matches'][number];

export const NEW_GRPC_MATCH: GrpcMatchForm = { type: 'Exact', service: '', method: '', headers: '' };
export type GrpcFilterForm = GrpcRouteForm['rules'][number]['filters'][number];
export const NEW_GRPC_FILTER: GrpcFilterForm = { type: 'RequestHeaderModifier', headers: '', remove: '', value: '' };
export const NEW_GRPC_RULE: GrpcRouteForm['rules'][number] = { matches: [NEW_GRPC_MATCH], filters: [], backends: [NEW_BACKEND] };

function toFilter(f: GrpcFilterForm): Record<string, unknown> {
  const headers = { set: parseHeaderLines(f.headers), remove: splitList(f.remove) };
  switch (f.type) {
    case 'RequestHeaderModifier':
      return { type: f.type, requestHeaderModifier: headers };
    case 'ResponseHeaderModifier':
      return { type: f.type, responseHeaderModifier: headers };
    case 'RequestMirror': {
      const [name, port] = f.value.trim().split(':');
      return { type: f.type, requestMirror: { backendRef: { name, port: Number(port) } } };
    }
    case 'SnippetsFilter':
    case 'AuthenticationFilter':
      return { type: 'ExtensionRef', extensionRef: { group: 'gateway.nginx.org', kind: f.type, name: f.value.trim() } };
  }
}

/** The GRPCRoute manifest the form describes. */
export function toGrpcRoute(v: GrpcRouteForm): Record<string, unknown> {
  return compact({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GRPCRoute',
    metadata: { name: v.name, namespace: v.namespace },
    spec: {
      parentRefs: toParentRefs(v.gateway, v.sectionName, v.namespace),
      hostnames: splitList(v.hostnames),
      rules: v.rules.map((r) => ({
        matches: r.matches.map((m) => ({
          method: { type: m.type, service: m.service.trim() || undefined, method: m.method.trim() || undefined },
          headers: parseHeaderLines(m.headers).map((h) => ({ type: 'Exact', ...h })),
        })),
        filters: r.filters.map(toFilter),
        backendRefs: toBackendRefs(r.backends),
      })),
    },
  });
}

/** The form field an API field path of a GRPCRoute belongs to. */
export function grpcFormField(apiField: string): string | undefined {
  return routeFormField(apiField, (rule) => `rules.${rule}.`);
}
