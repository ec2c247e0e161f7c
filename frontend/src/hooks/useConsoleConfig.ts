import { useEffect, useState } from 'react';
import { getConfig, type ConsoleConfig } from '../api/client';

export type ConsoleConfigState =
  | { readonly status: 'loading' }
  | { readonly status: 'ok'; readonly config: ConsoleConfig }
  | { readonly status: 'error'; readonly message: string };

/** Loads `GET /api/v1/config` once on mount. */
export function useConsoleConfig(): ConsoleConfigState {
  const [state, setState] = useState<ConsoleConfigState>({ status: 'loading' });

  useEffect(() => {
    const controller = new AbortController();
    getConfig(controller.signal).then(
      (config) => setState({ status: 'ok', config }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState({ status: 'error', message: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => controller.abort();
  }, []);

  return state;
}
