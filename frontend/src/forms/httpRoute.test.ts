import { describe, expect, it } from 'vitest';
import { NEW_BACKEND, NEW_FILTER, NEW_MATCH, httpRouteForm, shares, toHttpRoute, type HttpRouteForm } from './httpRoute';

const form: HttpRouteForm = {
  name: 'api',
  namespace: 'shop',
  gateway: 'infra/public',
  sectionName: 'https',
  hostnames: 'api.example.com',
  rules: [{ matches: [{ ...NEW_MATCH, path: '/v1', method: 'GET', headers: 'X-Env: canary', query: '' }], filters: [], backends: [{ name: 'api-v1', port: 8080, weight: 90 }, { name: 'api-v2', port: 8080, weight: 10 }] }],
};
const paths = (input: unknown) => (httpRouteForm.safeParse(input).error?.issues ?? []).map((i) => i.path.join('.'));

describe('HTTPRoute builder rules', () => {
  it('accepts a complete route', () => {
    expect(paths(form)).toEqual([]);
  });
  it('checks paths, regexes, header lines and hostnames', () => {
    const rule = form.rules[0]!;
    expect(paths({ ...form, rules: [{ ...rule, matches: [{ ...NEW_MATCH, path: 'v1' }] }] })).toEqual(['rules.0.matches.0.path']);
    expect(paths({ ...form, rules: [{ ...rule, matches: [{ ...NEW_MATCH, pathType: 'RegularExpression', path: '/(a' }] }] })).toEqual(['rules.0.matches.0.path']);
    expect(paths({ ...form, rules: [{ ...rule, matches: [{ ...NEW_MATCH, headers: 'no colon here' }] }] })).toEqual(['rules.0.matches.0.headers']);
    expect(paths({ ...form, hostnames: 'api.example.com, bad_host' })).toEqual(['hostnames']);
  });
  it('needs a backend and a value for rewrite, redirect and mirror filters', () => {
    const rule = form.rules[0]!;
    expect(paths({ ...form, rules: [{ ...rule, backends: [] }] })).toEqual(['rules.0.backends']);
    expect(paths({ ...form, rules: [{ ...rule, filters: [{ ...NEW_FILTER, type: 'URLRewrite' }] }] })).toEqual(['rules.0.filters.0.value']);
    expect(paths({ ...form, rules: [{ ...rule, filters: [{ ...NEW_FILTER, type: 'RequestMirror', value: 'shadow:8080' }] }] })).toEqual([]);
    expect(new Set(paths({ ...form, rules: [{ ...rule, backends: [{ ...NEW_BACKEND, name: '' }] }] }))).toEqual(new Set(['rules.0.backends.0.name']));
  });
});

describe('toHttpRoute', () => {
  it('writes matches, filters and weighted backends', () => {
    const route = toHttpRoute({ ...form, rules: [{ ...form.rules[0]!, filters: [{ ...NEW_FILTER, headers: 'X-Served-By: console', remove: 'X-Debug' }] }] });
    expect(route).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'api', namespace: 'shop' },
      spec: {
        parentRefs: [{ name: 'public', namespace: 'infra', sectionName: 'https' }],
        hostnames: ['api.example.com'],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/v1' }, method: 'GET', headers: [{ type: 'Exact', name: 'X-Env', value: 'canary' }] }],
            filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'X-Served-By', value: 'console' }], remove: ['X-Debug'] } }],
            backendRefs: [{ name: 'api-v1', port: 8080, weight: 90 }, { name: 'api-v2', port: 8080, weight: 10 }],
          },
        ],
      },
    });
  });
  it('gives each backend its share of traffic', () => {
    expect(shares([90, 10])).toEqual([90, 10]);
    expect(shares([1, 1, 1])).toEqual([33.3, 33.3, 33.3]);
    expect(shares([0, 0])).toEqual([0, 0]);
  });
});
