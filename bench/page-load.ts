/**
 * Page-load overhead and service worker CPU per hop: the heavy page loaded in the same Chromium
 * without the extension (A) and with it (B), alternating A B A B, a fresh profile per run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { type ExtensionBrowser, launchWithExtension, mergeBrowserArgs } from '../src/cli/browser.ts';
import { openWatchingPanel, untilStats } from '../tests/support/extension-page.ts';
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
  /** The same with the subresource listeners the worker adds while a panel watches. */
  watchedFloorDir: string;
  /** The permissions' floor (bench/floor.ts): the same permissions, no listener at all. */
  permissionsDir: string;
}

interface Load {
  load: number;
  cpuNs: number;
  processNs: number;
  hops: number;
}

type Config = 'none' | 'permissions' | 'floor' | 'hopscope' | 'floor, watched' | 'hopscope, watched';

/**
 * One page load with an extension (Hopscope's own when no path is given): load event, its worker
 * thread's CPU time, hops recorded. `watched`: Hopscope with its panel open, which makes the
 * worker record subresources too; without it, the worker is first let settle into listening to
 * pages and frames only, as it does a moment after it starts with no panel.
 */
async function loadWithExtension(
  browserPath: string,
  server: HeavyServer,
  run: string,
  {
    extensionPath,
    listening = true,
    watched = false,
  }: { extensionPath?: string; listening?: boolean; watched?: boolean },
): Promise<Load> {
  const b = await launchWithExtension({ browserPath, extensionPath });
  try {
    if (!listening) return { load: await loadHeavy(b.context, server, run), cpuNs: 0, processNs: 0, hops: 0 };
    const thread = findWorkerThread();
    if (!thread) throw new Error('the extension service worker thread was not found in /proc');
    const recording = !extensionPath;
    if (recording && watched) await openWatchingPanel(b);
    else if (recording) await untilStats(b, (s) => !s.subresources, 'its subresource listeners off');
    const hops0 = recording ? await totalHops(b) : 0;
    const cpu0 = threadCpuNs(thread);
    const proc0 = processCpuNs(thread.pid);
    const load = await loadHeavy(b.context, server, run);
    // Let the batched write and the port updates that the page caused run before reading.
    await sleep(400);
    const cpuNs = threadCpuNs(thread) - cpu0;
    const processNs = processCpuNs(thread.pid) - proc0;
    const hops = recording ? (await totalHops(b)) - hops0 : 0;
    if (recording && watched && hops < HEAVY_SUBRESOURCES) {
      throw new Error(`only ${hops} hops were recorded for the heavy page with a panel watching`);
    }
    // Unwatched, only the main frames are recorded: the blank page, and the heavy one's 3 hops.
    if (recording && !watched && (hops < 3 || hops >= HEAVY_SUBRESOURCES)) {
      throw new Error(`${hops} hops were recorded for the heavy page with no panel watching, not its main frame's`);
    }
    return { load, cpuNs, processNs, hops };
  } finally {
    await b.close();
  }
}

async function loadConfig(
  browserPath: string,
  server: HeavyServer,
  config: Config,
  run: string,
  opts: PageLoadOptions,
) {
  switch (config) {
    case 'none': {
      const a = await launchPlain(browserPath);
      try {
        return { load: await loadHeavy(a.context, server, run), cpuNs: 0, processNs: 0, hops: 0 };
      } finally {
        await a.close();
      }
    }
    case 'permissions':
      return loadWithExtension(browserPath, server, run, { extensionPath: opts.permissionsDir, listening: false });
    case 'floor':
      return loadWithExtension(browserPath, server, run, { extensionPath: opts.floorDir });
    case 'floor, watched':
      return loadWithExtension(browserPath, server, run, { extensionPath: opts.watchedFloorDir });
    case 'hopscope':
      return loadWithExtension(browserPath, server, run, {});
    case 'hopscope, watched':
      return loadWithExtension(browserPath, server, run, { watched: true });
  }
}

/**
 * The heavy page without extensions (none), with the permissions alone, with the floor and with
 * Hopscope, then the watched floor and Hopscope with its panel open, in rotating order (each
 * round starts one configuration later) so that no configuration always runs first.
 *
 * The page-load targets are Hopscope as it runs while browsing (no panel open: pages and frames);
 * the worker CPU per hop target is Hopscope recording every subresource (a panel open) against
 * the floor that receives the same events, and what a watching panel costs the page is reported.
 */
export async function pageLoad(browserPath: string, server: HeavyServer, opts: PageLoadOptions): Promise<Result[]> {
  const configs: Config[] = ['none', 'permissions', 'floor', 'hopscope', 'floor, watched', 'hopscope, watched'];
  const loads = new Map<Config, Load[]>(configs.map((c) => [c, []]));
  for (let round = 0; round < opts.rounds; round++) {
    const order = [...configs];
    for (let i = 0; i < round % order.length; i++) order.push(order.shift() as Config);
    for (const config of order) {
      loads
        .get(config)
        ?.push(await loadConfig(browserPath, server, config, `${round}-${config.replace(/\W+/g, '')}`, opts));
    }
    const last = (c: Config) => loads.get(c)?.at(-1) as Load;
    const h = last('hopscope, watched');
    log(
      `page load round ${round + 1}/${opts.rounds} (${order.join(' · ')}): ${configs.map((c) => `${c} ${last(c).load.toFixed(0)} ms`).join(', ')}; watched worker ${(h.cpuNs / 1000 / h.hops).toFixed(0)} µs/hop, watched floor ${(last('floor, watched').cpuNs / 1000 / h.hops).toFixed(0)} µs/hop`,
    );
  }
  const of = (c: Config) => loads.get(c) as Load[];
  const ratio = (a: Config, b: Config) => of(a).map((x, i) => x.load / (of(b)[i] as Load).load);
  const watched = of('hopscope, watched');
  const watchedFloor = of('floor, watched');
  // The same page makes the same events: the floor's CPU per hop is per the hops Hopscope recorded.
  return [
    summarize('page load: Hopscope ÷ floor (load event)', ratio('hopscope', 'floor'), '×', 1.05),
    summarize('page load: Hopscope ÷ no extension', ratio('hopscope', 'none'), '×', 1.2),
    summarize('  page load: floor ÷ no extension', ratio('floor', 'none'), '×', null),
    summarize(
      '  page load: the permissions alone, no listener ÷ no extension',
      ratio('permissions', 'none'),
      '×',
      null,
    ),
    summarize(
      '  page load with a panel watching: Hopscope ÷ watched floor',
      ratio('hopscope, watched', 'floor, watched'),
      '×',
      null,
    ),
    summarize(
      '  page load with a panel watching: Hopscope ÷ no extension',
      ratio('hopscope, watched', 'none'),
      '×',
      null,
    ),
    summarize('  page load: watched floor ÷ no extension', ratio('floor, watched', 'none'), '×', null),
    summarize(
      '  load event, no extension',
      of('none').map((x) => x.load),
      'ms',
      null,
    ),
    summarize(
      '  load event, floor',
      of('floor').map((x) => x.load),
      'ms',
      null,
    ),
    summarize(
      '  load event, Hopscope',
      of('hopscope').map((x) => x.load),
      'ms',
      null,
    ),
    summarize(
      '  load event, Hopscope with a panel watching',
      watched.map((x) => x.load),
      'ms',
      null,
    ),
    summarize(
      'worker CPU per hop: Hopscope ÷ floor (panel watching)',
      watched.map((x, i) => x.cpuNs / (watchedFloor[i] as Load).cpuNs),
      '×',
      1.5,
    ),
    summarize(
      '  worker CPU per recorded hop, Hopscope',
      watched.map((x) => x.cpuNs / 1000 / x.hops),
      'µs',
      null,
    ),
    summarize(
      '  worker CPU per hop, floor (receiving the events)',
      watchedFloor.map((x, i) => x.cpuNs / 1000 / (watched[i] as Load).hops),
      'µs',
      null,
    ),
    summarize(
      '  extension process CPU per hop, Hopscope (all threads)',
      watched.map((x) => x.processNs / 1000 / x.hops),
      'µs',
      null,
    ),
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
