import { describe, expect, it } from 'vitest';
import { DEFAULT_LISTENER, fromBundle, gatewayStep, toGatewayBundle, type GatewayWizardValues } from './gatewayBundle';
import { bundleDocument, editedBundle, replicasOf, scaleReplicas, withReplicas, generationOf } from './gatewayBundleEdit';

const full: GatewayWizardValues = {
  cls: { gatewayClassName: 'nginx' },
  gateway: gatewayStep.parse({
    name: 'web',
    namespace: 'shop',
    labels: 'team=web, tier=edge',
    allowedRoutes: 'Selector',
    routeNamespaceSelector: 'gateway=web',
    replicas: 2,
    listeners: [
      DEFAULT_LISTENER,
      { name: 'https', protocol: 'HTTPS', port: 443, hostname: '*.example.com', tlsMode: 'Terminate', certificateRef: 'web-cert' },
      { name: 'pass', protocol: 'TLS', port: 8443, hostname: 'db.example.com', tlsMode: 'Passthrough', certificateRef: '' },
      { name: 'pg', protocol: 'TCP', port: 5432, hostname: '', tlsMode: 'Terminate', certificateRef: '' },
    ],
  }),
  waf: { enabled: true, policyRef: 'strict', violationRatingThreshold: 2, mode: 'log-only', botDefense: true },
  advanced: { workerProcesses: 4, workerConnections: 2048, snippets: [{ context: 'server', content: 'client_max_body_size 10m;' }] },
};

describe('fromBundle', () => {
  it('is the inverse of toGatewayBundle: answers -> bundle -> the same answers', () => {
    expect(fromBundle(toGatewayBundle(full))).toEqual(full);
    const plain: GatewayWizardValues = {
      cls: { gatewayClassName: 'nginx' },
      gateway: gatewayStep.parse({ name: 'a', namespace: 'default', labels: '', allowedRoutes: 'Same', routeNamespaceSelector: '', replicas: undefined, listeners: [DEFAULT_LISTENER] }),
      waf: null,
      advanced: null,
    };
    expect(fromBundle(toGatewayBundle(plain))).toEqual(plain);
  });

  it('round-trips a bundle as the API returns it (server fields ignored): bundle -> answers -> the same spec', () => {
    const stored = {
      apiVersion: 'ngf-console.f5.com/v1alpha1',
      kind: 'GatewayBundle',
      metadata: { name: 'edge', namespace: 'infra', uid: 'u-1', resourceVersion: '42', generation: 3, labels: { team: 'net' } },
      spec: {
        allowedRoutes: { namespaces: 'All' },
        gatewayClassName: 'nginx',
        infrastructure: { replicas: 3 },
        listeners: [
          { hostname: 'api.example.com', name: 'http', port: 80, protocol: 'HTTP' },
          { name: 'udp', port: 53, protocol: 'UDP' },
        ],
      },
      status: { phase: 'Ready' },
    };
    const answers = fromBundle(stored);
    expect(gatewayStep.safeParse(answers.gateway).success).toBe(true);
    expect(toGatewayBundle(answers)).toEqual(bundleDocument({ ...stored, metadata: { name: 'edge', namespace: 'infra', labels: { team: 'net' } } }));
  });

  it('marks listeners with an inline certificate so the form asks for no Secret', () => {
    const answers = fromBundle({
      metadata: { name: 'w', namespace: 'd' },
      spec: { gatewayClassName: 'nginx', listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', tls: { mode: 'Terminate', inlineCert: { certificate: 'PEM', privateKey: '<redacted>' } } }] },
    });
    expect(answers.gateway.listeners[0]).toMatchObject({ certificateRef: '', inlineCert: true });
    expect(gatewayStep.safeParse(answers.gateway).success).toBe(true);
  });
});

describe('editedBundle', () => {
  const current = {
    apiVersion: 'ngf-console.f5.com/v1alpha1',
    kind: 'GatewayBundle',
    metadata: { name: 'web', namespace: 'shop', resourceVersion: '7', annotations: { owner: 'net', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
    spec: {
      gatewayClassName: 'nginx',
      listeners: [
        { name: 'https', port: 443, protocol: 'HTTPS', tls: { mode: 'Terminate', inlineCert: { certificate: 'PEM', privateKey: '<redacted>' } } },
        { name: 'other', port: 8443, protocol: 'HTTPS', tls: { mode: 'Terminate', certificateRef: { name: 'c', namespace: 'certs' } } },
      ],
      infrastructure: { replicas: 2, resources: { limits: { cpu: '1' } } },
      waf: { mode: 'enforce' },
    },
  };

  it('applies the edit and keeps what the form cannot hold', () => {
    const answers = fromBundle(current);
    const edited = { ...answers, gateway: { ...answers.gateway, listeners: answers.gateway.listeners.map((l) => ({ ...l, hostname: 'shop.example.com' })) } };
    const out = editedBundle(current, toGatewayBundle({ ...edited, waf: null, advanced: null }), false) as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
    expect(out.metadata).toEqual({ name: 'web', namespace: 'shop', annotations: { owner: 'net' } });
    expect(out.spec).toEqual({
      gatewayClassName: 'nginx',
      listeners: [
        { name: 'https', port: 443, protocol: 'HTTPS', hostname: 'shop.example.com', tls: { mode: 'Terminate', inlineCert: { certificate: 'PEM', privateKey: '<redacted>' } } },
        { name: 'other', port: 8443, protocol: 'HTTPS', hostname: 'shop.example.com', tls: { mode: 'Terminate', certificateRef: { name: 'c', namespace: 'certs' } } },
      ],
      infrastructure: { replicas: 2, resources: { limits: { cpu: '1' } } },
      // OSS: the Enterprise steps were skipped, so the WAF stays as it was.
      waf: { mode: 'enforce' },
    });
  });

  it('unchanged answers give the current document back (an empty diff)', () => {
    const out = editedBundle(current, toGatewayBundle({ ...fromBundle(current), waf: null, advanced: null }), false);
    expect(out).toEqual(bundleDocument(current));
  });

  it('knows the spec generation it was based on', () => {
    expect(generationOf({ metadata: { generation: 4 } })).toBe(4);
    expect(generationOf(current)).toBeUndefined();
  });
});

describe('scale', () => {
  it('takes whole numbers from 1 to the CRD limit', () => {
    expect(scaleReplicas.safeParse(3).success).toBe(true);
    expect(scaleReplicas.safeParse(1).success).toBe(true);
    expect(scaleReplicas.safeParse(0).error?.issues[0]?.message).toMatch(/At least 1/);
    expect(scaleReplicas.safeParse(2.5).error?.issues[0]?.message).toBe('A whole number');
    expect(scaleReplicas.safeParse(2_147_483_648).error?.issues[0]?.message).toMatch(/CRD's limit/);
    expect(scaleReplicas.safeParse(Number.NaN).success).toBe(false);
  });

  it('sets spec.infrastructure.replicas and nothing else', () => {
    const bundle = { metadata: { name: 'w', namespace: 'd' }, spec: { gatewayClassName: 'nginx', listeners: [], infrastructure: { resources: { requests: { cpu: '100m' } } } } };
    expect(replicasOf(bundle)).toBeUndefined();
    const scaled = withReplicas(bundle, 3);
    expect(replicasOf(scaled)).toBe(3);
    expect(scaled['spec']).toEqual({ gatewayClassName: 'nginx', listeners: [], infrastructure: { resources: { requests: { cpu: '100m' } }, replicas: 3 } });
  });
});
