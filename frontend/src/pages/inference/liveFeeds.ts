/**
 * The inference websockets (docs/websockets.md) as hooks: EPP decisions (with the analytics
 * route as the fallback while the socket is quiet), GPU metrics and scaling events.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useEppDecisions } from '../../api/inferenceQueries';
import { useScope } from '../../api/queries';
import { useWebSocket, type SocketFrame, type SocketStatus } from '../../hooks/useWebSocket';
import { mergeDecisions, parseDecision, type EppDecision } from './eppModel';

const WS = '/api/v1/ws/inference';
/** The socket counts as live while a decision arrived within this long (ms); the EPP decides ~1/s. */
const QUIET_AFTER_MS = 3_000;
/** Fallback cadence of the analytics route while the socket is quiet (ms). */
export const FALLBACK_POLL_MS = 2_000;

/** Frames of another cluster than the selected one are not ours (the hub is per server). */
function ofCluster(data: unknown, cluster: string | null): boolean {
  if (cluster === null) return true;
  const own = (data as { cluster?: unknown } | null)?.cluster;
  return own === undefined || own === cluster;
}

function query(params: Record<string, string | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const text = q.toString();
  return text ? `?${text}` : '';
}

export interface LiveDecisions {
  /** Newest first, at most 200. */
  readonly decisions: readonly EppDecision[];
  readonly socket: SocketStatus;
  /** Where the newest decisions come from now. */
  readonly source: 'websocket' | 'polling';
  readonly error: Error | null;
  readonly pending: boolean;
  /** Unix ms, ticking every second (for "newest decision 3 s ago"). */
  readonly now: number;
}

/**
 * A pool's EPP decisions, live: the per-pool websocket, and the analytics route every 2 s
 * while the socket has delivered nothing for 3 s (closed, or no producer publishing), every
 * 30 s otherwise (a reconnect's gap). Both streams are merged by request id.
 */
export function useLiveDecisions(namespace: string, pool: string): LiveDecisions {
  const { cluster } = useScope();
  // Decisions are held per pool (and cluster): another pool on the same page starts afresh.
  const key = `${cluster ?? ''}/${namespace}/${pool}`;
  const [held, setHeld] = useState<{ key: string; decisions: EppDecision[] }>({ key, decisions: [] });
  const add = (incoming: readonly EppDecision[]) =>
    setHeld((h) => ({ key, decisions: mergeDecisions(h.key === key ? h.decisions : [], incoming) }));
  const lastFrame = useRef(0);
  const [quiet, setQuiet] = useState(true);

  const socket = useWebSocket(`${WS}/epp/${encodeURIComponent(namespace)}/${encodeURIComponent(pool)}`, (frame: SocketFrame) => {
    if (!ofCluster(frame.data, cluster)) return;
    const decision = parseDecision(frame.data);
    if (!decision) return;
    lastFrame.current = Date.now();
    setQuiet(false);
    add([decision]);
  });

  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => {
      const t = Date.now();
      setNow(t);
      setQuiet(t - lastFrame.current > QUIET_AFTER_MS);
    }, 1_000);
    return () => clearInterval(timer);
  }, []);

  const rest = useEppDecisions(namespace, pool, quiet ? FALLBACK_POLL_MS : 30_000);
  // Each answer of the route is merged once (state adjusted while rendering, not in an effect).
  const [mergedAnswer, setMergedAnswer] = useState<unknown>(undefined);
  if (rest.data && rest.data !== mergedAnswer) {
    setMergedAnswer(rest.data);
    add(rest.data.items.map(parseDecision).filter((d): d is EppDecision => d !== null && d.namespace === namespace && d.pool === pool));
  }

  const decisions = held.key === key ? held.decisions : [];
  return { decisions, socket, source: quiet ? 'polling' : 'websocket', error: rest.error, pending: rest.isPending, now };
}

/** One gpu-metrics frame: a pool's pods at `time` (unix seconds). */
export interface GpuFrame {
  readonly namespace: string;
  readonly pool: string;
  readonly time: number;
  readonly pods: readonly Record<string, unknown>[];
}

function gpuFrame(data: unknown): GpuFrame | null {
  if (!data || typeof data !== 'object') return null;
  const o = data as Record<string, unknown>;
  if (typeof o['namespace'] !== 'string' || typeof o['pool'] !== 'string' || typeof o['time'] !== 'number' || !Array.isArray(o['pods'])) return null;
  return { namespace: o['namespace'], pool: o['pool'], time: o['time'], pods: o['pods'] as Record<string, unknown>[] };
}

/** GPU metrics frames (every ~2 s per pool), filtered to a namespace and/or pool. */
export function useGpuFeed(namespace: string | null, pool: string | null, onFrame: (frame: GpuFrame) => void): SocketStatus {
  const { cluster } = useScope();
  const path = useMemo(() => `${WS}/gpu-metrics${query({ namespace, pool })}`, [namespace, pool]);
  return useWebSocket(path, (frame) => {
    if (!ofCluster(frame.data, cluster)) return;
    const parsed = gpuFrame(frame.data);
    if (parsed) onFrame(parsed);
  });
}

/** New scaling events (as they enter the watch cache), filtered to a namespace and/or pool. */
export function useScalingFeed(namespace: string | null, pool: string | null, onEvent: () => void): SocketStatus {
  const { cluster } = useScope();
  const path = useMemo(() => `${WS}/scaling-events${query({ namespace, pool })}`, [namespace, pool]);
  return useWebSocket(path, (frame) => {
    if (ofCluster(frame.data, cluster)) onEvent();
  });
}

/** "live", "connecting…", "reconnecting…" for a socket status. */
export function socketLabel(status: SocketStatus): string {
  return status === 'open' ? 'live' : status === 'connecting' ? 'connecting…' : 'reconnecting…';
}
