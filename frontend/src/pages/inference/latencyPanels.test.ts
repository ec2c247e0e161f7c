import { describe, expect, it } from 'vitest';
import { phaseBars, sinceOf } from './latencyPanels';

describe('latency panels', () => {
  it('turns a range into the since of a window ending now', () => {
    expect(sinceOf('1h', Date.UTC(2026, 10, 23, 12, 0, 0))).toBe('2026-11-23T11:00:00.000Z');
  });

  it('stacks the phases by their share of the mean request, skipping unknown ones', () => {
    const bars = phaseBars([
      { phase: 'queue', label: 'Queue wait', avg_ms: 25 },
      { phase: 'prefill', label: 'Prefill', avg_ms: 75 },
      { phase: 'decode', label: 'Decode', avg_ms: 900 },
      { phase: 'response', label: 'Response', avg_ms: null },
    ]);
    expect(bars.map((b) => [b.phase, b.share])).toEqual([
      ['queue', 0.025],
      ['prefill', 0.075],
      ['decode', 0.9],
    ]);
  });
});
