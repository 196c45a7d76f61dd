/**
 * Renders `hopscope trace` output of the scenario server as a terminal-style PNG for the
 * README: npx tsx tests/tools/readme-screenshot.ts
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { REPO_ROOT, resolveBrowserPath } from '../../src/cli/browser.ts';
import { browserArgsFor, startScenarioServer } from '../../src/scenarios/index.ts';

const server = await startScenarioServer({ port: 47801 });
const args = browserArgsFor(server).map((a) => `--browser-arg=${a}`);
// Asynchronous: the scenario server answers from this same process.
const run = async (urls: string[], extra: string[] = []) => {
  const bin = join(REPO_ROOT, 'src/cli/hopscope.mjs');
  try {
    return (await promisify(execFile)(process.execPath, [bin, 'trace', ...urls, ...extra, ...args])).stdout;
  } catch (error) {
    return (error as { stdout: string }).stdout;
  }
};
const o = server.origin();
const text = [
  `$ hopscope trace ${o}/chain/start`,
  (await run([`${o}/chain/start`])).trimEnd(),
  '',
  `$ hopscope trace ${o}/post/302 --method POST --data 'a=1'`,
  (await run([`${o}/post/302`], ['--method', 'POST', '--data', 'a=1'])).trimEnd(),
  '',
  `$ hopscope trace https://sts.test:47801/sts/set http://sts.test:47801/sts/page`,
  (await run([`${server.origin('sts.test', 'https')}/sts/set`, `${server.origin('sts.test', 'http')}/sts/page`]))
    .split('\n\n')
    .slice(1)
    .join('\n\n')
    .trimEnd(),
].join('\n');
await server.close();

const escapeHtml = (s: string) => s.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`);
const browser = await chromium.launch({
  executablePath: resolveBrowserPath(),
  args: ['--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage({ viewport: { width: 1100, height: 200 }, deviceScaleFactor: 1 });
await page.setContent(
  `<body style="margin:0;background:#1e1e1e"><pre style="margin:0;padding:16px;color:#e6e6e6;font:13px/1.35 'DejaVu Sans Mono',monospace">${escapeHtml(text)}</pre></body>`,
);
await page.screenshot({ path: join(REPO_ROOT, 'tests/screenshots/trace.png'), fullPage: true });
await browser.close();
