import { describe, expect, it } from 'vitest';
import { applyFrame, band, BANDS, bucketize, rowsFromCells, type GpuRow } from './heatmap';

const row = (pod: string, samples: [number, number][], pool = 'p'): GpuRow => ({ key: `ns/${pool}/${pod}`, namespace: 'ns', pool, pod, node: 'n', gpuType: 'H100', samples });

describe('bucketize', () => {
  it('averages the samples of each bucket and leaves empty buckets null', () => {
    const grid = bucketize([row('a', [[100, 10], [105, 30], [125, 90], [199, 50]])], 100, 200, 4);
    expect(grid.columns).toEqual([100, 125, 150, 175]);
    expect(grid.bucketSeconds).toBe(25);
    expect(grid.rows[0]?.cells).toEqual([20, 90, null, 50]);
  });

  it('ignores samples outside the window, keeps rows without any, sorts by pool then pod', () => {
    const grid = bucketize([row('b', [[99, 100], [200, 100]], 'z'), row('c', [], 'a'), row('a', [[150, 40]], 'z')], 100, 200, 2);
    expect(grid.rows.map((r) => r.pod)).toEqual(['c', 'a', 'b']);
    expect(grid.rows.map((r) => r.cells)).toEqual([[null, null], [null, 40], [null, null]]);
  });
});

describe('live frames', () => {
  it('appends a sample per pod, adds new pods, prunes old samples', () => {
    const rows = rowsFromCells([{ namespace: 'ns', pool: 'p', pod: 'a', node: 'n', gpu_type: 'H100', points: [[10, 5], [20, Number.NaN]] }]);
    expect(rows[0]?.samples).toEqual([[10, 5]]);
    const after = applyFrame(rows, { namespace: 'ns', pool: 'p', time: 30, pods: [{ pod: 'a', gpu_util_pct: 70 }, { pod: 'b', node: 'n9', gpu_type: 'A100', gpu_util_pct: 20 }, { pod: 'c', gpu_util_pct: null }] }, 15);
    expect(after.map((r) => [r.pod, r.samples])).toEqual([
      ['a', [[30, 70]]],
      ['b', [[30, 20]]],
    ]);
    expect(after[1]).toMatchObject({ node: 'n9', gpuType: 'A100', key: 'ns/p/b' });
  });
});

describe('band', () => {
  it('maps utilisation to the colour bands', () => {
    expect(band(null)).toBe(-1);
    expect(band(0)).toBe(0);
    expect(band(20)).toBe(0);
    expect(band(20.1)).toBe(1);
    expect(band(96)).toBe(BANDS.length - 1);
  });
});
