import { describe, expect, it } from 'vitest';
import { NEW_GRPC_FILTER, NEW_GRPC_MATCH, grpcFormField, grpcRouteForm, toGrpcRoute, type GrpcRouteForm } from './grpcRoute';

const form: GrpcRouteForm = {
  name: 'greeter',
  namespace: 'shop',
  gateway: 'infra/public',
  sectionName: 'https',
  hostnames: 'grpc.example.com',
  rules: [
    {
      matches: [{ type: 'Exact', service: 'helloworld.Greeter', method: 'SayHello', headers: 'x-tenant: blue' }],
      filters: [],
      backends: [{ name: 'greeter-v1', port: 50051, weight: 80 }, { name: 'greeter-v2', port: 50051, weight: 20 }],
    },
  ],
};
const paths = (input: unknown) => (grpcRouteForm.safeParse(input).error?.issues ?? []).map((i) => i.path.join('.'));
const withMatch = (m: Partial<GrpcRouteForm['rules'][number]['matches'][number]>) => ({ ...form, rules: [{ ...form.rules[0]!, matches: [{ ...NEW_GRPC_MATCH, ...m }] }] });

describe('GRPCRoute builder rules', () => {
  it('accepts a complete route, and a match on the service or the method alone', () => {
    expect(paths(form)).toEqual([]);
    expect(paths(withMatch({ service: 'helloworld.Greeter' }))).toEqual([]);
    expect(paths(withMatch({ method: 'SayHello' }))).toEqual([]);
  });
  it('needs a service or a method in each match', () => {
    expect(paths(withMatch({}))).toEqual(['rules.0.matches.0.service']);
  });
  it('checks Exact names like the CRD and regular expressions for RegularExpression', () => {
    expect(paths(withMatch({ service: 'hello world' }))).toEqual(['rules.0.matches.0.service']);
    expect(paths(withMatch({ service: 'helloworld.Greeter', method: 'Say/Hello' }))).toEqual(['rules.0.matches.0.method']);
    expect(paths(withMatch({ type: 'RegularExpression', service: 'helloworld\\..*' }))).toEqual([]);
    expect(paths(withMatch({ type: 'RegularExpression', service: '(unclosed' }))).toEqual(['rules.0.matches.0.service']);
  });
  it('checks the gateway, backends and hostnames', () => {
    expect(paths({ ...form, gateway: '' })).toEqual(['gateway']);
    expect(paths({ ...form, hostnames: 'grpc.example.com, Bad_Host' })).toEqual(['hostnames']);
    expect(paths({ ...form, rules: [{ ...form.rules[0]!, backends: [] }] })).toEqual(['rules.0.backends']);
    expect(paths({ ...form, rules: [{ ...form.rules[0]!, backends: [{ name: 'greeter', port: 70000, weight: 1 }] }] })).toEqual(['rules.0.backends.0.port']);
    expect(paths({ ...form, rules: [{ ...form.rules[0]!, backends: [{ name: '9greeter', port: 80, weight: 1 }] }] })).toEqual(['rules.0.backends.0.name']);
  });
});

describe('GRPCRoute filters', () => {
  const withFilter = (f: Partial<typeof NEW_GRPC_FILTER>) => ({ ...form, rules: [{ ...form.rules[0]!, filters: [{ ...NEW_GRPC_FILTER, ...f }] }] });
  it('needs headers for a modifier, service:port for a mirror, a name for an NGF filter', () => {
    expect(paths(withFilter({}))).toEqual(['rules.0.filters.0.headers']);
    expect(paths(withFilter({ headers: 'x-a: 1' }))).toEqual([]);
    expect(paths(withFilter({ type: 'RequestMirror', value: 'shadow' }))).toEqual(['rules.0.filters.0.value']);
    expect(paths(withFilter({ type: 'AuthenticationFilter', value: '' }))).toEqual(['rules.0.filters.0.value']);
  });
  it('writes ExtensionRef filters to NGF kinds and mirrors with their port', () => {
    const rule = (f: Partial<typeof NEW_GRPC_FILTER>) => (toGrpcRoute(withFilter(f))['spec'] as { rules: { filters: unknown[] }[] }).rules[0]!.filters;
    expect(rule({ type: 'AuthenticationFilter', value: 'basic-auth' })).toEqual([{ type: 'ExtensionRef', extensionRef: { group: 'gateway.nginx.org', kind: 'AuthenticationFilter', name: 'basic-auth' } }]);
    expect(rule({ type: 'RequestMirror', value: 'shadow:50051' })).toEqual([{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'shadow', port: 50051 } } }]);
    expect(rule({ type: 'ResponseHeaderModifier', remove: 'grpc-debug' })).toEqual([{ type: 'ResponseHeaderModifier', responseHeaderModifier: { remove: ['grpc-debug'] } }]);
    expect(grpcFormField('spec.rules[0].filters[0].requestHeaderModifier.set[0].name')).toBe('rules.0.filters.0.headers');
    expect(grpcFormField('spec.rules[0].filters[1].extensionRef')).toBe('rules.0.filters.1.value');
  });
});

describe('toGrpcRoute', () => {
  it('writes method matches, header matches and weighted backends', () => {
    expect(toGrpcRoute(form)).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GRPCRoute',
      metadata: { name: 'greeter', namespace: 'shop' },
      spec: {
        parentRefs: [{ name: 'public', namespace: 'infra', sectionName: 'https' }],
        hostnames: ['grpc.example.com'],
        rules: [
          {
            matches: [{ method: { type: 'Exact', service: 'helloworld.Greeter', method: 'SayHello' }, headers: [{ type: 'Exact', name: 'x-tenant', value: 'blue' }] }],
            backendRefs: [{ name: 'greeter-v1', port: 50051, weight: 80 }, { name: 'greeter-v2', port: 50051, weight: 20 }],
          },
        ],
      },
    });
  });
  it('leaves out what was not entered (same-namespace gateway, no hostnames, no method)', () => {
    const route = toGrpcRoute({ ...form, gateway: 'shop/public', sectionName: '', hostnames: '', rules: [{ matches: [{ ...NEW_GRPC_MATCH, service: 'a.B' }], filters: [], backends: [{ name: 'b', port: 1, weight: 1 }] }] });
    expect(route['spec']).toEqual({ parentRefs: [{ name: 'public' }], rules: [{ matches: [{ method: { type: 'Exact', service: 'a.B' } }], backendRefs: [{ name: 'b', port: 1, weight: 1 }] }] });
  });
});

describe('grpcFormField', () => {
  it('puts the API server field paths on the form fields', () => {
    expect(grpcFormField('metadata.name')).toBe('name');
    expect(grpcFormField('spec.hostnames[1]')).toBe('hostnames');
    expect(grpcFormField('spec.parentRefs[0].sectionName')).toBe('sectionName');
    expect(grpcFormField('spec.parentRefs[0]')).toBe('gateway');
    expect(grpcFormField('spec.rules[1].backendRefs[0].port')).toBe('rules.1.backends.0.port');
    expect(grpcFormField('spec.rules[0].matches[2].method.method')).toBe('rules.0.matches.2.method');
    expect(grpcFormField('spec.rules[0].matches[2].method')).toBe('rules.0.matches.2.service');
    expect(grpcFormField('spec.somethingElse')).toBeUndefined();
  });
});
