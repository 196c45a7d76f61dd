/**
 * Builds the floor extension for the page-load figures: the worker's own listener registration
 * with handlers that do nothing (bench/floor/worker.ts), in an unpacked extension with the
 * manifest's permissions and nothing else (no content script, no pages). Built on every run from
 * the source, so it is always the registration being measured.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import manifest from '../manifest.json' with { type: 'json' };
import { REPO_ROOT } from '../src/cli/browser.ts';

/**
 * The permissions' floor: an extension with the manifest's permissions and a worker that
 * registers nothing. Chromium routes every request through its webRequest proxy as soon as an
 * extension holds the permission, listeners or not: this is what that alone costs a page.
 */
export async function buildPermissionFloor(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hopscope-bench-permissions-'));
  await writeFile(join(dir, 'worker.js'), '// The permissions alone: no listener.\n');
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(floorManifest('Hopscope permissions (bench)'), null, 2));
  return dir;
}

function floorManifest(name: string) {
  return {
    manifest_version: 3,
    name,
    version: manifest.version,
    minimum_chrome_version: manifest.minimum_chrome_version,
    background: { service_worker: 'worker.js', type: 'module' },
    permissions: manifest.permissions,
    host_permissions: manifest.host_permissions,
  };
}

/**
 * The floor: the worker's own registration with handlers that do nothing. `watched` adds the
 * subresource listeners, as the worker does while a panel watches (bench/floor/watched.ts).
 */
export async function buildFloor({ watched = false } = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `hopscope-bench-floor${watched ? '-watched' : ''}-`));
  await build({
    configFile: false,
    logLevel: 'warn',
    root: REPO_ROOT,
    publicDir: false,
    build: {
      outDir: dir,
      emptyOutDir: false,
      target: 'chrome120',
      minify: true,
      lib: {
        entry: join(REPO_ROOT, `bench/floor/${watched ? 'watched' : 'worker'}.ts`),
        formats: ['es'],
        fileName: () => 'worker.js',
      },
    },
  });
  await writeFile(
    join(dir, 'manifest.json'),
    JSON.stringify(floorManifest(`Hopscope floor${watched ? ', watched' : ''} (bench)`), null, 2),
  );
  return dir;
}
