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
export async function loadHeavy(context: BrowserContext, server: HeavyServer, run: string): Promise<number> {
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
  /** The floor extension (bench/floor.ts): the worker's own registration, handlers that do nothing. */
  floorDir: string;
  /** The permissions' floor (bench/floor.ts): the same permissions, no listener at all. */
  permissionsDir: string;
}

/** One page load with an extension: load event, its worker thread's CPU time, hops recorded (if any). */
async function loadWithExtension(
  browserPath: string,
  server: HeavyServer,
  run: string,
  extensionPath?: string,
  listening = true,
): Promise<{ load: number; cpuNs: number; processNs: number; hops: number }> {
  const b = await launchWithExtension({ browserPath, extensionPath });
  try {
    if (!listening) return { load: await loadHeavy(b.context, server, run), cpuNs: 0, processNs: 0, hops: 0 };
    const thread = findWorkerThread();
    if (!thread) throw new Error('the extension service worker thread was not found in /proc');
    const recording = !extensionPath;
    const hops0 = recording ? await totalHops(b) : 0;
    const cpu0 = threadCpuNs(thread);
    const proc0 = processCpuNs(thread.pid);
    const load = await loadHeavy(b.context, server, run);
    // Let the batched write and the port updates that the page caused run before reading.
    await sleep(400);
    const cpuNs = threadCpuNs(thread) - cpu0;
    const processNs = processCpuNs(thread.pid) - proc0;
    const hops = recording ? (await totalHops(b)) - hops0 : 0;
    if (recording && hops < HEAVY_SUBRESOURCES) throw new Error(`only ${hops} hops were recorded for the heavy page`);
    return { load, cpuNs, processNs, hops };
  } finally {
    await b.close();
  }
}

/**
 * The heavy page without extensions (none), with the permissions alone, with the floor and with
 * Hopscope, in rotating order (none permissions floor hopscope, permissions floor hopscope none,
 * …) so that no configuration always runs first.
 */
export async function pageLoad(browserPath: string, server: HeavyServer, opts: PageLoadOptions): Promise<Result[]> {
  const none: number[] = [];
  const floor: number[] = [];
  const hopscope: number[] = [];
  const overFloor: number[] = [];
  const overNone: number[] = [];
  const floorOverNone: number[] = [];
  const permissionsOverNone: number[] = [];
  const cpuPerHop: number[] = [];
  const floorCpuPerHop: number[] = [];
  const cpuOverFloor: number[] = [];
  const processPerHop: number[] = [];
  for (let round = 0; round < opts.rounds; round++) {
    const results: Record<string, { load: number; cpuNs: number; processNs: number; hops: number }> = {};
    const order = ['none', 'permissions', 'floor', 'hopscope'];
    for (let i = 0; i < round % order.length; i++) order.push(order.shift() as string);
    for (const config of order) {
      if (config === 'none') {
        const a = await launchPlain(browserPath);
        try {
          results.none = { load: await loadHeavy(a.context, server, `a${round}`), cpuNs: 0, processNs: 0, hops: 0 };
        } finally {
          await a.close();
        }
      } else if (config === 'permissions') {
        results.permissions = await loadWithExtension(browserPath, server, `p${round}`, opts.permissionsDir, false);
      } else if (config === 'floor') {
        results.floor = await loadWithExtension(browserPath, server, `f${round}`, opts.floorDir);
      } else {
        results.hopscope = await loadWithExtension(browserPath, server, `b${round}`);
      }
    }
    const n = results.none as { load: number };
    const p = results.permissions as { load: number };
    const f = results.floor as { load: number; cpuNs: number };
    const h = results.hopscope as { load: number; cpuNs: number; processNs: number; hops: number };
    none.push(n.load);
    floor.push(f.load);
    hopscope.push(h.load);
    overFloor.push(h.load / f.load);
    overNone.push(h.load / n.load);
    floorOverNone.push(f.load / n.load);
    permissionsOverNone.push(p.load / n.load);
    // The same page makes the same events: the floor's CPU per hop is per the hops Hopscope recorded.
    cpuPerHop.push(h.cpuNs / 1000 / h.hops);
    floorCpuPerHop.push(f.cpuNs / 1000 / h.hops);
    cpuOverFloor.push(h.cpuNs / f.cpuNs);
    processPerHop.push(h.processNs / 1000 / h.hops);
    log(
      `page load round ${round + 1}/${opts.rounds} (${order.join(' ')}): none ${n.load.toFixed(0)} ms, permissions ${p.load.toFixed(0)} ms, floor ${f.load.toFixed(0)} ms, hopscope ${h.load.toFixed(0)} ms; worker ${cpuPerHop.at(-1)?.toFixed(0)} µs/hop, floor ${floorCpuPerHop.at(-1)?.toFixed(0)} µs/hop`,
    );
  }
  return [
    summarize('page load: Hopscope ÷ floor (load event)', overFloor, '×', 1.05),
    summarize('page load: Hopscope ÷ no extension', overNone, '×', 1.2),
    summarize('  page load: floor ÷ no extension', floorOverNone, '×', null),
    summarize('  page load: the permissions alone, no listener ÷ no extension', permissionsOverNone, '×', null),
    summarize('  load event, no extension', none, 'ms', null),
    summarize('  load event, floor', floor, 'ms', null),
    summarize('  load event, Hopscope', hopscope, 'ms', null),
    summarize('worker CPU per hop: Hopscope ÷ floor', cpuOverFloor, '×', 1.5),
    summarize('  worker CPU per recorded hop, Hopscope', cpuPerHop, 'µs', null),
    summarize('  worker CPU per hop, floor (receiving the events)', floorCpuPerHop, 'µs', null),
    summarize('  extension process CPU per hop, Hopscope (all threads)', processPerHop, 'µs', null),
  ];
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
