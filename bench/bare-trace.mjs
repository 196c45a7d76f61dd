// The baseline of `hopscope trace`, in plain JavaScript: Node starting playwright-core,
// launching the same Chromium with the same flags and the extension, one navigation, exit.
// Usage: node bench/bare-trace.mjs URL BROWSER_PATH ARGS_JSON (the bench passes the flags
// mergeBrowserArgs gives the CLI, so both start the same browser).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [url, executablePath, argsJson] = process.argv.slice(2);
const profile = await mkdtemp(join(tmpdir(), 'hopscope-bench-bare-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: false,
  ignoreDefaultArgs: ['--disable-extensions'],
  args: JSON.parse(argsJson),
  viewport: { width: 1280, height: 800 },
});
const page = await context.newPage();
const response = await page.goto(url, { waitUntil: 'load' });
process.stdout.write(`${response?.status()} ${page.url()}\n\n`);
await context.close();
await rm(profile, { recursive: true, force: true });
