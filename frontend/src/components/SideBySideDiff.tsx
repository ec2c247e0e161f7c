/** Two texts side by side, changed lines tinted (the audit log's diff, a GatewayBundle edit's review). */
import { sideBySide, type DiffRow } from '../lib/lineDiff';

const rowTone: Record<DiffRow['change'], [string, string]> = {
  same: ['', ''],
  removed: ['bg-status-error/15', ''],
  added: ['', 'bg-status-healthy/15'],
  changed: ['bg-status-error/15', 'bg-status-healthy/15'],
};

/** Before and after of one change, side by side. */
export function SideBySideDiff({ before, after, labels = ['Before', 'After'] }: { before: string; after: string; labels?: readonly [string, string] }) {
  const rows = sideBySide(before, after);
  return (
    <div className="max-h-[32rem] overflow-auto rounded-md border border-line font-mono text-xs" role="table" aria-label="Side-by-side diff">
      <div role="row" className="sticky top-0 grid grid-cols-2 border-b border-line bg-panel-raised text-fg-muted">
        <span role="columnheader" className="px-2 py-1">{labels[0]}</span>
        <span role="columnheader" className="px-2 py-1">{labels[1]}</span>
      </div>
      {rows.map((r, i) => (
        <div role="row" key={i} className="grid grid-cols-2" data-change={r.change}>
          <span role="cell" className={`border-r border-line px-2 whitespace-pre ${rowTone[r.change][0]}`}>{r.left ?? ''}</span>
          <span role="cell" className={`px-2 whitespace-pre ${rowTone[r.change][1]}`}>{r.right ?? ''}</span>
        </div>
      ))}
    </div>
  );
}
