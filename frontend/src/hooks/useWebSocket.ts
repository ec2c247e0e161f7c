import { useEffect, useRef, useState } from 'react';
import { useAuthStore } from '../state/auth';

export type SocketStatus = 'connecting' | 'open' | 'closed';

/** One frame of the API's websocket wire format (docs/websockets.md). */
export interface SocketFrame {
  readonly type: 'message' | 'keepalive';
  readonly topic: string;
  readonly seq?: number;
  readonly data?: unknown;
}

export interface BackoffOptions {
  /** First retry delay (ms). */
  readonly initialMs?: number;
  /** Longest delay between retries (ms). */
  readonly maxMs?: number;
}

/** Delay before retry `attempt` (0-based): doubling from `initialMs`, capped, with ±20 % jitter. */
export function backoffDelay(attempt: number, { initialMs = 500, maxMs = 30_000 }: BackoffOptions = {}, random = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** attempt);
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * Browsers cannot set headers on a websocket: the token travels as the Kubernetes-style
 * subprotocol `base64url.bearer.authorization.k8s.io.<token>`, offered beside `ngf-console`,
 * which the server accepts (docs/websockets.md).
 */
export function bearerSubprotocols(token: string): string[] {
  const encoded = btoa(token).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return ['ngf-console', `base64url.bearer.authorization.k8s.io.${encoded}`];
}

/** Absolute ws:// or wss:// URL of an API path on this page's origin. */
export function socketUrl(path: string): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}${path}`;
}

/**
 * Subscribe to a websocket topic of the API (e.g. `/api/v1/ws/topology`). Reconnects with
 * exponential back-off after any close, and calls `onOpen` on every (re)connection so the
 * caller can re-read state over REST (messages sent while disconnected are lost).
 * `path === null` keeps no connection.
 */
export function useWebSocket(
  path: string | null,
  onMessage: (frame: SocketFrame) => void,
  options: BackoffOptions & { onOpen?: () => void } = {},
): SocketStatus {
  const [status, setStatus] = useState<SocketStatus>('connecting');
  const handlers = useRef({ onMessage, onOpen: options.onOpen });
  useEffect(() => {
    handlers.current = { onMessage, onOpen: options.onOpen };
  });
  const { initialMs, maxMs } = options;

  useEffect(() => {
    if (path === null) return undefined;
    let socket: WebSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let stopped = false;

    const connect = () => {
      setStatus('connecting');
      const token = useAuthStore.getState().token;
      socket = token === null ? new WebSocket(socketUrl(path)) : new WebSocket(socketUrl(path), bearerSubprotocols(token));
      socket.onopen = () => {
        attempt = 0;
        setStatus('open');
        handlers.current.onOpen?.();
      };
      socket.onmessage = (event: MessageEvent) => {
        try {
          const frame = JSON.parse(String(event.data)) as SocketFrame;
          if (frame.type === 'message') handlers.current.onMessage(frame);
        } catch {
          // A frame that is not JSON is not ours: ignore it.
        }
      };
      socket.onclose = () => {
        socket = null;
        if (stopped) return;
        setStatus('closed');
        const opts: BackoffOptions = {
          ...(initialMs !== undefined ? { initialMs } : {}),
          ...(maxMs !== undefined ? { maxMs } : {}),
        };
        timer = setTimeout(connect, backoffDelay(attempt++, opts));
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      socket?.close();
    };
  }, [path, initialMs, maxMs]);

  return status;
}
