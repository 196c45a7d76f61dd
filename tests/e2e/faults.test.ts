/**
 * Faults and load in real Chromium: the service worker stopped at random moments during a
 * burst of redirected fetches (seeded: the seed is in the test name), a thousand redirected
 * fetches at once, twenty tabs at once, storage.session full of other data, and requests that
 * end mid-chain (tab closed, navigation replaced, fetch aborted).
 *
 * npm test runs 3 seeds of the fault run; the full count: HOPSCOPE_FAULT_SEEDS=10 (seeds from
 * HOPSCOPE_FAULT_SEED, default 1). The load test runs its full 1,000 fetches
 * (HOPSCOPE_LOAD_FETCHES to change it).
 *
 * What Chromium itself loses: an event it dispatches to a worker that is being stopped is
 * dropped, never delivered again (its histogram Extensions.ServiceWorkerBackground.
 * FinishedExternalRequest_Result then counts one less than StartingExternalRequest_Result).
 * What Hopscope may lose: the worker writes in batches, every change at most FLUSH_INTERVAL_MS
 * after its event, so a worker killed outright loses at most what it received in the last
 * MAX_LOSS_MS (250 ms: the batch window and the write under way). The fault test holds it to
 * that: nothing recorded is ever wrong (order, links, duplicates, tab), and every incomplete
 * chain had a request reach the server in the MAX_LOSS_MS before a stop (plus DELIVERY_MS, the
 * most the browser takes here to hand the answer's event to the worker; a request made while
 * no worker ran counts from when one ran again, as its events waited for it), or is one of the
 * events Chromium dropped. Everything else, including events received while a restarted worker
 * is still loading its chains (journalled), must survive.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LOSS_MS } from '../../src/background/recording.ts';
import { analyze, type AnalyzedChain as Chain } from '../../src/core/analyze/index.ts';
import type { Chain as ChainFacts } from '../../src/core/model/chain.ts';
import type { WorkerApi } from '../../src/shared/worker-api.ts';
import { type E2E, startE2E } from '../support/extension-browser.ts';
import {
  openExtensionPage,
  openWatchingPanel,
  snapshotViaPort,
  tabIdOf,
  untilStats,
} from '../support/extension-page.ts';

const SEEDS = Number(process.env.HOPSCOPE_FAULT_SEEDS ?? 3);
const FIRST_SEED = Number(process.env.HOPSCOPE_FAULT_SEED ?? 1);
const CHAINS_PER_SEED = 100;
const LOAD_FETCHES = Number(process.env.HOPSCOPE_LOAD_FETCHES ?? 1000);
const LOAD_TABS = 20;
/**
 * From a request reaching the server to the worker receiving the event of its answer, at most,
 * on a busy 2-core machine: a request this long before a stop window may still have been received
 * in it.
 */
const DELIVERY_MS = 500; // 250 ms was exceeded once in a clean CI run: the browser's delivery, not the batch

const enc = encodeURIComponent;

/** mulberry32: a tiny seeded PRNG, so a failing run can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A request through 302 → 307 → 200, every URL unique to its tag. */
function threeHops(o: string, tag: string): string[] {
  return [
    `${o}/r/302?to=${enc(`/r/307?to=${enc(`/ok?tag=${tag}`)}`)}`,
    `${o}/r/307?to=${enc(`/ok?tag=${tag}`)}`,
    `${o}/ok?tag=${tag}`,
  ];
}
const STATUSES = [302, 307, 200];

interface Verdict {
  /** Something recorded is wrong: never acceptable. */
  broken: string[];
  /** Hops or the end are missing. */
  incomplete: string[];
}

/**
 * Judges the recorded chains against the expected three-hop requests: each tag's hops live in
 * one chain, in order, each URL once, with the right status, index, tab and redirect target.
 */
function judge(
  facts: ChainFacts[],
  expected: Map<string, string[]>,
  tabId: number | ((tag: string) => number),
  statuses: number[] = STATUSES,
): Verdict {
  const chains = facts.map(analyze);
  const verdict: Verdict = { broken: [], incomplete: [] };
  const holders = new Map<string, Chain[]>();
  for (const c of chains) {
    const urls = new Set([...c.hops.map((h) => h.url), ...(c.pending ? [c.pending.url] : [])]);
    for (const u of urls) holders.set(u, [...(holders.get(u) ?? []), c]);
  }
  for (const [tag, urls] of expected) {
    const mine = [...new Set(urls.flatMap((u) => holders.get(u) ?? []))];
    const show = () =>
      JSON.stringify(
        mine.map((c) => ({
          id: c.id,
          hops: c.hops.map((h) => `${h.url.replace(/^.*?\/\/[^/]+/, '')} ${h.startTime}-${h.endTime}`),
          outcome: c.outcome,
        })),
      );
    if (mine.length > 1) {
      verdict.broken.push(`${tag}: in ${mine.length} chains ${show()}`);
      continue;
    }
    const chain = mine[0];
    if (!chain) {
      verdict.incomplete.push(`${tag}: not recorded`);
      continue;
    }
    const positions = chain.hops.map((h) => urls.indexOf(h.url));
    const problems: string[] = [];
    const tab = typeof tabId === 'number' ? tabId : tabId(tag);
    if (chain.tabId !== tab) problems.push(`tab ${chain.tabId}, expected ${tab}`);
    chain.hops.forEach((h, i) => {
      const at = positions[i] as number;
      if (at < 0) problems.push(`foreign hop ${h.url}`);
      if (i > 0 && at <= (positions[i - 1] as number)) problems.push('hops out of order or repeated');
      if (h.index !== i) problems.push(`hop ${i} has index ${h.index}`);
      if (at >= 0 && h.statusCode !== statuses[at]) problems.push(`hop ${i} status ${h.statusCode}`);
      if (at >= 0 && h.redirectUrl !== (urls[at + 1] ?? '')) problems.push(`hop ${i} redirects to ${h.redirectUrl}`);
    });
    if (problems.length) {
      verdict.broken.push(`${tag}: ${problems.join('; ')} ${show()}`);
      continue;
    }
    if (positions.join() !== urls.map((_, i) => i).join() || chain.outcome.state !== 'completed') {
      verdict.incomplete.push(`${tag}: ${show()}`);
    }
  }
  return verdict;
}

/** Follows the extension worker's running state (Playwright keeps listing a stopped worker). */
async function workerStates(cdp: CDPSession, extensionId: string): Promise<Array<{ state: string; at: number }>> {
  const states: Array<{ state: string; at: number }> = [];
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    const at = Date.now();
    for (const v of versions) {
      if (v.scriptURL.startsWith(`chrome-extension://${extensionId}/`)) states.push({ state: v.runningStatus, at });
    }
  });
  await cdp.send('ServiceWorker.enable');
  return states;
}

/** Extension events Chromium dispatched, and how many of them the worker finished handling. */
async function dispatchCounts(e2e: E2E): Promise<() => Promise<{ started: number; finished: number }>> {
  const browser = e2e.browser.context.browser();
  if (!browser) throw new Error('no browser-level CDP session');
  const session = await browser.newBrowserCDPSession();
  const read = async () => {
    const { histograms } = await session.send('Browser.getHistograms', {
      query: 'Extensions.ServiceWorkerBackground.',
    });
    const count = (suffix: string) =>
      histograms.find((h) => h.name === `Extensions.ServiceWorkerBackground.${suffix}`)?.count ?? 0;
    return { started: count('StartingExternalRequest_Result'), finished: count('FinishedExternalRequest_Result') };
  };
  const before = await read();
  return async () => {
    const now = await read();
    return { started: now.started - before.started, finished: now.finished - before.finished };
  };
}

/**
 * Subresources are recorded while a panel watches (src/background/watch.ts): the panel is opened
 * and stays open through the stops. Chromium names each webRequest listener of a worker by the
 * order it was added in (`webRequest.onCompleted/s9`), and a stopped worker is woken for a
 * listener by that name: the listeners a running worker adds when a panel opens get new names,
 * which the next worker, adding its listeners at start, does not have, so the events of the
 * first stop after that, while no worker runs, are lost. Every later start adds them at start,
 * under the same names. So the worker is stopped once before the burst, as it is within 30 s of
 * a panel opening on a quiet page (README, "Durability").
 */
async function watchFromWorkerStart(e2e: E2E): Promise<void> {
  const page = await e2e.newPage();
  await openWatchingPanel(e2e.browser);
  const cdp = await e2e.browser.context.newCDPSession(page);
  const states = await workerStates(cdp, e2e.browser.extensionId);
  await cdp.send('ServiceWorker.stopAllWorkers');
  await expect.poll(() => states.some((s) => s.state === 'stopped')).toBe(true);
  // The panel connects again, which starts the worker: it adds its listeners at start.
  await untilStats(e2e.browser, (s) => s.watching > 0, 'the panel to connect again');
  await cdp.detach();
  await page.close();
}

describe('service worker stopped at random moments', () => {
  // A fresh browser per seed: Chromium 150 itself crashes after a few dozen worker stops in
  // one browser (SIGSEGV, seen after 5 to 7 seeds), which would fail the later seeds.
  let e2e: E2E | undefined;
  afterEach(async () => {
    await e2e?.close();
    e2e = undefined;
  });

  const seeds = Array.from({ length: SEEDS }, (_, i) => FIRST_SEED + i);
  it.each(seeds)(
    `seed %i: ${CHAINS_PER_SEED} chains of 3 hops, 4 worker stops; nothing wrong, nothing lost but the last ${MAX_LOSS_MS} ms before a stop and what Chromium dropped`,
    async (seed) => {
      e2e = await startE2E();
      await watchFromWorkerStart(e2e);
      const reader = await openExtensionPage(e2e.browser.context, e2e.browser.extensionId);
      const o = e2e.server.origin();
      const random = prng(seed);
      const page = await e2e.newPage();
      const home = `${o}/ok?seed=${seed}`;
      await page.goto(home);
      const tabId = await tabIdOf(reader, home);
      const expected = new Map<string, string[]>();
      const starts: Array<{ url: string; delay: number }> = [];
      for (let i = 0; i < CHAINS_PER_SEED; i++) {
        const urls = threeHops(o, `s${seed}-${i}`);
        expected.set(`s${seed}-${i}`, urls);
        starts.push({ url: urls[0] as string, delay: Math.floor(random() * 1500) });
      }
      const stops = Array.from({ length: 4 }, () => Math.floor(random() * 1800)).sort((a, b) => a - b);

      const counts = await dispatchCounts(e2e);
      const cdp = await e2e.browser.context.newCDPSession(page);
      const states = await workerStates(cdp, e2e.browser.extensionId);
      await page.evaluate((list) => {
        (window as unknown as { burst: Promise<unknown> }).burst = Promise.allSettled(
          list.map(({ url, delay }) =>
            new Promise((r) => setTimeout(r, delay)).then(() =>
              fetch(url, { cache: 'no-store' }).then((x) => x.text()),
            ),
          ),
        );
      }, starts);
      const began = Date.now();
      /** Each stop: from the moment it was asked for to the moment it was done. */
      const stopped: Array<{ from: number; to: number }> = [];
      for (const at of stops) {
        await sleep(at - (Date.now() - began));
        const from = Date.now();
        await cdp.send('ServiceWorker.stopAllWorkers');
        stopped.push({ from, to: Date.now() });
      }
      const fulfilled = await page.evaluate(() =>
        (window as unknown as { burst: Promise<Array<{ status: string }>> }).burst.then(
          (all) => all.filter((r) => r.status === 'fulfilled').length,
        ),
      );
      expect(fulfilled).toBe(CHAINS_PER_SEED);

      // Every event has been dispatched: wait until the store is complete or stops changing.
      const verdict = await settle(reader, (chains) => judge(chains, expected, tabId), tabId, 40);
      const { started, finished } = await counts();
      const dropped = Math.max(0, started - finished);
      // An incomplete chain is within the bound when one of its requests reached the server in
      // the last MAX_LOSS_MS before a stop (or up to DELIVERY_MS earlier, its answer's event then
      // still on its way to the worker). A request that reached the server while the worker was
      // not running has its events handed over only once a worker runs again (Chromium starts
      // one for them): it counts from then, as the worker can have received it no sooner.
      const path = (url: string) => url.slice(o.length);
      const deliverable = (at: number): number => {
        const before = states.filter((s) => s.at <= at).at(-1);
        if (!before || before.state === 'running') return at;
        return states.find((s) => s.at > at && s.state === 'running')?.at ?? at;
      };
      const inLossWindow = (tag: string, when: (at: number) => number) =>
        (expected.get(tag) ?? []).some((url) =>
          e2e?.server.received(path(url)).some(({ at }) => {
            const from = when(at);
            return stopped.some((s) => from >= s.from - MAX_LOSS_MS - DELIVERY_MS && at <= s.to);
          }),
        );
      const tags = verdict.incomplete.map((line) => line.slice(0, line.indexOf(':')));
      const beyond = tags.filter((tag) => !inLossWindow(tag, deliverable));
      const waited = tags.filter((tag) => !inLossWindow(tag, (at) => at)).length - beyond.length;
      console.log(
        `seed ${seed}: stops at ${stops.join(', ')} ms; Chromium dispatched ${started} events, dropped ${dropped}; ` +
          `${verdict.incomplete.length} of ${CHAINS_PER_SEED} chains incomplete, ${beyond.length} of them outside the last ${MAX_LOSS_MS} ms before a stop ` +
          `(${waited} within it only counted from when a worker ran again)`,
      );
      expect(
        states.map((s) => s.state),
        'the worker was stopped',
      ).toContain('stopped');
      expect(started, 'Chromium dispatched the events (histograms readable)').toBeGreaterThanOrEqual(
        CHAINS_PER_SEED * 3,
      );
      expect(verdict.broken, `seed ${seed}`).toEqual([]);
      // What a failure needs to be understood: when each request of a lost chain reached the
      // server, when the stops were, and the worker's running states, all in ms from the burst.
      const rel = (t: number) => t - began;
      const explain = (tag: string) =>
        `${tag} (${verdict.incomplete.find((l) => l.startsWith(`${tag}:`))}; server at ${(expected.get(tag) ?? [])
          .map((url) => (e2e?.server.received(path(url)) ?? []).map(({ at }) => rel(at)).join('/') || '-')
          .join(', ')})`;
      expect(
        beyond.length,
        `seed ${seed}: lost outside the ${MAX_LOSS_MS} ms window: ${beyond.map(explain).join('; ')}; stops ${stopped
          .map((s) => `${rel(s.from)}-${rel(s.to)}`)
          .join(', ')}; worker ${states.map((s) => `${s.state}@${rel(s.at)}`).join(' ')}`,
      ).toBeLessThanOrEqual(dropped);
      await cdp.detach();
      await page.close();
    },
  );
});

describe('service worker stopped the way browsers stop it', () => {
  it('after a burst and a quiet moment (Chromium waits 30 s; here 1 s, 4x the batch bound), a stop loses nothing', async () => {
    const e2e = await startE2E();
    try {
      await openWatchingPanel(e2e.browser);
      const reader = await openExtensionPage(e2e.browser.context, e2e.browser.extensionId);
      const o = e2e.server.origin();
      const page = await e2e.newPage();
      const home = `${o}/ok?graceful=1`;
      await page.goto(home);
      const tabId = await tabIdOf(reader, home);
      const expected = new Map<string, string[]>();
      for (let i = 0; i < 50; i++) expected.set(`g${i}`, threeHops(o, `g${i}`));
      await page.evaluate(
        (urls) => Promise.all(urls.map((url) => fetch(url, { cache: 'no-store' }).then((x) => x.text()))),
        [...expected.values()].map((urls) => urls[0] as string),
      );
      await sleep(1000);
      const cdp = await e2e.browser.context.newCDPSession(page);
      const states = await workerStates(cdp, e2e.browser.extensionId);
      await cdp.send('ServiceWorker.stopAllWorkers');
      await sleep(200);
      expect(
        states.map((s) => s.state),
        'the worker was stopped',
      ).toContain('stopped');
      // Read back by a worker started afresh: only what was stored.
      const verdict = await settle(reader, (chains) => judge(chains, expected, tabId), tabId, 10);
      expect(verdict.broken).toEqual([]);
      expect(verdict.incomplete).toEqual([]);
      await cdp.detach();
    } finally {
      await e2e.close();
    }
  });
});

/**
 * How long a verdict that is not clean must stay the same before it is final: a worker started
 * again after a stop may still be reading its chains back and replaying what it journalled (on a
 * loaded machine well over one 300 ms poll), and the events it was handed meanwhile come after.
 */
const STABLE_MS = 2_000;

/** Polls the snapshot of a tab (or all) until the verdict is clean or has stopped changing. */
async function settle(
  reader: Page,
  check: (chains: Chain[]) => Verdict,
  tabId: number | null,
  tries = 60,
): Promise<Verdict> {
  let verdict: Verdict = { broken: [], incomplete: [] };
  let last = '';
  let since = Date.now();
  for (let i = 0; i < tries; i++) {
    verdict = check((await snapshotViaPort(reader, { tabId })).chains);
    const now = JSON.stringify(verdict);
    if (!verdict.incomplete.length && !verdict.broken.length) break;
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= STABLE_MS) break;
    await sleep(300);
  }
  return verdict;
}

describe('load, and requests that end mid-chain', () => {
  let e2e: E2E;
  let reader: Page;
  let o: string;
  beforeAll(async () => {
    e2e = await startE2E();
    await openWatchingPanel(e2e.browser);
    reader = await openExtensionPage(e2e.browser.context, e2e.browser.extensionId);
    o = e2e.server.origin();
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it(`${LOAD_FETCHES} redirected fetches started at once from one page are all recorded in full`, async () => {
    const before = await e2e.browser.stats();
    const page = await e2e.newPage();
    const url = `${o}/burst?n=${LOAD_FETCHES}`;
    await page.goto(url);
    const tabId = await tabIdOf(reader, url);
    await page.waitForFunction(() => document.title === 'done', undefined, { timeout: 60_000 });
    expect(await page.locator('#status').textContent()).toBe(`${LOAD_FETCHES} of ${LOAD_FETCHES} done`);
    const expected = new Map<string, string[]>();
    for (let i = 0; i < LOAD_FETCHES; i++) {
      expected.set(`f${i}`, [`${o}/burst/r/${i}`, `${o}/burst/f/${i}`, `${o}/burst/done/${i}`]);
    }
    const verdict = await settle(reader, (chains) => judge(chains, expected, tabId, [302, 302, 200]), tabId);
    expect(verdict.broken).toEqual([]);
    expect(verdict.incomplete).toEqual([]);
    const after = await e2e.browser.stats();
    console.log(`${LOAD_FETCHES} fetches: ${after.writes - before.writes} storage writes, ${after.chains} chains kept`);
    expect(after.evicted).toBe(0);
    await page.close();
  });

  it(`${LOAD_TABS} tabs navigating through redirects at once: each chain complete, in its own tab`, async () => {
    // A small store, so that each look at it is quick.
    await e2e.browser.evaluate(async () => (globalThis as { hopscope?: WorkerApi }).hopscope?.clear());
    const pages = await Promise.all(Array.from({ length: LOAD_TABS }, () => e2e.newPage()));
    const homes = pages.map((_, i) => `${o}/ok?home=${i}`);
    await Promise.all(pages.map((p, i) => p.goto(homes[i] as string)));
    const tabs = new Map<string, number>();
    for (const [i, home] of homes.entries()) tabs.set(`t${i}`, await tabIdOf(reader, home));
    expect(new Set(tabs.values()).size).toBe(LOAD_TABS);

    const expected = new Map<string, string[]>();
    for (let i = 0; i < LOAD_TABS; i++) {
      const last = `/ok?tab=${i}`;
      const second = `/r/302?to=${enc(last)}`;
      expected.set(`t${i}`, [`${o}/r/301?to=${enc(second)}`, `${o}${second}`, `${o}${last}`]);
    }
    await Promise.all(pages.map((p, i) => p.goto((expected.get(`t${i}`) as string[])[0] as string)));
    const verdict = await settle(
      reader,
      (chains) =>
        judge(
          chains.filter((c) => c.type === 'main_frame'),
          expected,
          (tag) => tabs.get(tag) as number,
          [301, 302, 200],
        ),
      null,
    );
    expect(verdict.broken).toEqual([]);
    expect(verdict.incomplete).toEqual([]);
    await Promise.all(pages.map((p) => p.close()));
  });

  /** Starts a chain whose second hop the server holds, and finds it once it is recorded. */
  async function heldChain(tag: string, start: (url: string) => Promise<unknown>) {
    const held = e2e.server.hold('/r/307');
    const first = `${o}/r/302?to=${enc(`/r/307?to=${enc(`/ok?tag=${tag}`)}`)}`;
    void start(first).catch(() => undefined);
    await held.arrived;
    return { held, first };
  }

  async function outcomeOf(first: string): Promise<Chain['outcome']> {
    for (let i = 0; i < 100; i++) {
      const chain = (await snapshotViaPort(reader)).chains.find((c) => c.hops[0]?.url === first);
      if (chain && chain.outcome.state !== 'pending') return chain.outcome;
      await sleep(100);
    }
    throw new Error(`the chain from ${first} never ended`);
  }

  it('a tab closed, a navigation replaced and a fetch aborted mid-chain each end with an error; nothing dangles', async () => {
    // Tab closed while the second hop is under way.
    const closed = await e2e.newPage();
    const a = await heldChain('closed', (url) => closed.goto(url));
    await closed.close();
    a.held.release();

    // The tab navigates elsewhere while the second hop is under way.
    const replaced = await e2e.newPage();
    const b = await heldChain('replaced', (url) => replaced.goto(url));
    await replaced.goto(`${o}/ok?tag=replacement`);
    b.held.release();

    // The page aborts its fetch while the second hop is under way.
    const aborting = await e2e.newPage();
    await aborting.goto(`${o}/ok?tag=aborting`);
    const c = await heldChain('aborted', (url) =>
      aborting.evaluate((u) => {
        const w = window as unknown as { ctrl: AbortController; done: Promise<string> };
        w.ctrl = new AbortController();
        w.done = fetch(u, { signal: w.ctrl.signal }).then(
          () => 'loaded',
          (e: Error) => e.name,
        );
      }, url),
    );
    await aborting.evaluate(() => (window as unknown as { ctrl: AbortController }).ctrl.abort());
    expect(await aborting.evaluate(() => (window as unknown as { done: Promise<string> }).done)).toBe('AbortError');
    c.held.release();

    const outcomes = {
      closed: await outcomeOf(a.first),
      replaced: await outcomeOf(b.first),
      aborted: await outcomeOf(c.first),
    };
    expect(outcomes).toEqual({
      closed: { state: 'error', error: expect.stringMatching(/^net::ERR_ABORTED$|^tab closed$/) },
      replaced: { state: 'error', error: 'net::ERR_ABORTED' },
      aborted: { state: 'error', error: 'net::ERR_ABORTED' },
    });
    await expect.poll(async () => (await e2e.browser.stats()).pending, { timeout: 10_000 }).toBe(0);
    await replaced.close();
    await aborting.close();
  });
});

describe('storage.session filled by other data', () => {
  let e2e: E2E;
  let reader: Page;
  const warnings: string[] = [];
  beforeAll(async () => {
    e2e = await startE2E();
    await openWatchingPanel(e2e.browser);
    reader = await openExtensionPage(e2e.browser.context, e2e.browser.extensionId);
    e2e.browser.context.on('console', (m) => {
      if (m.text().startsWith('Hopscope:')) warnings.push(m.text());
    });
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it('recording goes on with eviction, without an error loop, and the panel says older chains were dropped', async () => {
    const o = e2e.server.origin();
    // Fill storage.session to the last byte with other data, then free a little room.
    const filled = await e2e.browser.evaluate(async () => {
      interface Area {
        set(items: object): Promise<void>;
        remove(keys: string[]): Promise<void>;
        getBytesInUse(keys: null): Promise<number>;
      }
      const area = (globalThis as unknown as { chrome: { storage: { session: Area } } }).chrome.storage.session;
      let n = 0;
      for (const size of [512 * 1024, 16 * 1024, 1024]) {
        for (;;) {
          try {
            await area.set({ [`other:${n}`]: 'x'.repeat(size) });
            n++;
          } catch {
            break;
          }
        }
      }
      await area.remove(['other:0']); // 512 K characters of room
      return { keys: n, bytes: await area.getBytesInUse(null) };
    });
    expect(filled.keys).toBeGreaterThan(5);

    const page = await e2e.newPage();
    const url = `${o}/burst?n=${Math.min(LOAD_FETCHES, 300)}`;
    await page.goto(url);
    const tabId = await tabIdOf(reader, url);
    await page.waitForFunction(() => document.title === 'done', undefined, { timeout: 60_000 });
    const writesAfterBurst = (await e2e.browser.stats()).writes;
    const warningsAfterBurst = warnings.length;

    // Recording goes on: a navigation after the burst is recorded in full.
    const after = `${o}/r/302?to=${enc('/ok?tag=after-quota')}`;
    await page.goto(after);
    await expect
      .poll(async () => {
        const chain = (await snapshotViaPort(reader, { tabId })).chains.find((c) => c.hops[0]?.url === after);
        return chain?.hops.map((h) => h.statusCode);
      })
      .toEqual([302, 200]);
    const s = await e2e.browser.stats();
    // What is kept is whole: no chain starts halfway because its start was evicted under way.
    const burst = (await snapshotViaPort(reader, { tabId })).chains.filter((c) => c.type !== 'main_frame');
    expect(burst.length).toBeGreaterThan(0);
    for (const c of burst) {
      expect(c.hops.map((h) => h.url.replace(/\/\d+$/, '').replace(o, ''))).toEqual([
        '/burst/r',
        '/burst/f',
        '/burst/done',
      ]);
    }
    expect(s.evicted, 'older chains were evicted').toBeGreaterThan(0);
    console.log(
      `storage full: ${s.chains} chains kept, ${s.evicted} evicted, ${warnings.length} warnings, ${s.writes} writes`,
    );
    // No error loop: idle, the worker neither writes nor complains any more.
    await sleep(1500);
    const idle = await e2e.browser.stats();
    await sleep(1500);
    expect((await e2e.browser.stats()).writes).toBe(idle.writes);
    expect(warnings.length - warningsAfterBurst, warnings.slice(-3).join('\n')).toBeLessThanOrEqual(4);
    expect(s.writes - writesAfterBurst).toBeLessThanOrEqual(20);

    const panel = await e2e.newPage();
    await panel.goto(`chrome-extension://${e2e.browser.extensionId}/extension/panel.html?tabId=${tabId}`);
    await expect
      .poll(() => panel.getByRole('status').textContent())
      .toMatch(/\d+ older chains were dropped to stay within the memory limit\./);
  });
});
