import { defineConfig } from 'vite';
import { crx } from '@crxjs/vite-plugin';
import preact from '@preact/preset-vite';
import manifest from './manifest.json' with { type: 'json' };

/**
 * Builds the unpacked extension into `dist/`.
 * The probe and relay are `*.iife.ts` so crxjs emits them as standalone classic scripts:
 * the default async `import()` loader would run too late for `document_start` (docs/architecture.md §7).
 * Extension pages the manifest does not name (the diagnostics page, opened from the popup)
 * are extra rollup inputs, so crxjs emits them too.
 */
export default defineConfig({
  plugins: [preact(), crx({ manifest: manifest as never })],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'chrome111',
    rollupOptions: {
      input: { diagnostics: 'extension/diagnostics/index.html' },
    },
  },
  server: { strictPort: true, port: 5173, hmr: { port: 5173 } },
});
