import { crx } from '@crxjs/vite-plugin';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import manifest from './manifest.json' with { type: 'json' };

export default defineConfig({
  plugins: [react(), crx({ manifest })],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'chrome120',
    rollupOptions: {
      // Pages opened by URL (not referenced from the manifest) must be listed here.
      input: { panel: 'extension/panel.html' },
    },
  },
  server: { port: 5173, strictPort: true, hmr: { port: 5173 } },
});
