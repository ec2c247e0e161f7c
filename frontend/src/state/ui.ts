import { create } from 'zustand';
import { persist } from 'zustand/middleware';

export type Theme = 'dark' | 'light';

/** UI state that is not server data: theme, the selected cluster and namespace. */
export interface UiState {
  readonly theme: Theme;
  /** Selected cluster; `null` is the server's default cluster. */
  readonly cluster: string | null;
  /** Namespace filter of the list pages; `null` is all namespaces. */
  readonly namespace: string | null;
  setTheme(theme: Theme): void;
  toggleTheme(): void;
  setCluster(cluster: string | null): void;
  setNamespace(namespace: string | null): void;
}

export const useUiStore = create<UiState>()(
  persist(
    (set) => ({
      theme: 'dark',
      cluster: null,
      namespace: null,
      setTheme: (theme) => set({ theme }),
      toggleTheme: () => set((s) => ({ theme: s.theme === 'dark' ? 'light' : 'dark' })),
      // A namespace of one cluster means nothing in another.
      setCluster: (cluster) => set({ cluster, namespace: null }),
      setNamespace: (namespace) => set({ namespace }),
    }),
    { name: 'ngf-console-ui' },
  ),
);
