/**
 * GPU utilisation heatmap: a row per pod GPU, a column per time bucket, coloured by
 * utilisation. History from `/inference/metrics/gpu`, then live from the gpu-metrics socket.
 */
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useGpuHeatmap, type Range } from '../../api/inferenceQueries';
import { Card } from '../../components/ui';
import { clock } from './chartData';
import { PanelState } from './charts';
import { applyFrame, band, BANDS, bucketize, rowsFromCells, type GpuRow } from './heatmap';
import { socketLabel, useGpuFeed, type GpuFrame } from './liveFeeds';

const RANGE_SECONDS: Record<Range, number> = { '5m': 300, '15m': 900, '1h': 3600, '6h': 21600, '24h': 86400 };
const COLUMNS = 30;
/** A time label over every this many columns (the others would not fit). */
const LABEL_EVERY = 6;

export function GpuHeatmap({ namespace, pool, range, title = 'GPU utilisation heatmap' }: { namespace: string | null; pool: string | null; range: Range; title?: string }) {
  const history = useGpuHeatmap(namespace, pool, range);
  const windowSeconds = RANGE_SECONDS[range];
  // Frames since the history was read; rows = history + these, recomputed on each frame.
  const [frames, setFrames] = useState<GpuFrame[]>([]);
  const socket = useGpuFeed(namespace, pool, (frame) => {
    setFrames((known) => [...known.filter((f) => f.time >= frame.time - windowSeconds), frame]);
  });
  const historyEnd = history.data?.end ?? 0;
  const { rows, now } = useMemo(() => {
    let rows: GpuRow[] = history.data ? rowsFromCells(history.data.gpus) : [];
    let now = historyEnd;
    for (const frame of frames) {
      if (frame.time <= historyEnd) continue;
      rows = applyFrame(rows, frame, frame.time - windowSeconds);
      now = Math.max(now, frame.time);
    }
    return { rows, now };
  }, [history.data, historyEnd, frames, windowSeconds]);

  const grid = bucketize(rows, now - windowSeconds, now + 1e-6, COLUMNS);
  const state = PanelState({ error: history.error, pending: history.isPending && rows.length === 0, empty: rows.length === 0, what: 'GPU samples' });
  const withPool = pool === null;
  return (
    <Card title={title} actions={<span className="text-xs text-fg-muted">websocket: {socketLabel(socket)}</span>}>
      {state ?? (
        <div className="space-y-3">
          <div className="overflow-x-auto">
            <table className="w-full border-separate border-spacing-0.5 text-xs" aria-label="GPU utilisation per pod over time">
              <thead>
                <tr>
                  <th scope="col" className="w-px pr-2 text-left font-medium text-fg-muted">
                    Pod
                  </th>
                  {grid.columns
                    .filter((_, i) => i % LABEL_EVERY === 0)
                    .map((t, i) => (
                      <th key={t} scope="colgroup" colSpan={Math.min(LABEL_EVERY, grid.columns.length - i * LABEL_EVERY)} className="text-left font-normal text-fg-muted">
                        {clock(t)}
                      </th>
                    ))}
                </tr>
              </thead>
              <tbody>
                {grid.rows.map((row) => (
                  <tr key={row.key} data-gpu-row={row.key}>
                    <th scope="row" className="w-px pr-3 text-left font-normal whitespace-nowrap">
                      <span className="block font-mono">{row.pod}</span>
                      <span className="block text-[11px] text-fg-muted">
                        {withPool ? (
                          <Link className="underline decoration-line underline-offset-2" to={`/inference/pools/${row.namespace}/${row.pool}`}>
                            {row.namespace}/{row.pool}
                          </Link>
                        ) : null}
                        {withPool ? ' · ' : ''}
                        {row.gpuType || 'GPU ?'} · {row.node || 'node ?'}
                      </span>
                    </th>
                    {row.cells.map((value, i) => {
                      const b = band(value);
                      const at = grid.columns[i] ?? 0;
                      const text = value === null ? 'no data' : `${Math.round(value)} %`;
                      return (
                        <td
                          key={at}
                          data-heat-cell={value === null ? 'empty' : 'value'}
                          title={`${row.pod} ${clock(at, true)}: ${text}`}
                          className={`h-5 min-w-3 rounded-sm ${b < 0 ? 'bg-panel-raised' : BANDS[b]?.className}`}
                        >
                          <span className="sr-only">{text}</span>
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <ul className="flex flex-wrap items-center gap-3 text-xs text-fg-muted" aria-label="Colour scale">
            {BANDS.map((b) => (
              <li key={b.label} className="flex items-center gap-1">
                <span aria-hidden="true" className={`inline-block size-3 rounded-sm ${b.className}`} />
                {b.label}
              </li>
            ))}
            <li className="flex items-center gap-1">
              <span aria-hidden="true" className="inline-block size-3 rounded-sm bg-panel-raised" />
              no data
            </li>
            <li>· {Math.round(grid.bucketSeconds)} s per cell</li>
          </ul>
        </div>
      )}
    </Card>
  );
}
