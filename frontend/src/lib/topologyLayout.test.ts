import { describe, expect, it } from 'vitest';
import { COLUMN_WIDTH, ROW_HEIGHT, layoutGraph } from './topologyLayout';

describe('layoutGraph', () => {
  it('puts kinds in traffic order, left to right', () => {
    const pos = layoutGraph(
      [
        { id: 'pod', kind: 'Pod' },
        { id: 'svc', kind: 'Service' },
        { id: 'route', kind: 'HTTPRoute' },
        { id: 'gw', kind: 'Gateway' },
      ],
      [],
    );
    const xs = ['gw', 'route', 'svc', 'pod'].map((id) => pos.get(id)?.x ?? -1);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(new Set(xs).size).toBe(4);
  });

  it('orders a column by its upstream neighbours, so edges do not cross', () => {
    const pos = layoutGraph(
      [
        { id: 'gw-a', kind: 'Gateway' },
        { id: 'gw-b', kind: 'Gateway' },
        { id: 'route-of-b', kind: 'HTTPRoute' },
        { id: 'route-of-a', kind: 'HTTPRoute' },
      ],
      [
        { source: 'gw-a', target: 'route-of-a' },
        { source: 'gw-b', target: 'route-of-b' },
      ],
    );
    expect(pos.get('route-of-a')).toEqual({ x: COLUMN_WIDTH, y: 0 });
    expect(pos.get('route-of-b')).toEqual({ x: COLUMN_WIDTH, y: ROW_HEIGHT });
  });

  it('lays out 2,000 nodes quickly', () => {
    const nodes = Array.from({ length: 2000 }, (_, i) => ({ id: `n${i}`, kind: ['Gateway', 'HTTPRoute', 'Service', 'Pod'][i % 4]! }));
    const edges = nodes.slice(1).map((n, i) => ({ source: `n${i}`, target: n.id }));
    const start = performance.now();
    const pos = layoutGraph(nodes, edges);
    expect(pos.size).toBe(2000);
    expect(performance.now() - start).toBeLessThan(200);
  });
});
