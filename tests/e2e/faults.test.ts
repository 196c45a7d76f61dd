/**
 * Faults and load in real Chromium: the service worker stopped at random moments during a
 * burst of redirected fetches (seeded, so a failing seed can be replayed), a thousand
 * redirected fetches at once, twenty tabs at once.
 *
 * npm test runs a smaller share; the full counts: HOPSCOPE_FAULT_SEEDS=10 (seeds),
 * HOPSCOPE_FAULT_SEED=N (first seed), HOPSCOPE_LOAD_FETCHES=1000.
 */
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Chain } from '../../src/core/types.ts';
import { type E2E, startE2E } from '../support/extension-browser.ts';

const SEEDS = Number(process.env.HOPSCOPE_FAULT_SEEDS ?? 3);
const FIRST_SEED = Number(process.env.HOPSCOPE_FAULT_SEED ?? 1);
const CHAINS_PER_SEED = 100;
const LOAD_FETCHES = Number(process.env.HOPSCOPE_LOAD_FETCHES ?? 300);
const LOAD_TABS = 20;

let e2e: E2E;
let o: string;
beforeAll(async () => {
  e2e = await startE2E();
  o = e2e.server.origin();
});
afterAll(async () => {
  await e2e?.close();
});

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

const enc = encodeURIComponent;

/** A fetch through 302 → 307 → 200, each URL unique to its tag. */
function threeHops(tag: string): string[] {
  const last = `${o}/ok?tag=${tag}`;
  const second = `${o}/r/307?to=${enc(`/ok?tag=${tag}`)}`;
  const first = `${o}/r/302?to=${enc(`/r/307?to=${enc(`/ok?tag=${tag}`)}`)}`;
  return [first, second, last];
}

/**
 * Every expected chain is there exactly once, complete, every hop once, in order and linked;
 * returns readable problems (empty when all is well).
 */
function problems(chains: Chain[], expected: Map<string, string[]>, tabId?: number): string[] {
  const out: string[] = [];
  const byFirst = new Map<string, Chain[]>();
  const seen = new Map<string, number>();
  for (const c of chains) {
    for (const h of c.hops) seen.set(h.url, (seen.get(h.url) ?? 0) + 1);
    const first = c.hops[0]?.url ?? c.pending?.url;
    if (first) byFirst.set(first, [...(byFirst.get(first) ?? []), c]);
  }
  for (const [tag, urls] of expected) {
    const found = byFirst.get(urls[0] as string) ?? [];
    if (found.length !== 1) {
      const partial = chains.filter((c) => c.hops.some((h) => urls.includes(h.url)));
      out.push(
        `${tag}: ${found.length} chains start at hop 1; chains holding its hops: ${JSON.stringify(
          partial.map((c) => ({ id: c.id, hops: c.hops.map((h) => h.url.replace(o, '')), outcome: c.outcome })),
        )}`,
      );
      continue;
    }
    const c = found[0] as Chain;
    const got = c.hops.map((h) => h.url);
    if (JSON.stringify(got) !== JSON.stringify(urls)) out.push(`${tag}: hops ${JSON.stringify(got)}`);
    if (c.outcome.state !== 'completed') out.push(`${tag}: outcome ${JSON.stringify(c.outcome)}`);
    if (tabId !== undefined && c.tabId !== tabId) out.push(`${tag}: tab ${c.tabId}, expected ${tabId}`);
    c.hops.forEach((h, i) => {
      if (h.index !== i) out.push(`${tag}: hop ${i} has index ${h.index}`);
      const next = c.hops[i + 1];
      if (h.redirectUrl !== (next?.url ?? '')) out.push(`${tag}: hop ${i} redirects to ${h.redirectUrl}`);
    });
    for (const u of urls) if (seen.get(u) !== 1) out.push(`${tag}: ${u} recorded ${seen.get(u) ?? 0} times`);
  }
  return out;
}

async function waitForAll(expected: Map<string, string[]>, timeoutMs: number, tabId?: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = problems(await e2e.browser.chains(), expected, tabId);
    if (!found.length || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function tabIdOf(page: Page): Promise<number> {
  const url = page.url();
  const chains = await e2e.waitForChains((all) => all.some((c) => c.type === 'main_frame' && c.hops[0]?.url === url));
  return (chains.find((c) => c.type === 'main_frame' && c.hops[0]?.url === url) as Chain).tabId;
}

/** Follows the extension worker's running state (Playwright keeps listing a stopped worker). */
async function workerStates(cdp: CDPSession): Promise<string[]> {
  const states: string[] = [];
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    for (const v of versions) {
      if (v.scriptURL.startsWith(`chrome-extension://${e2e.browser.extensionId}/`)) states.push(v.runningStatus);
    }
  });
  await cdp.send('ServiceWorker.enable');
  return states;
}

describe('service worker stopped at random moments', () => {
  const seeds = Array.from({ length: SEEDS }, (_, i) => FIRST_SEED + i);
  it.each(seeds)(`seed %i: ${CHAINS_PER_SEED} chains of 3 hops, every hop once, in order, linked`, async (seed) => {
    const random = prng(seed);
    const page = await e2e.newPage();
    await page.goto(`${o}/ok?seed=${seed}`);
    const tabId = await tabIdOf(page);
    const expected = new Map<string, string[]>();
    const starts: Array<{ url: string; delay: number }> = [];
    for (let i = 0; i < CHAINS_PER_SEED; i++) {
      const tag = `s${seed}-${i}`;
      const urls = threeHops(tag);
      expected.set(tag, urls);
      starts.push({ url: urls[0] as string, delay: Math.floor(random() * 1500) });
    }
    const stops = Array.from({ length: 4 }, () => Math.floor(random() * 1800)).sort((a, b) => a - b);

    const cdp = await e2e.browser.context.newCDPSession(page);
    const states = await workerStates(cdp);
    await page.evaluate((list) => {
      (window as unknown as { burst: Promise<unknown> }).burst = Promise.allSettled(
        list.map(({ url, delay }) =>
          new Promise((r) => setTimeout(r, delay)).then(() => fetch(url, { cache: 'no-store' }).then((x) => x.text())),
        ),
      );
    }, starts);
    const began = Date.now();
    for (const at of stops) {
      await new Promise((r) => setTimeout(r, Math.max(0, at - (Date.now() - began))));
      await cdp.send('ServiceWorker.stopAllWorkers');
    }
    const settled = await page.evaluate(() =>
      (window as unknown as { burst: Promise<Array<{ status: string }>> }).burst.then(
        (all) => all.filter((r) => r.status === 'fulfilled').length,
      ),
    );
    expect(settled).toBe(CHAINS_PER_SEED);
    const found = await waitForAll(expected, 10_000, tabId);
    expect(states, 'the worker was stopped').toContain('stopped');
    expect(found.slice(0, 10), `seed ${seed}, stops at ${stops.join(', ')} ms`).toEqual([]);
    await cdp.detach();
    await page.close();
  });
});
