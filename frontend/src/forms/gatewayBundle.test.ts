import { describe, expect, it } from 'vitest';
import { DEFAULT_LISTENER, advancedStep, classStep, gatewayStep, toGatewayBundle, wafStep, type GatewayStepInput } from './gatewayBundle';

const base: GatewayStepInput = { name: 'web', namespace: 'default', labels: '', allowedRoutes: 'Same', routeNamespaceSelector: '', replicas: undefined, listeners: [DEFAULT_LISTENER] };

function issues(input: unknown): Record<string, string> {
  const result = gatewayStep.safeParse(input);
  if (result.success) return {};
  return Object.fromEntries(result.error.issues.map((i) => [i.path.join('.'), i.message]));
}

describe('step 1: GatewayClass', () => {
  it('takes a DNS name and refuses anything else', () => {
    expect(classStep.safeParse({ gatewayClassName: 'nginx' }).success).toBe(true);
    expect(classStep.safeParse({ gatewayClassName: '' }).success).toBe(false);
    expect(classStep.safeParse({ gatewayClassName: 'Nginx_Class' }).success).toBe(false);
  });
});

describe('step 2: Gateway and listeners', () => {
  it('accepts a plain HTTP gateway', () => {
    expect(issues(base)).toEqual({});
  });

  it('refuses a bad name, namespace and labels', () => {
    const found = issues({ ...base, name: 'Web!', namespace: 'a'.repeat(64), labels: 'team' });
    expect(Object.keys(found).sort()).toEqual(['labels', 'name', 'namespace']);
  });

  it('refuses ports outside 1-65535', () => {
    expect(issues({ ...base, listeners: [{ ...DEFAULT_LISTENER, port: 0 }] })['listeners.0.port']).toBe('1–65535');
    expect(issues({ ...base, listeners: [{ ...DEFAULT_LISTENER, port: 70000 }] })['listeners.0.port']).toBe('1–65535');
  });

  it('validates hostnames, with a leading wildcard allowed', () => {
    expect(issues({ ...base, listeners: [{ ...DEFAULT_LISTENER, hostname: '*.example.com' }] })).toEqual({});
    expect(issues({ ...base, listeners: [{ ...DEFAULT_LISTENER, hostname: 'a.*.example.com' }] })['listeners.0.hostname']).toMatch(/DNS name/);
    expect(issues({ ...base, listeners: [{ ...DEFAULT_LISTENER, hostname: 'Example.COM' }] })['listeners.0.hostname']).toBeDefined();
  });

  it('needs at least one listener and unique listener names', () => {
    expect(issues({ ...base, listeners: [] })['listeners']).toBe('At least one listener');
    const twice = issues({ ...base, listeners: [DEFAULT_LISTENER, { ...DEFAULT_LISTENER, port: 81 }] });
    expect(twice['listeners.1.name']).toMatch(/already used/);
  });

  it('detects a port conflict: one port, two protocols on the same transport', () => {
    const found = issues({ ...base, listeners: [DEFAULT_LISTENER, { ...DEFAULT_LISTENER, name: 'secure', protocol: 'HTTPS', certificateRef: 'cert' }] });
    expect(found['listeners.1.port']).toBe('Port 80 is already HTTP on listener 1');
    // TCP and UDP on the same number are different sockets.
    expect(
      issues({ ...base, listeners: [{ ...DEFAULT_LISTENER, name: 'dns-tcp', protocol: 'TCP', port: 53 }, { ...DEFAULT_LISTENER, name: 'dns-udp', protocol: 'UDP', port: 53 }] }),
    ).toEqual({});
  });

  it('refuses two listeners with the same port, protocol and hostname', () => {
    const found = issues({ ...base, listeners: [DEFAULT_LISTENER, { ...DEFAULT_LISTENER, name: 'other' }] });
    expect(found['listeners.1.port']).toMatch(/same as listener 1/);
    expect(issues({ ...base, listeners: [DEFAULT_LISTENER, { ...DEFAULT_LISTENER, name: 'other', hostname: 'a.example.com' }] })).toEqual({});
  });

  it('needs a certificate to terminate TLS, and no hostname on TCP/UDP', () => {
    expect(issues({ ...base, listeners: [{ ...DEFAULT_LISTENER, protocol: 'HTTPS', port: 443 }] })['listeners.0.certificateRef']).toMatch(/TLS Secret/);
    expect(issues({ ...base, listeners: [{ ...DEFAULT_LISTENER, protocol: 'TLS', port: 443, tlsMode: 'Passthrough' }] })).toEqual({});
    expect(issues({ ...base, listeners: [{ ...DEFAULT_LISTENER, protocol: 'TCP', hostname: 'a.example.com' }] })['listeners.0.hostname']).toMatch(/no hostname/);
  });

  it('needs namespace labels when routes attach by selector', () => {
    expect(issues({ ...base, allowedRoutes: 'Selector' })['routeNamespaceSelector']).toMatch(/required/);
    expect(issues({ ...base, allowedRoutes: 'Selector', routeNamespaceSelector: 'team=web' })).toEqual({});
  });
});

describe('step 3: WAF', () => {
  it('keeps the violation rating between 1 and 5', () => {
    const ok = { enabled: true, policyRef: '', violationRatingThreshold: 3, mode: 'enforce', botDefense: false };
    expect(wafStep.safeParse(ok).success).toBe(true);
    expect(wafStep.safeParse({ ...ok, violationRatingThreshold: 6 }).success).toBe(false);
    expect(wafStep.safeParse({ ...ok, mode: 'block' }).success).toBe(false);
  });
});

describe('step 4: advanced', () => {
  it('refuses empty snippets and fewer than one worker', () => {
    expect(advancedStep.safeParse({ workerProcesses: Number.NaN, workerConnections: undefined, snippets: [] }).success).toBe(true);
    expect(advancedStep.safeParse({ workerProcesses: 0, snippets: [] }).success).toBe(false);
    expect(advancedStep.safeParse({ snippets: [{ context: 'http', content: '  ' }] }).success).toBe(false);
    expect(advancedStep.safeParse({ snippets: [{ context: 'body', content: 'x' }] }).success).toBe(false);
  });
});

describe('toGatewayBundle', () => {
  it('builds the bundle from the answers, with only what was entered', () => {
    const gateway = gatewayStep.parse({
      ...base,
      labels: 'team=web',
      allowedRoutes: 'All',
      replicas: 2,
      listeners: [DEFAULT_LISTENER, { name: 'https', protocol: 'HTTPS', port: 443, hostname: '*.example.com', tlsMode: 'Terminate', certificateRef: 'web-cert' }],
    });
    const bundle = toGatewayBundle({ cls: { gatewayClassName: 'nginx' }, gateway, waf: null, advanced: null });
    expect(bundle).toEqual({
      apiVersion: 'ngf-console.f5.com/v1alpha1',
      kind: 'GatewayBundle',
      metadata: { name: 'web', namespace: 'default', labels: { team: 'web' } },
      spec: {
        gatewayClassName: 'nginx',
        listeners: [
          { name: 'http', port: 80, protocol: 'HTTP' },
          { name: 'https', port: 443, protocol: 'HTTPS', hostname: '*.example.com', tls: { mode: 'Terminate', certificateRef: { name: 'web-cert' } } },
        ],
        allowedRoutes: { namespaces: 'All' },
        infrastructure: { replicas: 2 },
      },
    });
  });

  it('adds the enterprise parts only when given', () => {
    const gateway = gatewayStep.parse(base);
    const bundle = toGatewayBundle({
      cls: { gatewayClassName: 'nginx' },
      gateway,
      waf: { enabled: true, policyRef: '', violationRatingThreshold: 2, mode: 'log-only', botDefense: true },
      advanced: { workerProcesses: 4, workerConnections: undefined, snippets: [{ context: 'server', content: 'client_max_body_size 10m;' }] },
    }) as { spec: Record<string, unknown> };
    expect(bundle.spec['waf']).toEqual({ violationRatingThreshold: 2, mode: 'log-only', botDefense: true });
    expect(bundle.spec['nginxProxy']).toEqual({ workerProcesses: 4 });
    expect(bundle.spec['snippets']).toEqual([{ context: 'server', content: 'client_max_body_size 10m;' }]);
  });
});
