/**
 * The two store packages `npm run zip` writes (Chrome Web Store, addons.mozilla.org), from the
 * builds `npm test` has just made, and `web-ext lint` on the Firefox build: no errors.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/cli/browser.ts';

const run = promisify(execFile);
const WEB_EXT = join(REPO_ROOT, 'node_modules/.bin/web-ext');
const scripts = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;

/** Runs one of package.json's zip scripts with the artifacts going to `dir`. */
async function zipScript(name: 'zip:chromium' | 'zip:firefox', dir: string): Promise<string> {
  const args = (scripts[name] ?? '').split(' ').slice(1);
  const at = args.indexOf('--artifacts-dir');
  args[at + 1] = dir;
  const { stdout } = await run(WEB_EXT, args, { cwd: REPO_ROOT, timeout: 60_000 });
  return /ready: (.+\.zip)/.exec(stdout)?.[1] ?? '';
}

describe('store packages', () => {
  it('npm run zip builds, then packs dist/ and dist-firefox/ into one zip each', async () => {
    expect(scripts.zip).toBe('npm run build && npm run zip:chromium && npm run zip:firefox');
    const dir = await mkdtemp(join(tmpdir(), 'hopscope-zip-'));
    const version = JSON.parse(await readFile(join(REPO_ROOT, 'manifest.json'), 'utf8')).version;
    expect(await zipScript('zip:chromium', dir)).toBe(join(dir, `hopscope-chromium-${version}.zip`));
    expect(await zipScript('zip:firefox', dir)).toBe(join(dir, `hopscope-firefox-${version}.zip`));
    const manifests = await Promise.all(
      ['chromium', 'firefox'].map(async (b) => {
        const zip = await JSZip.loadAsync(await readFile(join(dir, `hopscope-${b}-${version}.zip`)));
        return (await zip.file('manifest.json')?.async('string')) ?? '';
      }),
    );
    expect(JSON.parse(manifests[0] ?? '{}').background).toEqual({
      service_worker: 'service-worker-loader.js',
      type: 'module',
    });
    expect(JSON.parse(manifests[1] ?? '{}').background).toEqual({
      scripts: ['service-worker-loader.js'],
      type: 'module',
    });
  });

  it('web-ext lint finds no errors in the Firefox build', async () => {
    const { stdout } = await run(
      WEB_EXT,
      ['lint', '--source-dir', 'dist-firefox', '--output', 'json', '--no-config-discovery'],
      {
        cwd: REPO_ROOT,
        timeout: 90_000,
      },
    ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const report = JSON.parse(stdout) as { errors: Array<{ code: string; message: string }> };
    expect(report.errors.map((e) => `${e.code}: ${e.message}`)).toEqual([]);
  });
});
