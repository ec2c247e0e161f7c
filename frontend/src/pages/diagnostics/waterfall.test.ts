import { describe, expect, it } from 'vitest';
import { segmentBars } from './waterfall';

describe('segmentBars', () => {
  it('places each segment on one axis and indents children', () => {
    const { bars, totalMs } = segmentBars([
      { name: 'request', start_ms: 0, duration_ms: 200, source: 'latency_ms', approximate_start: false },
      { name: 'upstream', start_ms: 50, duration_ms: 150, source: 'upstream_latency_ms', parent: 'request', approximate_start: true },
      { name: 'connect', start_ms: 50, duration_ms: 0, source: 'upstream_connect_ms', parent: 'upstream', approximate_start: false },
    ]);
    expect(totalMs).toBe(200);
    expect(bars.map((b) => [b.name, b.left, b.width, b.depth, b.approximate])).toEqual([
      ['request', 0, 100, 0, false],
      ['upstream', 25, 75, 1, true],
      ['connect', 25, 0.5, 2, false],
    ]);
  });

  it('copes with no segments and with an all-zero axis', () => {
    expect(segmentBars([])).toEqual({ bars: [], totalMs: 0 });
    expect(segmentBars([{ name: 'x', start_ms: 0, duration_ms: 0, source: 's', approximate_start: false }]).bars[0]?.width).toBe(0.5);
  });
});
