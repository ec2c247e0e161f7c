import { describe, expect, it } from 'vitest';
import { backoffDelay, bearerSubprotocols } from './useWebSocket';

describe('backoffDelay', () => {
  it('doubles from the first delay up to the cap', () => {
    const mid = () => 0.5; // no jitter
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, { initialMs: 500, maxMs: 30_000 }, mid))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffDelay(20, { initialMs: 500, maxMs: 30_000 }, mid)).toBe(30_000);
  });
  it('jitters within ±20 %', () => {
    expect(backoffDelay(1, {}, () => 0)).toBe(800);
    expect(backoffDelay(1, {}, () => 1)).toBe(1200);
  });
});

describe('bearerSubprotocols', () => {
  it('carries the token base64url-encoded beside the console subprotocol', () => {
    expect(bearerSubprotocols('?>>???')).toEqual(['ngf-console', 'base64url.bearer.authorization.k8s.io.Pz4-Pz8_']);
    expect(bearerSubprotocols('ab')[1]).toBe('base64url.bearer.authorization.k8s.io.YWI'); // no padding
  });
});
