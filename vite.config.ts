import { crx } from '@crxjs/vite-plugin';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { type BuildBrowser, manifestFor, OUT_DIR } from './src/build/manifest.ts';

// `vite build` builds for Chromium (dist/), `vite build --mode firefox` for Firefox (dist-firefox/):
// the same sources, the manifest's differences applied in src/build/manifest.ts.
export default defineConfig(({ mode }) => {
  const browser: BuildBrowser = mode === 'firefox' ? 'firefox' : 'chromium';
  return {
    plugins: [
      react(),
      crx({ manifest: manifestFor(browser) as never, browser: browser === 'firefox' ? 'firefox' : 'chrome' }),
    ],
    build: {
      outDir: OUT_DIR[browser],
      emptyOutDir: true,
      target: browser === 'firefox' ? 'firefox140' : 'chrome120',
      rollupOptions: {
        // Pages opened by URL (not referenced from the manifest) must be listed here.
        input: { panel: 'extension/panel.html' },
      },
    },
    server: { port: 5173, strictPort: true, hmr: { port: 5173 } },
  };
});
