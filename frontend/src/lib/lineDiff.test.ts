import { describe, expect, it } from 'vitest';
import { sideBySide } from './lineDiff';

describe('sideBySide', () => {
  it('pairs an edited line across one row and keeps the rest aligned', () => {
    const rows = sideBySide('a: 1\nb: 2\nc: 3', 'a: 1\nb: 5\nc: 3\nd: 4');
    expect(rows).toEqual([
      { left: 'a: 1', right: 'a: 1', change: 'same' },
      { left: 'b: 2', right: 'b: 5', change: 'changed' },
      { left: 'c: 3', right: 'c: 3', change: 'same' },
      { left: null, right: 'd: 4', change: 'added' },
    ]);
  });
  it('shows a create as all added and a delete as all removed', () => {
    expect(sideBySide('', 'x\ny').map((r) => r.change)).toEqual(['added', 'added']);
    expect(sideBySide('x', '').map((r) => r.change)).toEqual(['removed']);
  });
});
