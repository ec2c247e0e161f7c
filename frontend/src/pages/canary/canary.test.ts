import { describe, expect, it } from 'vitest';
import { allowedActions, backendLabel, isActive, parseSteps, progressText } from './canary';

describe('parseSteps', () => {
  it('reads commas, blanks and % signs', () => {
    expect(parseSteps('5, 25,50 100%')).toEqual([5, 25, 50, 100]);
    expect(parseSteps('100')).toEqual([100]);
  });

  it('refuses empty, out of range, fractional and non-increasing steps', () => {
    expect(() => parseSteps(' ')).toThrow(/At least one step/);
    expect(() => parseSteps('0, 50')).toThrow(/"0" is not a whole percentage/);
    expect(() => parseSteps('10, 101')).toThrow(/"101"/);
    expect(() => parseSteps('2.5')).toThrow(/"2.5"/);
    expect(() => parseSteps('50, 25')).toThrow(/strictly increase/);
    expect(() => parseSteps('25, 25')).toThrow(/strictly increase/);
  });
});

describe('rollout state', () => {
  it('offers the actions the API allows', () => {
    expect(allowedActions('running')).toEqual(['pause', 'promote', 'abort']);
    expect(allowedActions('paused')).toEqual(['resume', 'promote', 'abort']);
    expect(allowedActions('completed')).toEqual([]);
    expect(allowedActions('rolled_back')).toEqual([]);
    expect(isActive('pending')).toBe(true);
    expect(isActive('aborted')).toBe(false);
  });

  it('describes progress and backends', () => {
    expect(progressText({ current_step: 2, steps: [5, 25, 50, 100], canary_weight: 25 })).toBe('step 2 of 4 (25% canary)');
    expect(backendLabel({ name: 'shop', port: 80 }, 'a')).toBe('shop:80');
    expect(backendLabel({ name: 'shop', namespace: 'b' }, 'a')).toBe('b/shop');
    expect(backendLabel({ name: 'shop', namespace: 'a' }, 'a')).toBe('shop');
  });
});
