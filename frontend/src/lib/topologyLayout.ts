/**
 * Layered layout of the topology graph, computed once per set of nodes: O(nodes + edges),
 * so 2,000 nodes lay out in a few milliseconds (a force or Sugiyama layout would not).
 *
 * Columns follow the flow of traffic (class → gateway → listener → route → backend → pod);
 * policies and parent CRDs sit in the column of what they point at's upstream side. Within
 * a column nodes are ordered by the mean row of their upstream neighbours (one barycentre
 * sweep), which keeps most edges short and uncrossed.
 */

export interface LayoutNode {
  readonly id: string;
  readonly kind: string;
}
export interface LayoutEdge {
  readonly source: string;
  readonly target: string;
}
export interface Point {
  readonly x: number;
  readonly y: number;
}

const COLUMN_OF_KIND: Readonly<Record<string, number>> = {
  GatewayBundle: 0,
  InferenceStack: 0,
  CertificateBundle: 0,
  MigrationPlan: 0,
  DistributedCloudPublish: 0,
  GatewayClass: 1,
  NginxProxy: 1,
  Gateway: 2,
  Listener: 3,
  HTTPRoute: 4,
  GRPCRoute: 4,
  TLSRoute: 4,
  TCPRoute: 4,
  UDPRoute: 4,
  Service: 5,
  InferencePool: 5,
  Pod: 6,
};

/** Column of a node kind; policies and filters share the route column's left neighbour. */
export function columnOf(kind: string): number {
  const known = COLUMN_OF_KIND[kind];
  if (known !== undefined) return known;
  if (kind.endsWith('Policy') || kind.endsWith('Filter')) return 3.5;
  return 5;
}

export const COLUMN_WIDTH = 300;
export const ROW_HEIGHT = 64;

/** Positions of every node, keyed by id. Deterministic for a given input. */
export function layoutGraph(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): Map<string, Point> {
  const columns = new Map<number, LayoutNode[]>();
  for (const node of nodes) {
    const col = columnOf(node.kind);
    const list = columns.get(col);
    if (list) list.push(node);
    else columns.set(col, [node]);
  }
  const upstream = new Map<string, string[]>();
  for (const edge of edges) {
    const list = upstream.get(edge.target);
    if (list) list.push(edge.source);
    else upstream.set(edge.target, [edge.source]);
  }

  const row = new Map<string, number>();
  const positions = new Map<string, Point>();
  const order = [...columns.keys()].sort((a, b) => a - b);
  order.forEach((col, index) => {
    const members = columns.get(col) ?? [];
    const key = (node: LayoutNode): number => {
      const ups = (upstream.get(node.id) ?? []).map((id) => row.get(id)).filter((r): r is number => r !== undefined);
      return ups.length === 0 ? Number.POSITIVE_INFINITY : ups.reduce((a, b) => a + b, 0) / ups.length;
    };
    const keyed = members.map((node) => ({ node, key: key(node) }));
    keyed.sort((a, b) => a.key - b.key || a.node.id.localeCompare(b.node.id));
    keyed.forEach(({ node }, i) => {
      row.set(node.id, i);
      positions.set(node.id, { x: index * COLUMN_WIDTH, y: i * ROW_HEIGHT });
    });
  });
  return positions;
}
