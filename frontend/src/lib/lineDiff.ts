/** One row of a side-by-side diff: the left line, the right line, and what changed. */
export interface DiffRow {
  readonly left: string | null;
  readonly right: string | null;
  readonly change: 'same' | 'removed' | 'added' | 'changed';
}

/**
 * Side-by-side line diff (longest common subsequence). A removed line followed by an added
 * one is paired as "changed" so an edited value reads across one row. Quadratic in lines,
 * which is fine for Kubernetes objects (hundreds of lines).
 */
export function sideBySide(before: string, after: string): DiffRow[] {
  const a = before === '' ? [] : before.split('\n');
  const b = after === '' ? [] : after.split('\n');
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const raw: DiffRow[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      raw.push({ left: a[i]!, right: b[j]!, change: 'same' });
      i++;
      j++;
    } else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      // Removals first, so a removal and the addition replacing it pair up below.
      raw.push({ left: a[i]!, right: null, change: 'removed' });
      i++;
    } else {
      raw.push({ left: null, right: b[j]!, change: 'added' });
      j++;
    }
  }
  // Pair runs of removals with the additions that follow them.
  const rows: DiffRow[] = [];
  for (let k = 0; k < raw.length; ) {
    if (raw[k]!.change !== 'removed') {
      rows.push(raw[k]!);
      k++;
      continue;
    }
    const removed: string[] = [];
    while (k < raw.length && raw[k]!.change === 'removed') removed.push(raw[k++]!.left!);
    const added: string[] = [];
    while (k < raw.length && raw[k]!.change === 'added') added.push(raw[k++]!.right!);
    const pairs = Math.max(removed.length, added.length);
    for (let p = 0; p < pairs; p++) {
      const left = removed[p] ?? null;
      const right = added[p] ?? null;
      rows.push({ left, right, change: left !== null && right !== null ? 'changed' : left !== null ? 'removed' : 'added' });
    }
  }
  return rows;
}
