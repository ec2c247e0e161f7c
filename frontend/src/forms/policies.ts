/**
 * The policy builder's form (spec §3.5.2): one form for every policy kind the console
 * builds, the rules each kind's CRD enforces, and the manifest it describes.
 *
 * Shapes: NGINX Gateway Fabric `gateway.nginx.org` (ClientSettingsPolicy, UpstreamSettingsPolicy,
 * SnippetsFilter v1alpha1, ObservabilityPolicy v1alpha2; RateLimitPolicy, ProxySettingsPolicy and
 * AuthenticationFilter (Basic; OIDC needs NGINX Plus) v1alpha1 since NGF 2.4) and Gateway API
 * BackendTLSPolicy v1 — the versions the API serves (kube/served_types.py).
 */
import { z } from 'zod';
import { DNS_SUBDOMAIN, compact, namespaceName, objectName } from './common';
import { dotted } from './routeParts';

export interface PolicyKindInfo {
  readonly kind: string;
  readonly apiVersion: string;
  /** Kinds `targetRef(s)` may name; empty for a filter referenced from a route instead. */
  readonly targetKinds: readonly ('Gateway' | 'HTTPRoute' | 'GRPCRoute' | 'Service')[];
  /** `targetRefs` (up to 16) rather than a single `targetRef`. */
  readonly multipleTargets: boolean;
  readonly crd: string;
  /** Which release brings the CRD, for the "not installed" message. */
  readonly since: string;
  readonly enterprise: boolean;
}

const GW = 'gateway.networking.k8s.io';
const NGF = 'gateway.nginx.org';

/** The kinds the builder makes, keyed by the API's `/policies/{type}` segment. */
export const POLICY_KINDS = {
  ratelimit: { kind: 'RateLimitPolicy', apiVersion: `${NGF}/v1alpha1`, targetKinds: ['Gateway', 'HTTPRoute', 'GRPCRoute'], multipleTargets: true, crd: `ratelimitpolicies.${NGF}`, since: 'NGINX Gateway Fabric 2.4', enterprise: false },
  backendtls: { kind: 'BackendTLSPolicy', apiVersion: `${GW}/v1`, targetKinds: ['Service'], multipleTargets: true, crd: `backendtlspolicies.${GW}`, since: 'Gateway API 1.4 (v1)', enterprise: false },
  clientsettings: { kind: 'ClientSettingsPolicy', apiVersion: `${NGF}/v1alpha1`, targetKinds: ['Gateway', 'HTTPRoute', 'GRPCRoute'], multipleTargets: false, crd: `clientsettingspolicies.${NGF}`, since: 'NGINX Gateway Fabric 1.3', enterprise: false },
  upstreamsettings: { kind: 'UpstreamSettingsPolicy', apiVersion: `${NGF}/v1alpha1`, targetKinds: ['Service'], multipleTargets: true, crd: `upstreamsettingspolicies.${NGF}`, since: 'NGINX Gateway Fabric 1.6', enterprise: false },
  observability: { kind: 'ObservabilityPolicy', apiVersion: `${NGF}/v1alpha2`, targetKinds: ['HTTPRoute', 'GRPCRoute'], multipleTargets: true, crd: `observabilitypolicies.${NGF}`, since: 'NGINX Gateway Fabric 1.5 (v1alpha2)', enterprise: false },
  proxysettings: { kind: 'ProxySettingsPolicy', apiVersion: `${NGF}/v1alpha1`, targetKinds: ['Gateway', 'HTTPRoute', 'GRPCRoute'], multipleTargets: true, crd: `proxysettingspolicies.${NGF}`, since: 'NGINX Gateway Fabric 2.4', enterprise: false },
  authentication: { kind: 'AuthenticationFilter', apiVersion: `${NGF}/v1alpha1`, targetKinds: [], multipleTargets: false, crd: `authenticationfilters.${NGF}`, since: 'NGINX Gateway Fabric 2.4', enterprise: false },
  snippetsfilter: { kind: 'SnippetsFilter', apiVersion: `${NGF}/v1alpha1`, targetKinds: [], multipleTargets: false, crd: `snippetsfilters.${NGF}`, since: 'NGINX Gateway Fabric 1.5', enterprise: true },
} as const satisfies Record<string, PolicyKindInfo>;
export type PolicyType = keyof typeof POLICY_KINDS;
export const POLICY_TYPE_NAMES = Object.keys(POLICY_KINDS) as PolicyType[];

export function isPolicyType(value: string | undefined): value is PolicyType {
  return value !== undefined && Object.hasOwn(POLICY_KINDS, value);
}

export const TRACE_CONTEXTS = ['', 'extract', 'inject', 'propagate', 'ignore'] as const;
export const LOG_LEVELS = ['', 'info', 'notice', 'warn', 'error'] as const;
export const SNIPPET_CONTEXTS = ['main', 'http', 'http.server', 'http.server.location'] as const;

// NGF's own patterns (apis/v1alpha1/shared_types.go, clientsettingspolicy_types.go, ratelimitpolicy_types.go).
const NGF_DURATION = /^[0-9]{1,4}(ms|s|m|h)?$/;
const NGF_SIZE = /^\d{1,4}(k|m|g)?$/;
const RATE = /^\d+r\/[sm]$/;
const SPAN_TEXT = /^([^"$\\]|\\[^$])*$/;

const targetSchema = z.object({ kind: z.string(), name: z.string(), sectionName: z.string() });

export const policyForm = z
  .object({
    type: z.enum(POLICY_TYPE_NAMES as [PolicyType, ...PolicyType[]]),
    name: objectName,
    namespace: namespaceName,
    targets: z.array(targetSchema),
    rateLimit: z.object({ rate: z.string(), key: z.string(), burst: z.string(), noDelay: z.boolean(), rejectCode: z.string(), zoneSize: z.string(), logLevel: z.enum(LOG_LEVELS), dryRun: z.boolean() }),
    clientSettings: z.object({ maxSize: z.string(), bodyTimeout: z.string(), keepAliveRequests: z.string(), keepAliveTime: z.string(), keepAliveServer: z.string(), keepAliveHeader: z.string() }),
    upstream: z.object({ zoneSize: z.string(), connections: z.string(), requests: z.string(), time: z.string(), timeout: z.string() }),
    observability: z.object({ strategy: z.enum(['ratio', 'parent']), ratio: z.string(), context: z.enum(TRACE_CONTEXTS), spanName: z.string(), spanAttributes: z.string() }),
    backendTls: z.object({ hostname: z.string(), ca: z.enum(['System', 'ConfigMap']), caRefs: z.string(), subjectAltNames: z.string() }),
    snippets: z.array(z.object({ context: z.enum(SNIPPET_CONTEXTS), value: z.string() })),
    proxy: z.object({ disableBuffering: z.boolean(), bufferSize: z.string(), buffersNumber: z.string(), buffersSize: z.string(), busyBuffersSize: z.string() }),
    basicAuth: z.object({ secret: z.string(), realm: z.string() }),
  })
  .superRefine((v, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    checkTargets(v, issue);
    SECTION_CHECKS[v.type](v, issue);
  });
export type PolicyForm = z.infer<typeof policyForm>;
type Issue = (path: (string | number)[], message: string) => void;

function checkTargets(v: PolicyForm, issue: Issue): void {
  const info: PolicyKindInfo = POLICY_KINDS[v.type];
  if (info.targetKinds.length === 0) return;
  if (v.targets.length === 0) issue(['targets'], 'Attach the policy to at least one target');
  if (!info.multipleTargets && v.targets.length > 1) issue(['targets'], `${info.kind} attaches to one target`);
  if (v.targets.length > 16) issue(['targets'], 'At most 16 targets');
  const seen = new Set<string>();
  v.targets.forEach((t, i) => {
    if (!(info.targetKinds as readonly string[]).includes(t.kind)) issue(['targets', i, 'kind'], `${info.kind} attaches to ${info.targetKinds.join(', ')}`);
    if (!t.name) issue(['targets', i, 'name'], `Choose a ${t.kind || 'target'}`);
    else if (!DNS_SUBDOMAIN.test(t.name)) issue(['targets', i, 'name'], 'Not a valid object name');
    if (t.sectionName && !DNS_SUBDOMAIN.test(t.sectionName)) issue(['targets', i, 'sectionName'], 'A port or listener name');
    const key = `${t.kind}/${t.name}/${t.sectionName}`;
    if (seen.has(key)) issue(['targets', i, 'name'], 'Already a target');
    seen.add(key);
  });
}

/** '' or a whole number within [min, max]. */
function checkInt(text: string, min: number, max: number, path: (string | number)[], issue: Issue): void {
  if (text.trim() === '') return;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) issue(path, `A whole number ${min}–${max}`);
}

function checkPattern(text: string, pattern: RegExp, path: (string | number)[], message: string, issue: Issue): void {
  if (text.trim() !== '' && !pattern.test(text.trim())) issue(path, message);
}

const DURATION_HINT = 'A duration such as 50ms, 30s, 5m or 1h (up to 4 digits)';
const SIZE_HINT = 'A size such as 1024, 8k, 10m or 1g (up to 4 digits)';

/** "key: value" lines of span attributes; null when a line is not one. */
export function parseAttributes(text: string): { key: string; value: string }[] | null {
  const out: { key: string; value: string }[] = [];
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const i = line.indexOf(':');
    if (i <= 0) return null;
    const key = line.slice(0, i).trim();
    const value = line.slice(i + 1).trim();
    if (!key || !value || key.length > 255 || value.length > 255 || !SPAN_TEXT.test(key) || !SPAN_TEXT.test(value)) return null;
    out.push({ key, value });
  }
  return out;
}

const SECTION_CHECKS: Record<PolicyType, (v: PolicyForm, issue: Issue) => void> = {
  ratelimit: ({ rateLimit: r }, issue) => {
    if (!RATE.test(r.rate.trim())) issue(['rateLimit', 'rate'], 'Requests per second or minute, such as 10r/s or 100r/m');
    if (r.key.trim() === '') issue(['rateLimit', 'key'], 'The key requests are counted by, such as $binary_remote_addr');
    checkInt(r.burst, 0, 1_000_000, ['rateLimit', 'burst'], issue);
    checkInt(r.rejectCode, 400, 599, ['rateLimit', 'rejectCode'], issue);
    checkPattern(r.zoneSize, NGF_SIZE, ['rateLimit', 'zoneSize'], SIZE_HINT, issue);
  },
  clientsettings: ({ clientSettings: c }, issue) => {
    checkPattern(c.maxSize, NGF_SIZE, ['clientSettings', 'maxSize'], SIZE_HINT, issue);
    checkPattern(c.bodyTimeout, NGF_DURATION, ['clientSettings', 'bodyTimeout'], DURATION_HINT, issue);
    checkInt(c.keepAliveRequests, 0, 2_147_483_647, ['clientSettings', 'keepAliveRequests'], issue);
    checkPattern(c.keepAliveTime, NGF_DURATION, ['clientSettings', 'keepAliveTime'], DURATION_HINT, issue);
    checkPattern(c.keepAliveServer, NGF_DURATION, ['clientSettings', 'keepAliveServer'], DURATION_HINT, issue);
    checkPattern(c.keepAliveHeader, NGF_DURATION, ['clientSettings', 'keepAliveHeader'], DURATION_HINT, issue);
    if (c.keepAliveHeader.trim() && !c.keepAliveServer.trim()) issue(['clientSettings', 'keepAliveHeader'], 'Set the server keep-alive timeout too (NGINX sends this one in the header)');
    if (Object.values(c).every((s) => s.trim() === '')) issue(['clientSettings', 'maxSize'], 'Set at least one setting');
  },
  upstreamsettings: ({ upstream: u }, issue) => {
    checkPattern(u.zoneSize, NGF_SIZE, ['upstream', 'zoneSize'], SIZE_HINT, issue);
    checkInt(u.connections, 1, 2_147_483_647, ['upstream', 'connections'], issue);
    checkInt(u.requests, 0, 2_147_483_647, ['upstream', 'requests'], issue);
    checkPattern(u.time, NGF_DURATION, ['upstream', 'time'], DURATION_HINT, issue);
    checkPattern(u.timeout, NGF_DURATION, ['upstream', 'timeout'], DURATION_HINT, issue);
    if (Object.values(u).every((s) => s.trim() === '')) issue(['upstream', 'connections'], 'Set at least one setting');
  },
  observability: ({ observability: o }, issue) => {
    if (o.strategy === 'ratio') checkInt(o.ratio, 0, 100, ['observability', 'ratio'], issue);
    if (o.spanName.length > 255 || !SPAN_TEXT.test(o.spanName)) issue(['observability', 'spanName'], 'No "$", quotes escaped, at most 255 characters');
    if (parseAttributes(o.spanAttributes) === null) issue(['observability', 'spanAttributes'], 'One "key: value" per line (no "$", quotes escaped)');
    else if ((parseAttributes(o.spanAttributes) ?? []).length > 64) issue(['observability', 'spanAttributes'], 'At most 64 attributes');
  },
  backendtls: ({ backendTls: b }, issue) => {
    if (!b.hostname.trim() || !DNS_SUBDOMAIN.test(b.hostname.trim())) issue(['backendTls', 'hostname'], 'The name the backend certificate must carry (SNI), such as api.internal');
    const refs = b.caRefs.split(',').map((s) => s.trim()).filter(Boolean);
    if (b.ca === 'ConfigMap' && refs.length === 0) issue(['backendTls', 'caRefs'], 'The ConfigMap(s) holding the CA certificate (ca.crt)');
    if (refs.length > 8) issue(['backendTls', 'caRefs'], 'At most 8 ConfigMaps');
    if (refs.some((r) => !DNS_SUBDOMAIN.test(r))) issue(['backendTls', 'caRefs'], 'ConfigMap names, comma-separated');
    const sans = b.subjectAltNames.split(',').map((s) => s.trim()).filter(Boolean);
    if (sans.length > 5) issue(['backendTls', 'subjectAltNames'], 'At most 5 names');
    if (sans.some((s) => !/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(s))) issue(['backendTls', 'subjectAltNames'], 'Hostnames, comma-separated');
  },
  proxysettings: ({ proxy: p }, issue) => {
    checkPattern(p.bufferSize, NGF_SIZE, ['proxy', 'bufferSize'], SIZE_HINT, issue);
    checkPattern(p.buffersSize, NGF_SIZE, ['proxy', 'buffersSize'], SIZE_HINT, issue);
    checkPattern(p.busyBuffersSize, NGF_SIZE, ['proxy', 'busyBuffersSize'], SIZE_HINT, issue);
    checkInt(p.buffersNumber, 2, 1024, ['proxy', 'buffersNumber'], issue);
    // proxy_buffers takes both: the number and the size of each.
    if (p.buffersNumber.trim() && !p.buffersSize.trim()) issue(['proxy', 'buffersSize'], 'The size of each buffer, with their number');
    if (p.buffersSize.trim() && !p.buffersNumber.trim()) issue(['proxy', 'buffersNumber'], 'The number of buffers, with their size');
    const set = p.disableBuffering || [p.bufferSize, p.buffersNumber, p.buffersSize, p.busyBuffersSize].some((x) => x.trim() !== '');
    if (!set) issue(['proxy', 'bufferSize'], 'Set at least one setting');
  },
  authentication: ({ basicAuth: b }, issue) => {
    if (!DNS_SUBDOMAIN.test(b.secret.trim())) issue(['basicAuth', 'secret'], 'The Secret holding the htpasswd credentials (key auth), in this namespace');
    if (!b.realm.trim()) issue(['basicAuth', 'realm'], 'The realm browsers show in the login prompt');
  },
  snippetsfilter: ({ snippets }, issue) => {
    if (snippets.length === 0) issue(['snippets'], 'At least one snippet');
    if (snippets.length > 4) issue(['snippets'], 'At most 4 snippets (one per context)');
    const seen = new Set<string>();
    snippets.forEach((s, i) => {
      if (!s.value.trim()) issue(['snippets', i, 'value'], 'The NGINX configuration to insert');
      if (seen.has(s.context)) issue(['snippets', i, 'context'], 'One snippet per context');
      seen.add(s.context);
    });
  },
};

const intOrUndefined = (text: string) => (text.trim() === '' ? undefined : Number(text.trim()));
const textOrUndefined = (text: string) => text.trim() || undefined;

// References keep their empty core `group: ''` (required by the CRDs), so they are added
// after compact(), which drops empty strings.
function targetRefs(v: PolicyForm): Record<string, unknown>[] {
  return v.targets.map((t) => ({ group: t.kind === 'Service' ? '' : GW, kind: t.kind, name: t.name, ...(t.sectionName ? { sectionName: t.sectionName } : {}) }));
}

function caRefs(b: PolicyForm['backendTls']): Record<string, unknown>[] | undefined {
  if (b.ca !== 'ConfigMap') return undefined;
  return b.caRefs.split(',').map((s) => s.trim()).filter(Boolean).map((name) => ({ group: '', kind: 'ConfigMap', name }));
}

function specOf(v: PolicyForm): Record<string, unknown> {
  switch (v.type) {
    case 'ratelimit': {
      const r = v.rateLimit;
      const rule = { rate: r.rate.trim(), key: r.key.trim(), burst: intOrUndefined(r.burst), noDelay: r.noDelay || undefined, rejectCode: intOrUndefined(r.rejectCode), zoneSize: textOrUndefined(r.zoneSize), logLevel: r.logLevel || undefined, dryRun: r.dryRun || undefined };
      return { rateLimit: { local: { rules: [rule] } } };
    }
    case 'clientsettings': {
      const c = v.clientSettings;
      return {
        body: { maxSize: textOrUndefined(c.maxSize), timeout: textOrUndefined(c.bodyTimeout) },
        keepAlive: { requests: intOrUndefined(c.keepAliveRequests), time: textOrUndefined(c.keepAliveTime), timeout: { server: textOrUndefined(c.keepAliveServer), header: textOrUndefined(c.keepAliveHeader) } },
      };
    }
    case 'upstreamsettings': {
      const u = v.upstream;
      return { zoneSize: textOrUndefined(u.zoneSize), keepAlive: { connections: intOrUndefined(u.connections), requests: intOrUndefined(u.requests), time: textOrUndefined(u.time), timeout: textOrUndefined(u.timeout) } };
    }
    case 'observability': {
      const o = v.observability;
      return {
        tracing: { strategy: o.strategy, ratio: o.strategy === 'ratio' ? intOrUndefined(o.ratio) : undefined, context: o.context || undefined, spanName: textOrUndefined(o.spanName), spanAttributes: parseAttributes(o.spanAttributes) ?? [] },
      };
    }
    case 'backendtls': {
      const b = v.backendTls;
      return {
        validation: {
          hostname: b.hostname.trim(),
          wellKnownCACertificates: b.ca === 'System' ? 'System' : undefined,
          subjectAltNames: b.subjectAltNames.split(',').map((s) => s.trim()).filter(Boolean).map((hostname) => ({ type: 'Hostname', hostname })),
        },
      };
    }
    case 'proxysettings': {
      const p = v.proxy;
      const buffers = p.buffersNumber.trim() && p.buffersSize.trim() ? { number: Number(p.buffersNumber.trim()), size: p.buffersSize.trim() } : undefined;
      return { buffering: { disable: p.disableBuffering || undefined, bufferSize: textOrUndefined(p.bufferSize), buffers, busyBuffersSize: textOrUndefined(p.busyBuffersSize) } };
    }
    case 'authentication':
      return { type: 'Basic', basic: { secretRef: { name: v.basicAuth.secret.trim() }, realm: v.basicAuth.realm.trim() } };
    case 'snippetsfilter':
      return { snippets: v.snippets.map((s) => ({ context: s.context, value: s.value })) };
  }
}

/** The policy manifest the form describes (only what was entered). */
export function toPolicy(v: PolicyForm): Record<string, unknown> {
  const info: PolicyKindInfo = POLICY_KINDS[v.type];
  const settings = compact(specOf(v));
  const refs = targetRefs(v);
  const targets = info.targetKinds.length === 0 ? {} : info.multipleTargets ? { targetRefs: refs } : { targetRef: refs[0] };
  let spec: Record<string, unknown> = { ...targets, ...settings };
  const ca = v.type === 'backendtls' ? caRefs(v.backendTls) : undefined;
  if (ca) spec = { ...spec, validation: { ...(settings['validation'] as Record<string, unknown>), caCertificateRefs: ca } };
  return { apiVersion: info.apiVersion, kind: info.kind, metadata: { name: v.name, namespace: v.namespace }, spec };
}

/** Everything blank, for `type`, targeting its first target kind. */
export function emptyPolicyForm(type: PolicyType, namespace: string): PolicyForm {
  const info: PolicyKindInfo = POLICY_KINDS[type];
  const first = info.targetKinds[0];
  return {
    type,
    name: '',
    namespace,
    targets: first ? [{ kind: first, name: '', sectionName: '' }] : [],
    rateLimit: { rate: '', key: '$binary_remote_addr', burst: '', noDelay: false, rejectCode: '', zoneSize: '', logLevel: '', dryRun: false },
    clientSettings: { maxSize: '', bodyTimeout: '', keepAliveRequests: '', keepAliveTime: '', keepAliveServer: '', keepAliveHeader: '' },
    upstream: { zoneSize: '', connections: '', requests: '', time: '', timeout: '' },
    observability: { strategy: 'ratio', ratio: '', context: '', spanName: '', spanAttributes: '' },
    backendTls: { hostname: '', ca: 'System', caRefs: '', subjectAltNames: '' },
    snippets: type === 'snippetsfilter' ? [{ context: 'http.server.location', value: '' }] : [],
    proxy: { disableBuffering: false, bufferSize: '', buffersNumber: '', buffersSize: '', busyBuffersSize: '' },
    basicAuth: { secret: '', realm: '' },
  };
}

// API field path (dotted) -> form field, per kind; the first match wins.
const FIELD_MAP: Record<PolicyType, [RegExp, string][]> = {
  ratelimit: [[/^spec\.rateLimit\.local\.rules\.\d+\.(rate|key|burst|noDelay|rejectCode|zoneSize|logLevel|dryRun)/, 'rateLimit.$1']],
  clientsettings: [
    [/^spec\.body\.maxSize/, 'clientSettings.maxSize'],
    [/^spec\.body\.timeout/, 'clientSettings.bodyTimeout'],
    [/^spec\.keepAlive\.requests/, 'clientSettings.keepAliveRequests'],
    [/^spec\.keepAlive\.time\b(?!out)/, 'clientSettings.keepAliveTime'],
    [/^spec\.keepAlive\.timeout\.server/, 'clientSettings.keepAliveServer'],
    [/^spec\.keepAlive\.timeout/, 'clientSettings.keepAliveHeader'],
  ],
  upstreamsettings: [
    [/^spec\.zoneSize/, 'upstream.zoneSize'],
    [/^spec\.keepAlive\.(connections|requests|time|timeout)\b/, 'upstream.$1'],
  ],
  observability: [
    [/^spec\.tracing\.(strategy|ratio|context|spanName|spanAttributes)/, 'observability.$1'],
    [/^spec\.tracing/, 'observability.ratio'],
  ],
  backendtls: [
    [/^spec\.validation\.hostname/, 'backendTls.hostname'],
    [/^spec\.validation\.(caCertificateRefs|wellKnownCACertificates)/, 'backendTls.caRefs'],
    [/^spec\.validation\.subjectAltNames/, 'backendTls.subjectAltNames'],
    [/^spec\.validation/, 'backendTls.caRefs'],
  ],
  proxysettings: [
    [/^spec\.buffering\.buffers\.number/, 'proxy.buffersNumber'],
    [/^spec\.buffering\.buffers/, 'proxy.buffersSize'],
    [/^spec\.buffering\.(bufferSize|busyBuffersSize)/, 'proxy.$1'],
    [/^spec\.buffering/, 'proxy.bufferSize'],
  ],
  authentication: [
    [/^spec\.basic\.secretRef/, 'basicAuth.secret'],
    [/^spec\.basic\.realm/, 'basicAuth.realm'],
    [/^spec/, 'basicAuth.secret'],
  ],
  snippetsfilter: [
    [/^spec\.snippets\.(\d+)\.(context|value)/, 'snippets.$1.$2'],
    [/^spec\.snippets/, 'snippets.0.value'],
  ],
};

/** The form field an API field path (a 422's `causes[].field`) of a `type` policy belongs to. */
export function policyFormField(type: PolicyType, apiField: string): string | undefined {
  const f = dotted(apiField);
  if (f === 'metadata.name') return 'name';
  if (f === 'metadata.namespace') return 'namespace';
  const target = /^spec\.targetRefs?(?:\.(\d+))?(?:\.(kind|name|sectionName|group))?/.exec(f);
  if (target) return `targets.${target[1] ?? '0'}.${target[2] === 'group' || target[2] === undefined ? 'kind' : target[2]}`;
  for (const [pattern, field] of FIELD_MAP[type]) {
    const m = pattern.exec(f);
    if (m) return f.slice(0, m[0].length).replace(pattern, field);
  }
  return undefined;
}
