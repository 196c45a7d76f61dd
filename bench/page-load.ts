/**
 * Page-load overhead and service worker CPU per hop: the heavy page loaded in the same Chromium
 * without the extension (A) and with it (B), alternating A B A B, a fresh profile per run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { type ExtensionBrowser, launchWithExtension, mergeBrowserArgs } from '../src/cli/browser.ts';
import type { HeavyServer } from './heavy-server.ts';
import { type Result, summarize } from './report.ts';
import { findWorkerThread, processCpuNs, threadCpuNs } from './worker-cdp.ts';

export const HEAVY_SUBRESOURCES = 300;

export const log = (text: string) => process.stderr.write(`bench: ${text}\n`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PlainBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** The same Chromium and flags as launchWithExtension, without the extension. */
export async function launchPlain(browserPath: string): Promise<PlainBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'hopscope-bench-plain-'));
  const args = mergeBrowserArgs('', true, []).filter(
    (a) => !a.startsWith('--disable-extensions-except=') && !a.startsWith('--load-extension='),
  );
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: browserPath,
    headless: false, // --headless=new is in args, as for the extension run
    ignoreDefaultArgs: ['--disable-extensions'],
    args,
    viewport: { width: 1280, height: 800 },
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}

async function totalHops(b: ExtensionBrowser): Promise<number> {
  return (await b.chains()).reduce((n, c) => n + c.hops.length, 0);
}

/** The load event of the heavy page (ms from navigation start, its two redirects included). */
async function loadHeavy(context: BrowserContext, server: HeavyServer, run: string): Promise<number> {
  const page = await context.newPage();
  try {
    // A first navigation warms the connection and the renderer in both configurations.
    await page.goto(`${server.origin}/blank`, { waitUntil: 'load' });
    await page.goto(`${server.origin}/heavy/start?n=${HEAVY_SUBRESOURCES}&run=${run}`, {
      waitUntil: 'load',
      timeout: 120_000,
    });
    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return { load: nav.loadEventStart, redirects: nav.redirectCount };
    });
    if (timing.redirects !== 2) throw new Error(`the heavy page's main frame had ${timing.redirects} redirects, not 2`);
    return timing.load;
  } finally {
    await page.close();
  }
}

export interface PageLoadOptions {
  rounds: number;
}

export async function pageLoad(browserPath: string, server: HeavyServer, opts: PageLoadOptions): Promise<Result[]> {
  const plain: number[] = [];
  const withExt: number[] = [];
  const ratios: number[] = [];
  const cpuPerHop: number[] = [];
  const processPerHop: number[] = [];
  for (let round = 0; round < opts.rounds; round++) {
    const a = await launchPlain(browserPath);
    try {
      plain.push(await loadHeavy(a.context, server, `a${round}`));
    } finally {
      await a.close();
    }
    const b = await launchWithExtension({ browserPath });
    try {
      const thread = findWorkerThread();
      if (!thread) throw new Error('the extension service worker thread was not found in /proc');
      const hops0 = await totalHops(b);
      const cpu0 = threadCpuNs(thread);
      const proc0 = processCpuNs(thread.pid);
      withExt.push(await loadHeavy(b.context, server, `b${round}`));
      // Let the batched write and the port updates that the page caused run before reading.
      await sleep(400);
      const cpu = threadCpuNs(thread) - cpu0;
      const proc = processCpuNs(thread.pid) - proc0;
      const hops = (await totalHops(b)) - hops0;
      if (hops < HEAVY_SUBRESOURCES) {
        throw new Error(`only ${hops} hops were recorded for the heavy page`);
      }
      if (hops > 0) {
        cpuPerHop.push(cpu / 1000 / hops);
        processPerHop.push(proc / 1000 / hops);
      }
    } finally {
      await b.close();
    }
    ratios.push((withExt.at(-1) as number) / (plain.at(-1) as number));
    log(
      `page load round ${round + 1}/${opts.rounds}: ${plain.at(-1)?.toFixed(0)} ms → ${withExt.at(-1)?.toFixed(0)} ms, worker ${cpuPerHop.at(-1)?.toFixed(0)} µs/hop`,
    );
  }
  const results = [
    summarize('page-load overhead (load event, with ÷ without)', ratios, '×', 1.05),
    summarize('  load event without the extension', plain, 'ms', null),
    summarize('  load event with the extension', withExt, 'ms', null),
  ];
  if (cpuPerHop.length) {
    results.push(
      summarize('service worker CPU per recorded hop', cpuPerHop, 'µs', 100),
      summarize('  extension process CPU per hop (all threads)', processPerHop, 'µs', null),
    );
  }
  return results;
}

/** Waits until the worker has written everything (no new write for two polls in a row). */
export async function settle(b: ExtensionBrowser): Promise<void> {
  let last = -1;
  let same = 0;
  while (same < 2) {
    await sleep(250);
    const { writes } = await b.stats();
    same = writes === last ? same + 1 : 0;
    last = writes;
  }
}
