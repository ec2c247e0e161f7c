import { describe, expect, it } from 'vitest';
import type { Permissions } from '../api/types';
import { writeRefusal } from './permission';

const perms = (write: boolean, namespace: string | null): Permissions => ({
  namespace,
  items: [{ kind: 'HTTPRoute', group: 'gateway.networking.k8s.io', plural: 'httproutes', read: true, write }],
});

describe('writeRefusal', () => {
  it('says nothing while the permissions are unknown, or when the kind is writable', () => {
    expect(writeRefusal(undefined, 'HTTPRoute', 'a')).toBeNull();
    expect(writeRefusal(perms(true, 'a'), 'HTTPRoute', 'a')).toBeNull();
    expect(writeRefusal(perms(false, 'a'), 'GatewayBundle', 'a')).toBeNull();
  });

  it('names the namespace, or asks for one when the refusal is cluster-wide', () => {
    expect(writeRefusal(perms(false, 'a'), 'HTTPRoute', 'a')).toBe('Your role cannot change HTTPRoute objects in namespace a.');
    expect(writeRefusal(perms(false, null), 'HTTPRoute', null)).toMatch(/Pick a namespace/);
  });
});
