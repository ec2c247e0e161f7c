import { describe, expect, it } from 'vitest';
import { initialL4Form, l4FormField, l4RouteForm, toL4Route, type L4RouteForm } from './l4Route';
import { matchingListeners } from './routeParts';

const tcp: L4RouteForm = { ...initialL4Form('TCPRoute', 'db'), name: 'postgres', gateway: 'db/edge', sectionName: 'pg', backends: [{ name: 'postgres', port: 5432, weight: 1 }] };
const paths = (input: unknown) => (l4RouteForm.safeParse(input).error?.issues ?? []).map((i) => i.path.join('.'));

describe('L4 route builder rules', () => {
  it('accepts TCP and UDP routes without hostnames', () => {
    expect(paths(tcp)).toEqual([]);
    expect(paths({ ...tcp, kind: 'UDPRoute' })).toEqual([]);
  });
  it('needs an SNI hostname for a TLSRoute, and valid ones', () => {
    expect(paths({ ...tcp, kind: 'TLSRoute' })).toEqual(['hostnames']);
    expect(paths({ ...tcp, kind: 'TLSRoute', hostnames: 'db.example.com, *.db.example.com' })).toEqual([]);
    expect(paths({ ...tcp, kind: 'TLSRoute', hostnames: 'db..example.com' })).toEqual(['hostnames']);
  });
  it('checks names, gateway and backends', () => {
    expect(paths({ ...tcp, name: 'Postgres' })).toEqual(['name']);
    expect(paths({ ...tcp, gateway: 'edge' })).toEqual(['gateway']);
    expect(paths({ ...tcp, backends: [] })).toEqual(['backends']);
    expect(paths({ ...tcp, backends: [{ name: 'pg', port: 0, weight: 1 }] })).toEqual(['backends.0.port']);
    expect(paths({ ...tcp, backends: [{ name: 'pg', port: 5432, weight: -1 }] })).toEqual(['backends.0.weight']);
  });
  it('starts with a port that suits the kind', () => {
    expect(initialL4Form('UDPRoute', 'x').backends[0]!.port).toBe(53);
    expect(initialL4Form('TLSRoute', 'x').backends[0]!.port).toBe(443);
  });
});

describe('toL4Route', () => {
  it('writes a v1alpha2 TCPRoute with one rule of weighted backends', () => {
    expect(toL4Route({ ...tcp, hostnames: 'ignored.example.com', backends: [{ name: 'pg-a', port: 5432, weight: 3 }, { name: 'pg-b', port: 5432, weight: 1 }] })).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1alpha2',
      kind: 'TCPRoute',
      metadata: { name: 'postgres', namespace: 'db' },
      spec: { parentRefs: [{ name: 'edge', sectionName: 'pg' }], rules: [{ backendRefs: [{ name: 'pg-a', port: 5432, weight: 3 }, { name: 'pg-b', port: 5432, weight: 1 }] }] },
    });
  });
  it('writes SNI hostnames for a TLSRoute', () => {
    const route = toL4Route({ ...tcp, kind: 'TLSRoute', gateway: 'infra/edge', sectionName: '', hostnames: 'db.example.com' });
    expect(route['kind']).toBe('TLSRoute');
    expect(route['spec']).toEqual({ parentRefs: [{ name: 'edge', namespace: 'infra' }], hostnames: ['db.example.com'], rules: [{ backendRefs: [{ name: 'postgres', port: 5432, weight: 1 }] }] });
  });
});

describe('listener picking and API fields', () => {
  const listeners = [{ name: 'http', protocol: 'HTTP', port: 80 }, { name: 'https', protocol: 'HTTPS', port: 443 }, { name: 'pg', protocol: 'TCP', port: 5432 }, { name: 'dns', protocol: 'UDP', port: 53 }, { name: 'tls', protocol: 'TLS', port: 8443 }];
  it('offers the listeners whose protocol carries the kind', () => {
    expect(matchingListeners('TCPRoute', listeners).map((l) => l.name)).toEqual(['pg']);
    expect(matchingListeners('UDPRoute', listeners).map((l) => l.name)).toEqual(['dns']);
    expect(matchingListeners('TLSRoute', listeners).map((l) => l.name)).toEqual(['tls']);
    expect(matchingListeners('GRPCRoute', listeners).map((l) => l.name)).toEqual(['http', 'https']);
  });
  it('maps the single rule of the API onto the form', () => {
    expect(l4FormField('spec.rules[0].backendRefs[1].name')).toBe('backends.1.name');
    expect(l4FormField('metadata.namespace')).toBe('namespace');
  });
});
