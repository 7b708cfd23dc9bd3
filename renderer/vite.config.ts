/**
 * Vite build of the renderer (React + Tailwind). Run from the repository root:
 *   npm run build:ui   → renderer/dist/index.html + assets/ (relative URLs: works under Electron's file/app
 *                        protocol and under `trimllm serve` at `/`)
 *   npm run dev:ui     → dev server; /api (HTTP + WebSocket) is proxied to TRIMLLM_API (default
 *                        http://127.0.0.1:7860, `trimllm serve`'s port; the mock: TRIMLLM_API=http://127.0.0.1:8787)
 * There is no @vitejs/plugin-react: esbuild compiles JSX with the automatic runtime; no fast refresh.
 */
import { defineConfig } from 'vite';
import tailwindcss from '@tailwindcss/vite';

const root = decodeURIComponent(new URL('.', import.meta.url).pathname);
const apiTarget = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.TRIMLLM_API ?? 'http://127.0.0.1:7860';

export default defineConfig({
  root,
  base: './',
  plugins: [tailwindcss()],
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      onwarn(warning, warn) {
        // zod ships `@__PURE__` comments in positions Rollup ignores; harmless, and not ours to fix.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules/zod/')) return;
        warn(warning);
      },
    },
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false, ws: true },
    },
  },
});
