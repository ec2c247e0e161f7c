import { describe, expect, it } from 'vitest';
import { emptyPolicyForm, parseAttributes, policyForm, policyFormField, toPolicy, type PolicyForm } from './policies';
import { POLICY_TEMPLATES } from './policyTemplates';

const paths = (input: unknown) => (policyForm.safeParse(input).error?.issues ?? []).map((i) => i.path.join('.'));
const target = (kind: string, name: string, sectionName = '') => ({ kind, name, sectionName });

function rateLimit(patch: Partial<PolicyForm['rateLimit']> = {}): PolicyForm {
  const f = emptyPolicyForm('ratelimit', 'shop');
  return { ...f, name: 'api-limit', targets: [target('HTTPRoute', 'api')], rateLimit: { ...f.rateLimit, rate: '100r/m', ...patch } };
}

describe('policy targets', () => {
  it('needs a target of a kind the CRD allows, once', () => {
    expect(paths(rateLimit())).toEqual([]);
    expect(paths({ ...rateLimit(), targets: [] })).toEqual(['targets']);
    expect(paths({ ...rateLimit(), targets: [target('Service', 'api')] })).toEqual(['targets.0.kind']);
    expect(paths({ ...rateLimit(), targets: [target('HTTPRoute', '')] })).toEqual(['targets.0.name']);
    expect(paths({ ...rateLimit(), targets: [target('HTTPRoute', 'api'), target('HTTPRoute', 'api')] })).toEqual(['targets.1.name']);
  });
  it('lets a ClientSettingsPolicy attach to one target only', () => {
    const f = { ...emptyPolicyForm('clientsettings', 'shop'), name: 'cs', clientSettings: { ...emptyPolicyForm('clientsettings', 'shop').clientSettings, maxSize: '10m' } };
    expect(paths({ ...f, targets: [target('Gateway', 'edge')] })).toEqual([]);
    expect(paths({ ...f, targets: [target('Gateway', 'edge'), target('HTTPRoute', 'api')] })).toEqual(['targets']);
  });
  it('needs no target for a SnippetsFilter (routes reference it)', () => {
    const f = { ...emptyPolicyForm('snippetsfilter', 'shop'), name: 'cors', snippets: [{ context: 'http.server' as const, value: 'add_header X-A b;' }] };
    expect(paths(f)).toEqual([]);
    expect(paths({ ...f, snippets: [...f.snippets, { context: 'http.server' as const, value: 'x;' }] })).toEqual(['snippets.1.context']);
  });
});

describe('settings of each kind (the CRDs’ own patterns)', () => {
  it('rate limit: rate, key, reject code, zone size', () => {
    expect(paths(rateLimit({ rate: '100/m' }))).toEqual(['rateLimit.rate']);
    expect(paths(rateLimit({ key: ' ' }))).toEqual(['rateLimit.key']);
    expect(paths(rateLimit({ rejectCode: '200' }))).toEqual(['rateLimit.rejectCode']);
    expect(paths(rateLimit({ zoneSize: '10mb' }))).toEqual(['rateLimit.zoneSize']);
  });
  it('client settings: sizes, durations, header timeout only with the server one, something set', () => {
    const f = emptyPolicyForm('clientsettings', 'shop');
    const cs = (c: Partial<PolicyForm['clientSettings']>) => ({ ...f, name: 'cs', targets: [target('HTTPRoute', 'api')], clientSettings: { ...f.clientSettings, ...c } });
    expect(paths(cs({ maxSize: '10m', bodyTimeout: '30s' }))).toEqual([]);
    expect(paths(cs({ maxSize: '10 MB' }))).toEqual(['clientSettings.maxSize']);
    expect(paths(cs({ bodyTimeout: '30 seconds' }))).toEqual(['clientSettings.bodyTimeout']);
    expect(paths(cs({ keepAliveHeader: '50s' }))).toEqual(['clientSettings.keepAliveHeader']);
    expect(paths(cs({}))).toEqual(['clientSettings.maxSize']);
  });
  it('upstream settings: at least one connection kept', () => {
    const f = { ...emptyPolicyForm('upstreamsettings', 'shop'), name: 'up', targets: [target('Service', 'api')] };
    expect(paths({ ...f, upstream: { ...f.upstream, connections: '0' } })).toEqual(['upstream.connections']);
    expect(paths({ ...f, upstream: { ...f.upstream, connections: '32', time: '1h' } })).toEqual([]);
  });
  it('observability: ratio 0–100, span attributes as key: value lines', () => {
    const f = { ...emptyPolicyForm('observability', 'shop'), name: 'tr', targets: [target('HTTPRoute', 'api')] };
    expect(paths({ ...f, observability: { ...f.observability, ratio: '101' } })).toEqual(['observability.ratio']);
    expect(paths({ ...f, observability: { ...f.observability, spanAttributes: 'team: web\nbroken' } })).toEqual(['observability.spanAttributes']);
    expect(paths({ ...f, observability: { ...f.observability, spanName: 'name-$host' } })).toEqual(['observability.spanName']);
    expect(parseAttributes('team: web\n\nenv: prod')).toEqual([{ key: 'team', value: 'web' }, { key: 'env', value: 'prod' }]);
  });
  it('backend TLS: a hostname and, for ConfigMap trust, the ConfigMaps', () => {
    const f = { ...emptyPolicyForm('backendtls', 'shop'), name: 'tls', targets: [target('Service', 'api')] };
    expect(paths(f)).toEqual(['backendTls.hostname']);
    expect(paths({ ...f, backendTls: { ...f.backendTls, hostname: 'api.internal', ca: 'ConfigMap' } })).toEqual(['backendTls.caRefs']);
    expect(paths({ ...f, backendTls: { ...f.backendTls, hostname: '*.internal' } })).toEqual(['backendTls.hostname']);
  });
});

describe('toPolicy', () => {
  it('writes a RateLimitPolicy with one local rule', () => {
    expect(toPolicy(rateLimit({ burst: '20', noDelay: true, rejectCode: '429' }))).toEqual({
      apiVersion: 'gateway.nginx.org/v1alpha1',
      kind: 'RateLimitPolicy',
      metadata: { name: 'api-limit', namespace: 'shop' },
      spec: {
        targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'api' }],
        rateLimit: { local: { rules: [{ rate: '100r/m', key: '$binary_remote_addr', burst: 20, noDelay: true, rejectCode: 429 }] } },
      },
    });
  });
  it('writes a ClientSettingsPolicy with a single targetRef and only the settings entered', () => {
    const f = emptyPolicyForm('clientsettings', 'shop');
    const policy = toPolicy({ ...f, name: 'cs', targets: [target('Gateway', 'edge')], clientSettings: { ...f.clientSettings, maxSize: '10m', keepAliveRequests: '1000', keepAliveServer: '60s' } });
    expect(policy['spec']).toEqual({
      targetRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge' },
      body: { maxSize: '10m' },
      keepAlive: { requests: 1000, timeout: { server: '60s' } },
    });
  });
  it('writes Service targets in the core group, and BackendTLS validation', () => {
    const f = emptyPolicyForm('backendtls', 'shop');
    const policy = toPolicy({ ...f, name: 'tls', targets: [target('Service', 'api', 'https')], backendTls: { hostname: 'api.internal', ca: 'ConfigMap', caRefs: 'ca-a, ca-b', subjectAltNames: 'api.svc' } });
    expect(policy['apiVersion']).toBe('gateway.networking.k8s.io/v1');
    expect(policy['spec']).toEqual({
      targetRefs: [{ group: '', kind: 'Service', name: 'api', sectionName: 'https' }],
      validation: { hostname: 'api.internal', caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca-a' }, { group: '', kind: 'ConfigMap', name: 'ca-b' }], subjectAltNames: [{ type: 'Hostname', hostname: 'api.svc' }] },
    });
  });
  it('writes an ObservabilityPolicy v1alpha2 (ratio only for the ratio strategy)', () => {
    const f = { ...emptyPolicyForm('observability', 'shop'), name: 'tr', targets: [target('GRPCRoute', 'greeter')] };
    const parent = toPolicy({ ...f, observability: { strategy: 'parent', ratio: '10', context: 'extract', spanName: '', spanAttributes: 'team: web' } });
    expect(parent['apiVersion']).toBe('gateway.nginx.org/v1alpha2');
    expect(parent['spec']).toEqual({ targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'GRPCRoute', name: 'greeter' }], tracing: { strategy: 'parent', context: 'extract', spanAttributes: [{ key: 'team', value: 'web' }] } });
  });
});

describe('NGF 2.4 kinds', () => {
  it('proxy settings: buffers need number and size together, at least one setting', () => {
    const f = { ...emptyPolicyForm('proxysettings', 'shop'), name: 'ps', targets: [target('HTTPRoute', 'api')] };
    expect(paths(f)).toEqual(['proxy.bufferSize']);
    expect(paths({ ...f, proxy: { ...f.proxy, buffersNumber: '8' } })).toEqual(['proxy.buffersSize']);
    expect(paths({ ...f, proxy: { ...f.proxy, buffersNumber: '1', buffersSize: '4k' } })).toEqual(['proxy.buffersNumber']);
    const policy = toPolicy({ ...f, proxy: { ...f.proxy, buffersNumber: '8', buffersSize: '4k', bufferSize: '8k' } });
    expect(policy['spec']).toEqual({ targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'api' }], buffering: { bufferSize: '8k', buffers: { number: 8, size: '4k' } } });
  });
  it('basic auth: a Secret and a realm, no targets', () => {
    const f = { ...emptyPolicyForm('authentication', 'shop'), name: 'auth' };
    expect(paths(f)).toEqual(['basicAuth.secret', 'basicAuth.realm']);
    const policy = toPolicy({ ...f, basicAuth: { secret: 'htpasswd', realm: 'Staff only' } });
    expect(policy).toEqual({ apiVersion: 'gateway.nginx.org/v1alpha1', kind: 'AuthenticationFilter', metadata: { name: 'auth', namespace: 'shop' }, spec: { type: 'Basic', basic: { secretRef: { name: 'htpasswd' }, realm: 'Staff only' } } });
    expect(policyFormField('authentication', 'spec.basic.secretRef.name')).toBe('basicAuth.secret');
    expect(policyFormField('proxysettings', 'spec.buffering.buffers.number')).toBe('proxy.buffersNumber');
  });
});

describe('templates', () => {
  it('each template with a builder is valid once its target is chosen', () => {
    for (const t of POLICY_TEMPLATES) {
      if (!t.form) continue;
      const f = t.form('shop');
      const filled = { ...f, targets: f.targets.map((x) => ({ ...x, name: 'picked' })) };
      expect([t.id, paths(filled)]).toEqual([t.id, t.type === 'backendtls' ? ['backendTls.hostname'] : []]);
    }
  });
  it('rate-limits to 100 requests a minute', () => {
    const t = POLICY_TEMPLATES.find((x) => x.id === 'rate-limit-api')!;
    expect(t.form!('shop').rateLimit.rate).toBe('100r/m');
  });
});

describe('policyFormField', () => {
  it('puts the API server field paths on the form fields', () => {
    expect(policyFormField('clientsettings', 'spec.targetRef')).toBe('targets.0.kind');
    expect(policyFormField('clientsettings', 'spec.targetRef.name')).toBe('targets.0.name');
    expect(policyFormField('ratelimit', 'spec.targetRefs[2].name')).toBe('targets.2.name');
    expect(policyFormField('ratelimit', 'spec.rateLimit.local.rules[0].rate')).toBe('rateLimit.rate');
    expect(policyFormField('clientsettings', 'spec.body.maxSize')).toBe('clientSettings.maxSize');
    expect(policyFormField('clientsettings', 'spec.keepAlive.time')).toBe('clientSettings.keepAliveTime');
    expect(policyFormField('clientsettings', 'spec.keepAlive.timeout')).toBe('clientSettings.keepAliveHeader');
    expect(policyFormField('clientsettings', 'spec.keepAlive.timeout.server')).toBe('clientSettings.keepAliveServer');
    expect(policyFormField('upstreamsettings', 'spec.keepAlive.timeout')).toBe('upstream.timeout');
    expect(policyFormField('observability', 'spec.tracing')).toBe('observability.ratio');
    expect(policyFormField('snippetsfilter', 'spec.snippets[1].value')).toBe('snippets.1.value');
    expect(policyFormField('backendtls', 'spec.validation')).toBe('backendTls.caRefs');
    expect(policyFormField('ratelimit', 'spec.unknown')).toBeUndefined();
  });
});
