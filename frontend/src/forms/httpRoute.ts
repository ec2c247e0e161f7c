/** The HTTPRoute builder's form (spec §3.3.1): schema, and the HTTPRoute it describes. */
import { z } from 'zod';
import { compact, hostname, namespaceName, objectName } from './common';

export const PATH_TYPES = ['PathPrefix', 'Exact', 'RegularExpression'] as const;
export const METHODS = ['', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'] as const;
export const FILTER_TYPES = ['RequestHeaderModifier', 'ResponseHeaderModifier', 'URLRewrite', 'RequestRedirect', 'RequestMirror', 'ExtensionRef'] as const;

const HEADER_LINE = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+:\s*.*$/;
/** "Name: value" lines; empty lines ignored. */
export const headerLines = z.string().refine((t) => t.split('\n').every((l) => l.trim() === '' || HEADER_LINE.test(l.trim())), 'One "Name: value" per line');

export function parseHeaderLines(text: string): { name: string; value: string }[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const i = l.indexOf(':');
      return { name: l.slice(0, i).trim(), value: l.slice(i + 1).trim() };
    });
}

const matchSchema = z
  .object({
    pathType: z.enum(PATH_TYPES),
    path: z.string(),
    method: z.enum(METHODS),
    headers: headerLines,
    query: headerLines,
  })
  .superRefine((m, ctx) => {
    if (m.pathType !== 'RegularExpression' && !m.path.startsWith('/')) ctx.addIssue({ code: 'custom', path: ['path'], message: 'A path starts with /' });
    if (m.pathType === 'RegularExpression') {
      try {
        new RegExp(m.path);
      } catch {
        ctx.addIssue({ code: 'custom', path: ['path'], message: 'Not a valid regular expression' });
      }
    }
  });

const filterSchema = z
  .object({
    type: z.enum(FILTER_TYPES),
    headers: headerLines,
    remove: z.string(),
    value: z.string(),
    statusCode: z.enum(['301', '302']),
  })
  .superRefine((f, ctx) => {
    if ((f.type === 'URLRewrite' || f.type === 'RequestRedirect') && f.value.trim() === '')
      ctx.addIssue({ code: 'custom', path: ['value'], message: f.type === 'URLRewrite' ? 'A path prefix to rewrite to' : 'A hostname to redirect to' });
    if ((f.type === 'RequestMirror' || f.type === 'ExtensionRef') && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d+)?$/.test(f.value.trim()))
      ctx.addIssue({ code: 'custom', path: ['value'], message: f.type === 'RequestMirror' ? 'service-name:port' : 'The filter object name' });
  });

const backendSchema = z.object({
  name: objectName,
  port: z.number({ error: 'A port' }).int().min(1, '1–65535').max(65535, '1–65535'),
  weight: z.number().int().min(0).max(1_000_000),
});

export const httpRouteForm = z.object({
  name: objectName,
  namespace: namespaceName,
  gateway: z.string().regex(/^[a-z0-9-]+\/[a-z0-9.-]+$/, 'Choose a Gateway'),
  sectionName: z.string(),
  hostnames: z.string().refine((t) => t.split(',').map((h) => h.trim()).filter(Boolean).every((h) => hostname.safeParse(h).success), 'Hostnames such as api.example.com or *.example.com, comma-separated'),
  rules: z
    .array(
      z.object({
        matches: z.array(matchSchema).max(64),
        filters: z.array(filterSchema).max(16),
        backends: z.array(backendSchema).min(1, 'At least one backend').max(16),
      }),
    )
    .min(1)
    .max(16),
});
export type HttpRouteForm = z.infer<typeof httpRouteForm>;

export const NEW_MATCH: HttpRouteForm['rules'][number]['matches'][number] = { pathType: 'PathPrefix', path: '/', method: '', headers: '', query: '' };
export const NEW_FILTER: HttpRouteForm['rules'][number]['filters'][number] = { type: 'RequestHeaderModifier', headers: '', remove: '', value: '', statusCode: '302' };
export const NEW_BACKEND: HttpRouteForm['rules'][number]['backends'][number] = { name: '', port: 80, weight: 1 };

function toFilter(f: HttpRouteForm['rules'][number]['filters'][number]): Record<string, unknown> {
  const headers = { set: parseHeaderLines(f.headers), remove: f.remove.split(',').map((s) => s.trim()).filter(Boolean) };
  switch (f.type) {
    case 'RequestHeaderModifier':
      return { type: f.type, requestHeaderModifier: headers };
    case 'ResponseHeaderModifier':
      return { type: f.type, responseHeaderModifier: headers };
    case 'URLRewrite':
      return { type: f.type, urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: f.value.trim() } } };
    case 'RequestRedirect':
      return { type: f.type, requestRedirect: { hostname: f.value.trim(), statusCode: Number(f.statusCode) } };
    case 'RequestMirror': {
      const [name, port] = f.value.trim().split(':');
      return { type: f.type, requestMirror: { backendRef: { name, port: port ? Number(port) : undefined } } };
    }
    case 'ExtensionRef':
      return { type: f.type, extensionRef: { group: 'gateway.nginx.org', kind: 'SnippetsFilter', name: f.value.trim() } };
  }
}

/** Percent of traffic each backend of a rule gets from its weights. */
export function shares(weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  return weights.map((w) => (total > 0 ? Math.round((w / total) * 1000) / 10 : 0));
}

/** The HTTPRoute manifest the form describes. */
export function toHttpRoute(v: HttpRouteForm): Record<string, unknown> {
  const [gwNamespace, gwName] = v.gateway.split('/');
  return compact({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: v.name, namespace: v.namespace },
    spec: {
      parentRefs: [{ name: gwName, namespace: gwNamespace === v.namespace ? undefined : gwNamespace, sectionName: v.sectionName || undefined }],
      hostnames: v.hostnames.split(',').map((h) => h.trim()).filter(Boolean),
      rules: v.rules.map((r) => ({
        matches: r.matches.map((m) => ({
          path: { type: m.pathType, value: m.path },
          method: m.method || undefined,
          headers: parseHeaderLines(m.headers).map((h) => ({ type: 'Exact', ...h })),
          queryParams: parseHeaderLines(m.query).map((h) => ({ type: 'Exact', ...h })),
        })),
        filters: r.filters.map(toFilter),
        backendRefs: r.backends.map((b) => ({ name: b.name, port: b.port, weight: b.weight })),
      })),
    },
  });
}
