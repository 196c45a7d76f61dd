/**
 * Makes tests/screenshots/trace.png, the README's picture of `hopscope trace`: three traces
 * against the scenario server (a chain through every 3xx, a POST through a 302, an HSTS host),
 * their output as printed, drawn as a terminal in Chromium. Run after `npm run build`:
 *   npx tsx tests/screenshots/trace-screenshot.ts
 */
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { resolveBrowserPath } from '../../src/cli/browser.ts';
import { browserArgsFor, startScenarioServer } from '../../src/scenarios/index.ts';
import { runHopscope } from '../support/cli.ts';

const out = fileURLToPath(new URL('./trace.png', import.meta.url));
const server = await startScenarioServer();
const o = server.origin();
const hidden = browserArgsFor(server).map((a) => `--browser-arg=${a}`);
const shown: string[][] = [
  [`${o}/chain/start`],
  [`${o}/post/302`, '--method', 'POST', '--data', 'a=1'],
  [`${server.origin('sts.test', 'https')}/sts/set`, `${server.origin('sts.test', 'http')}/sts/page`],
];
let text = '';
try {
  for (const args of shown) {
    const { stdout } = await runHopscope(['trace', ...args, ...hidden]);
    // The first URL of the HSTS pair only teaches the browser the host: its chain is left out.
    const chains = stdout.split(/\n(?=GET |POST )/);
    const kept =
      args.length === 2 && !args[0]?.startsWith('--') && args[1]?.startsWith('http') ? chains.slice(1) : chains;
    const quoted = args.map((a) => (/[\s=']/.test(a) && !a.startsWith('http') ? `'${a}'` : a)).join(' ');
    text += `$ hopscope trace ${quoted}\n${kept.join('\n').trimEnd()}\n\n`;
  }
} finally {
  await server.close();
}
const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
// Drawn as a terminal 1100 px wide, which wraps the long lines.
const browser = await chromium.launch({ executablePath: resolveBrowserPath(), args: ['--headless=new'] });
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 100 } });
  await page.setContent(
    `<body style="margin:0;background:#1e1e1e"><pre style="margin:0;padding:12px 16px;color:#e6e6e6;font:13px/1.35 'DejaVu Sans Mono',monospace;white-space:pre-wrap;overflow-wrap:anywhere">${escapeHtml(text.trimEnd())}</pre></body>`,
  );
  await page.screenshot({ path: out, fullPage: true });
} finally {
  await browser.close();
}
process.stdout.write(`${text}wrote ${out}\n`);
