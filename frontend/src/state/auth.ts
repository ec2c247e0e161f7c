import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';

/**
 * The bearer token the API is called with (kubernetes and oidc auth modes). Kept in
 * sessionStorage: it lives as long as the tab, never in localStorage where every later
 * session on the machine would find it.
 */
export interface AuthState {
  readonly token: string | null;
  /** The API answered 401 (no token, or one expired or revoked): sign in (again). */
  readonly rejected: boolean;
  signIn(token: string): void;
  signOut(): void;
  markRejected(): void;
}

export const useAuthStore = create<AuthState>()(
  persist(
    (set) => ({
      token: null,
      rejected: false,
      signIn: (token) => set({ token, rejected: false }),
      signOut: () => set({ token: null, rejected: false }),
      markRejected: () => set({ rejected: true }),
    }),
    {
      name: 'ngf-console-auth',
      storage: createJSONStorage(() => sessionStorage),
      partialize: (s) => ({ token: s.token }),
    },
  ),
);
