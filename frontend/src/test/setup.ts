import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// A lazy page's first import is transformed on demand; on a busy 2-core CI machine that can
// take longer than Testing Library's default 1 s wait for `findBy*`.
configure({ asyncUtilTimeout: 5_000 });

// Vitest runs without globals, so Testing Library's auto-cleanup must be wired here.
afterEach(() => {
  cleanup();
});
