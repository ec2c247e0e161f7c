import { fileURLToPath } from 'node:url';
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The Python API server serves dist/ at `/` (SPA fallback to index.html) and the
// REST API under `/api`. In dev, Vite proxies `/api` to a locally running server.
const apiTarget = process.env['NGF_CONSOLE_API_URL'] ?? 'http://127.0.0.1:8080';
const apiProxy = { '/api': { target: apiTarget, ws: true } };

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react(), tailwindcss()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: { proxy: apiProxy },
  preview: { proxy: apiProxy },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    unstubGlobals: true,
    restoreMocks: true,
  },
});
