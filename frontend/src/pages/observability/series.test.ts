import { describe, expect, it } from 'vitest';
import { formatMs, formatRate, formatShare, percentileRows, redRows } from './series';

describe('RED rows', () => {
  it('joins the series on their timestamps and computes the error share', () => {
    const rows = redRows({
      requests: [
        [20, 10],
        [10, 4],
      ],
      errors_4xx: [[10, 1]],
      errors_5xx: [
        [10, 1],
        [20, 0],
      ],
      latency_ms: [[30, 12.5]],
      connections: [],
    });
    expect(rows).toEqual([
      { t: 10, requests: 4, errors_4xx: 1, errors_5xx: 1, error_pct: 50 },
      { t: 20, requests: 10, errors_5xx: 0, error_pct: 0 },
      { t: 30, latency_ms: 12.5 },
    ]);
  });

  it('skips points that are not numbers and leaves the share out when there were no requests', () => {
    const rows = redRows({ requests: [[1, 0], [2, Number.NaN]], errors_4xx: [], errors_5xx: [], latency_ms: [], connections: [] });
    expect(rows).toEqual([{ t: 1, requests: 0 }]);
  });

  it('reads percentile rows, numbers sent as strings included, and drops incomplete ones', () => {
    expect(
      percentileRows([
        ['60', 1, 2, 3],
        [120, '1.5', null, 4],
        [180, 2, 3, 4],
      ]),
    ).toEqual([
      { t: 60, p50: 1, p95: 2, p99: 3 },
      { t: 180, p50: 2, p95: 3, p99: 4 },
    ]);
  });

  it('formats rates, shares and milliseconds', () => {
    expect(formatRate(0)).toBe('0/s');
    expect(formatRate(1.234)).toBe('1.23/s');
    expect(formatRate(45.6)).toBe('46/s');
    expect(formatRate(2500)).toBe('2.5k/s');
    expect(formatRate(null)).toBe('—');
    expect(formatShare(0.0123)).toBe('1.23%');
    expect(formatShare(Number.NaN)).toBe('—');
    expect(formatMs(3.21)).toBe('3.2 ms');
    expect(formatMs(250.4)).toBe('250 ms');
  });
});
