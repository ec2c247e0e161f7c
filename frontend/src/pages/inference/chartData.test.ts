import { describe, expect, it } from 'vitest';
import { barOf, formatMiB, formatMoney, formatMs, hasPoints, histogramBars, mergeSeries, quantileLabel, withGaps } from './chartData';
import { replicaSteps } from './scalingTimeline';

describe('mergeSeries', () => {
  it('joins series on their timestamps', () => {
    expect(
      mergeSeries([
        { name: 'a', points: [[2, 1], [1, 5]] },
        { name: 'b', points: [[2, 3], [3, Number.NaN]] },
      ]),
    ).toEqual([{ t: 1, a: 5 }, { t: 2, a: 1, b: 3 }]);
    expect(hasPoints([{ name: 'a', points: [[1, Number.NaN]] }])).toBe(false);
  });
});

describe('withGaps', () => {
  it('puts an empty row in holes longer than three usual steps', () => {
    const rows = [0, 10, 20, 30, 100, 110].map((t) => ({ t, a: 1 }));
    expect(withGaps(rows)).toEqual([{ t: 0, a: 1 }, { t: 10, a: 1 }, { t: 20, a: 1 }, { t: 30, a: 1 }, { t: 65 }, { t: 100, a: 1 }, { t: 110, a: 1 }]);
    expect(withGaps(rows.slice(0, 4))).toHaveLength(4);
  });
});

describe('histogramBars', () => {
  it('labels buckets, keeps one empty bucket after the last count, and finds quantile bars', () => {
    const bars = histogramBars([['0.02', 55], ['0.04', 28], ['0.1', 0], ['0.25', 1], ['0.5', 0], ['1.0', 0], ['+Inf', 0]]);
    expect(bars.map((b) => b.label)).toEqual(['≤20 ms', '≤40 ms', '≤100 ms', '≤250 ms', '≤500 ms']);
    expect(barOf(bars, 0.03)).toBe('≤40 ms');
    expect(barOf(bars, 0.02)).toBe('≤20 ms');
    expect(barOf(bars, 9)).toBe('≤500 ms');
    expect(barOf(bars, null)).toBeUndefined();
  });

  it('names the +Inf bucket after the last bound', () => {
    expect(histogramBars([['2.5', 1], ['+Inf', 4]]).map((b) => b.label)).toEqual(['≤2.5 s', '>2.5 s']);
  });
});

describe('quantileLabel', () => {
  it('says "at least" when the quantile sits on the last bound and requests overflowed it', () => {
    const buckets = [['5.0', 3], ['10.0', 2], ['+Inf', 40]] as const;
    expect(quantileLabel(10, buckets)).toBe('≥ 10.00 s');
    expect(quantileLabel(4.2, buckets)).toBe('4.20 s');
    expect(quantileLabel(10, [['10.0', 2], ['+Inf', 0]])).toBe('10.00 s');
    expect(quantileLabel(null, buckets)).toBe('—');
  });
});

describe('formats', () => {
  it('formats durations, money and memory', () => {
    expect([formatMs(0.0186), formatMs(0.0042), formatMs(1.5), formatMs(null)]).toEqual(['19 ms', '4.2 ms', '1.50 s', '—']);
    expect(formatMoney(1234.5)).toBe('$1,234.50');
    expect([formatMiB(512), formatMiB(20383)]).toEqual(['512 MiB', '19.9 GiB']);
  });
});

describe('replicaSteps', () => {
  it('starts at the first event\'s size before it and holds the current count until now', () => {
    const events = [
      { time: 200, from_replicas: 2, to_replicas: 4 },
      { time: 100, from_replicas: 1, to_replicas: 2 },
      { time: 150, from_replicas: null, to_replicas: null },
    ];
    expect(replicaSteps(events, 50, 300, 4)).toEqual([[50, 1], [100, 2], [200, 4], [300, 4]]);
  });

  it('without events draws the current count across the window', () => {
    expect(replicaSteps([], 0, 60, 3)).toEqual([[0, 3], [60, 3]]);
    expect(replicaSteps([], 0, 60, null)).toEqual([]);
  });
});
