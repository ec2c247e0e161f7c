/**
 * The GPU heatmap's data (pure): rows of pod GPUs, columns of equal time buckets, each cell
 * the mean utilisation of the samples in its bucket; live samples appended as they arrive.
 */

export type Sample = readonly [number, number];

/** One pod GPU and its utilisation samples (unix seconds, %). */
export interface GpuRow {
  readonly key: string;
  readonly namespace: string;
  readonly pool: string;
  readonly pod: string;
  readonly node: string;
  readonly gpuType: string;
  readonly samples: readonly Sample[];
}

export interface HeatmapGrid {
  /** Start of each column (unix seconds). */
  readonly columns: readonly number[];
  readonly bucketSeconds: number;
  readonly rows: readonly (Omit<GpuRow, 'samples'> & { readonly cells: readonly (number | null)[] })[];
}

export function rowKey(namespace: string, pool: string, pod: string): string {
  return `${namespace}/${pool}/${pod}`;
}

/** Rows from the REST heatmap's cells. */
export function rowsFromCells(
  cells: readonly { namespace: string; pool: string; pod: string; node: string; gpu_type: string; points: readonly (readonly [number, number])[] }[],
): GpuRow[] {
  return cells.map((c) => ({
    key: rowKey(c.namespace, c.pool, c.pod),
    namespace: c.namespace,
    pool: c.pool,
    pod: c.pod,
    node: c.node,
    gpuType: c.gpu_type,
    samples: c.points.filter(([t, v]) => Number.isFinite(t) && Number.isFinite(v)),
  }));
}

/**
 * Rows after one gpu-metrics frame (one pool at `time`): a sample per pod that reports a GPU
 * utilisation, a new row for a pod not seen before; samples older than `keepSince` dropped.
 */
export function applyFrame(
  rows: readonly GpuRow[],
  frame: { namespace: string; pool: string; time: number; pods: readonly Record<string, unknown>[] },
  keepSince: number,
): GpuRow[] {
  const byKey = new Map(rows.map((r) => [r.key, r]));
  for (const pod of frame.pods) {
    const name = typeof pod['pod'] === 'string' ? pod['pod'] : '';
    const util = pod['gpu_util_pct'];
    if (!name || typeof util !== 'number' || !Number.isFinite(util)) continue;
    const key = rowKey(frame.namespace, frame.pool, name);
    const old = byKey.get(key);
    byKey.set(key, {
      key,
      namespace: frame.namespace,
      pool: frame.pool,
      pod: name,
      node: old?.node || (typeof pod['node'] === 'string' ? pod['node'] : ''),
      gpuType: old?.gpuType || (typeof pod['gpu_type'] === 'string' ? pod['gpu_type'] : ''),
      samples: [...(old?.samples ?? []), [frame.time, util] as const],
    });
  }
  return [...byKey.values()].map((r) => ({ ...r, samples: r.samples.filter(([t]) => t >= keepSince) }));
}

/**
 * `columns` equal buckets over [start, end); a cell is the mean of its row's samples in the
 * bucket, null when there are none (no data is not 0 %). Rows with no sample in the window
 * are kept (a pod that reports nothing is worth seeing); rows are sorted by pool, then pod.
 */
export function bucketize(rows: readonly GpuRow[], start: number, end: number, columns: number): HeatmapGrid {
  const n = Math.max(1, Math.floor(columns));
  const width = (end - start) / n;
  const starts = Array.from({ length: n }, (_, i) => start + i * width);
  const sorted = [...rows].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.pool.localeCompare(b.pool) || a.pod.localeCompare(b.pod));
  return {
    columns: starts,
    bucketSeconds: width,
    rows: sorted.map(({ samples, ...meta }) => {
      const sums = new Array<number>(n).fill(0);
      const counts = new Array<number>(n).fill(0);
      for (const [t, v] of samples) {
        if (t < start || t >= end || width <= 0) continue;
        const i = Math.min(n - 1, Math.floor((t - start) / width));
        sums[i] = (sums[i] ?? 0) + v;
        counts[i] = (counts[i] ?? 0) + 1;
      }
      return { ...meta, cells: sums.map((s, i) => ((counts[i] ?? 0) > 0 ? s / (counts[i] ?? 1) : null)) };
    }),
  };
}

/** Utilisation bands of the colour scale (upper bounds, %), the legend's order. */
export const BANDS = [
  { max: 20, label: '0–20 %', className: 'bg-sky-900' },
  { max: 40, label: '20–40 %', className: 'bg-teal-700' },
  { max: 60, label: '40–60 %', className: 'bg-lime-600' },
  { max: 80, label: '60–80 %', className: 'bg-amber-500' },
  { max: 95, label: '80–95 %', className: 'bg-orange-600' },
  { max: Infinity, label: '> 95 %', className: 'bg-red-600' },
] as const;

/** The band of a utilisation (index into BANDS); -1 for no data. */
export function band(value: number | null): number {
  if (value === null || !Number.isFinite(value)) return -1;
  return BANDS.findIndex((b) => value <= b.max);
}
