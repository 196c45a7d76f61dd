/**
 * The `hopscope` command, compiled: src/cli/main.ts and everything it imports (every command
 * under src/cli, and the core) into dist-cli/, run by plain Node with no TypeScript at run time.
 * Packages stay outside the bundle (an SSR build leaves node_modules to Node) but for the small
 * ones of many modules named in `ssr.noExternal`: playwright-core is loaded only by the commands
 * that start a browser.
 */
import { cpSync } from 'node:fs';
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  // Small packages of many modules go into the bundle: Node resolves and loads each module of a
  // package on its own (zod alone: ~65 ms at every start of the command).
  ssr: { noExternal: ['zod', 'commander', 'stream-json', 'stream-chain'] },
  build: {
    ssr: 'src/cli/main.ts',
    outDir: 'dist-cli',
    emptyOutDir: true,
    target: 'node20',
    sourcemap: true,
    rollupOptions: { output: { entryFileNames: 'main.js', chunkFileNames: '[name]-[hash].js' } },
  },
  plugins: [
    {
      // The scenario server (`hopscope demo`) reads its loopback certificate next to its code.
      name: 'hopscope-cli-files',
      writeBundle() {
        cpSync('src/scenarios/tls', 'dist-cli/tls', { recursive: true });
      },
    },
  ],
});
