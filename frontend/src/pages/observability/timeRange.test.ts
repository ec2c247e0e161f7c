import { describe, expect, it } from 'vitest';
import { MAX_POINTS, RANGES, isRange, rangeSeconds, stepParam, stepSeconds, tickLabel, windowFor } from './timeRange';

describe('time ranges', () => {
  it('reads durations and refuses anything else', () => {
    expect(rangeSeconds('5m')).toBe(300);
    expect(rangeSeconds('24h')).toBe(86400);
    expect(rangeSeconds('7d')).toBe(604800);
    expect(() => rangeSeconds('1 hour')).toThrow(/not a duration/);
    expect(isRange('6h')).toBe(true);
    expect(isRange('2h')).toBe(false);
    expect(isRange(null)).toBe(false);
  });

  it('picks the smallest nice step that keeps a chart within MAX_POINTS', () => {
    expect(stepSeconds('5m')).toBe(15);
    expect(stepSeconds('15m')).toBe(15);
    expect(stepSeconds('1h')).toBe(30);
    expect(stepSeconds('6h')).toBe(300);
    expect(stepSeconds('24h')).toBe(900);
    for (const r of RANGES) expect(rangeSeconds(r) / stepSeconds(r)).toBeLessThanOrEqual(MAX_POINTS);
  });

  it('writes steps as the API reads them', () => {
    expect(stepParam('5m')).toBe('15s');
    expect(stepParam('6h')).toBe('5m');
    expect(stepParam('7d')).toBe('2h');
  });

  it('pins a window ending now', () => {
    const now = Date.parse('2026-01-02T03:04:05.000Z');
    expect(windowFor('1h', now)).toEqual({ since: '2026-01-02T02:04:05.000Z', until: '2026-01-02T03:04:05.000Z' });
  });

  it('labels ticks with seconds on short ranges and the day only beyond a day', () => {
    const t = Date.parse('2026-03-04T05:06:07') / 1000;
    expect(tickLabel(t, '15m')).toBe('05:06:07');
    expect(tickLabel(t, '1h')).toBe('05:06');
    expect(tickLabel(t, '7d')).toBe('3/4 05:06');
  });
});
