/**
 * The recorder in real Chromium: each scenario of the fixture server is visited with the built
 * extension loaded, and the chains the extension recorded are checked hop by hop and against
 * the server's own hit counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, type AnalyzedChain as Chain } from '../../src/core/analyze/index.ts';
import { chainsToHar } from '../../src/core/har/export.ts';
import { RECORDING_STOPPED } from '../../src/core/model/chain.ts';
import { type E2E, hopRows, startE2E } from '../support/extension-browser.ts';
import { openWatchingPanel, untilStats } from '../support/extension-page.ts';
import { assertValidHar } from '../support/har-validator.ts';

/** The part of the `chrome` global read inside the service worker. */
interface SessionStorageGlobal {
  chrome: { storage: { session: { get(keys: null): Promise<Record<string, unknown>> } } };
}

let e2e: E2E;
let o: string;

beforeAll(async () => {
  e2e = await startE2E();
  o = e2e.server.origin();
});
afterAll(async () => {
  await e2e?.close();
});

async function postForm(url: string, body: Record<string, string>): Promise<Chain> {
  const known = new Set((await e2e.browser.chains()).map((c) => c.id));
  const page = await e2e.newPage();
  await page.setContent('<form method="post"></form>');
  await Promise.all([
    page.waitForNavigation(),
    page.evaluate(
      ({ url, body }) => {
        const form = document.querySelector('form') as HTMLFormElement;
        form.action = url;
        for (const [name, value] of Object.entries(body)) {
          const input = document.createElement('input');
          input.name = name;
          input.value = value;
          form.append(input);
        }
        setTimeout(() => form.submit(), 0); // once evaluate has answered
      },
      { url, body },
    ),
  ]);
  const chains = await e2e.waitForChains((all) =>
    all.some((c) => !known.has(c.id) && c.type === 'main_frame' && c.outcome.state !== 'pending'),
  );
  await page.close();
  const chain = chains.find((c) => !known.has(c.id) && c.type === 'main_frame');
  if (!chain) throw new Error('no chain recorded for the form submission');
  return chain;
}

describe('recording in Chromium', () => {
  it('records the 301 → 302 → 303 → 307 → 308 chain hop by hop', async () => {
    const [chain] = await e2e.visit(`${o}/chain/start`);
    expect(hopRows(chain)).toEqual([
      {
        status: 301,
        statusText: 'Moved Permanently',
        method: 'GET',
        kind: 'server',
        fromCache: false,
        url: `${o}/chain/start`,
        redirectUrl: `${o}/chain/2`,
      },
      {
        status: 302,
        statusText: 'Found',
        method: 'GET',
        kind: 'server',
        fromCache: false,
        url: `${o}/chain/2`,
        redirectUrl: `${o}/chain/3`,
      },
      {
        status: 303,
        statusText: 'See Other',
        method: 'GET',
        kind: 'server',
        fromCache: false,
        url: `${o}/chain/3`,
        redirectUrl: `${o}/chain/4`,
      },
      {
        status: 307,
        statusText: 'Temporary Redirect',
        method: 'GET',
        kind: 'server',
        fromCache: false,
        url: `${o}/chain/4`,
        redirectUrl: `${o}/chain/5`,
      },
      {
        status: 308,
        statusText: 'Permanent Redirect',
        method: 'GET',
        kind: 'server',
        fromCache: false,
        url: `${o}/chain/5`,
        redirectUrl: `${o}/chain/final`,
      },
      {
        status: 200,
        statusText: 'OK',
        method: 'GET',
        kind: 'server',
        fromCache: false,
        url: `${o}/chain/final`,
        redirectUrl: '',
      },
    ]);
    expect(chain?.outcome).toEqual({ state: 'completed', statusCode: 200 });
    expect(chain?.hops.map((h) => h.cache.verdict)).toEqual([
      'cacheable-by-default',
      'not-cacheable',
      'not-cacheable',
      'not-cacheable',
      'cacheable-by-default',
      'not-cacheable',
    ]);
    expect(chain?.hops[0]?.ip).toMatch(/127\.0\.0\.1|::1/);
    for (const path of ['/chain/start', '/chain/2', '/chain/3', '/chain/4', '/chain/5', '/chain/final']) {
      expect(e2e.server.hits(path), path).toBe(1);
    }
  });

  it.each([
    [301, 'GET', ''],
    [302, 'GET', ''],
    [303, 'GET', ''],
    [307, 'POST', 'a=1&note=hop+scope'],
    [308, 'POST', 'a=1&note=hop+scope'],
  ])('POST through a %i continues as %s', async (code, method, body) => {
    const before = e2e.server.received('/echo').length;
    const chain = await postForm(`${o}/post/${code}`, { a: '1', note: 'hop scope' });
    expect(hopRows(chain).map((h) => [h.status, h.method, h.url])).toEqual([
      [code, 'POST', `${o}/post/${code}`],
      [200, method, `${o}/echo`],
    ]);
    const change = chain.hops[0]?.methodChange;
    expect(change?.kind).toBe(method === 'GET' ? 'changed' : 'kept');
    expect(change?.bodyDropped).toBe(method === 'GET');
    expect(chain.summary.methodChanged).toBe(method === 'GET');
    const received = e2e.server.received('/echo').slice(before);
    expect(received).toMatchObject([{ method, body, host: 'localhost' }]);
  });

  it.each([
    ['/cache/301', 301, 'cacheable-by-default'],
    ['/cache/308', 308, 'cacheable-by-default'],
    ['/cache/307-max-age', 307, 'cacheable-explicit'],
  ])('serves %s from the cache on revisit', async (path, code, firstVerdict) => {
    const [first] = await e2e.visit(`${o}${path}`);
    const [second] = await e2e.visit(`${o}${path}`);
    expect(first?.hops[0]).toMatchObject({ statusCode: code, fromCache: false, cache: { verdict: firstVerdict } });
    expect(second?.hops[0]).toMatchObject({ statusCode: code, fromCache: true, cache: { verdict: 'from-cache' } });
    expect(second?.summary.fromCache).toBe(true);
    expect(e2e.server.hits(path)).toBe(1);
    expect(e2e.server.hits('/cache/final')).toBeGreaterThanOrEqual(2);
  });

  it('asks the server again for a 302 without freshness', async () => {
    const before = e2e.server.hits('/cache/302');
    const [first] = await e2e.visit(`${o}/cache/302`);
    const [second] = await e2e.visit(`${o}/cache/302`);
    expect([first?.hops[0]?.fromCache, second?.hops[0]?.fromCache]).toEqual([false, false]);
    expect(second?.hops[0]?.cache.verdict).toBe('not-cacheable');
    expect(e2e.server.hits('/cache/302') - before).toBe(2);
  });

  it('records the HSTS upgrade learnt from a Strict-Transport-Security header', async () => {
    await e2e.visit(`${e2e.server.origin('sts.test', 'https')}/sts/set`);
    const [chain] = await e2e.visit(`${e2e.server.origin('sts.test', 'http')}/sts/page`);
    expect(hopRows(chain).map((h) => [h.status, h.statusText, h.kind, h.url])).toEqual([
      [307, 'Internal Redirect', 'internal:HSTS', `${e2e.server.origin('sts.test', 'http')}/sts/page`],
      [200, 'OK', 'server', `${e2e.server.origin('sts.test', 'https')}/sts/page`],
    ]);
    expect(e2e.server.hits('/sts/page')).toBe(1);
  });

  it('reports a redirect loop as a loop, not a bare ERR_ABORTED', async () => {
    const [chain] = await e2e.visit(`${o}/loop/a`);
    expect(chain?.outcome).toMatchObject({ state: 'error', tooManyRedirects: true });
    expect(chain?.summary.loop).toBe(true);
    expect(chain?.summary.redirects).toBe(20);
    expect(chain?.hops[2]?.repeatsHop).toBe(0);
    expect(chain?.hops).toHaveLength(20);
    expect(e2e.server.hits('/loop/a') + e2e.server.hits('/loop/b')).toBe(20);
  });

  it('flags an https → http downgrade and hops across hosts', async () => {
    const [down] = await e2e.visit(`${e2e.server.origin('secure.test', 'https')}/downgrade`);
    expect(down?.hops[0]?.downgrade).toBe(true);
    expect(down?.summary).toMatchObject({ downgrade: true, crossOrigin: true });
    const [cross] = await e2e.visit(`${e2e.server.origin('a.test')}/hop`);
    expect(cross?.hops.map((h) => new URL(h.url).hostname)).toEqual(['a.test', 'b.test', 'localhost']);
    expect(cross?.hops.map((h) => h.crossOrigin)).toEqual([true, true, false]);
  });

  it('keeps main-frame loads without redirects but drops subresources that were not redirected', async () => {
    const [chain] = await e2e.visit(`${o}/ok`);
    expect(hopRows(chain).map((h) => h.status)).toEqual([200]);
    const all = (await e2e.browser.chains()).map(analyze);
    expect(all.every((c) => c.type === 'main_frame' || c.summary.redirects > 0)).toBe(true);
    expect(all.some((c) => c.hops.some((h) => h.url.startsWith('chrome-extension:')))).toBe(false);
  });

  it('records subresource chains while a panel watches, pages and frames always', async () => {
    // Nobody watches: the worker has taken its subresource listeners off.
    await untilStats(e2e.browser, (s) => s.watching === 0 && !s.subresources, 'the subresource listeners to go');
    const page = await e2e.newPage();
    await page.goto(`${o}/ok?watch=page`);
    const fetchVia302 = (which: string) =>
      page.evaluate((to) => fetch(`/r/302?to=${encodeURIComponent(to)}`).then((r) => r.text()), `/ok?which=${which}`);
    const navigateVia302 = (which: string) => page.goto(`${o}/r/302?to=${encodeURIComponent(`/ok?which=${which}`)}`);
    const endsAt = (which: string) => (c: Chain) => c.hops.at(-1)?.url === `${o}/ok?which=${which}`;
    await fetchVia302('unwatched');

    const panel = await openWatchingPanel(e2e.browser);
    await fetchVia302('watched');
    let chains = await e2e.waitForChains((all) =>
      all.some((c) => endsAt('watched')(c) && c.outcome.state !== 'pending'),
    );
    expect(hopRows(chains.find(endsAt('watched'))).map((h) => h.status)).toEqual([302, 200]);
    expect(chains.find(endsAt('watched'))?.type).toBe('xmlhttprequest');

    // The panel closes: the worker counts nobody watching at once, and keeps the listeners a
    // grace (UNWATCH_GRACE_MS, 3 s) in which a reloading panel comes back: a fetch then is still
    // recorded in full. Then they go.
    await panel.close();
    await untilStats(e2e.browser, (s) => s.watching === 0, 'the panel to be gone');
    await fetchVia302('closing');
    await untilStats(e2e.browser, (s) => s.watching === 0 && !s.subresources, 'the subresource listeners to go');
    await fetchVia302('after');
    // A page navigation is recorded without a panel; it is recorded after the fetch's events
    // would have been, so by then nothing more of the fetches can arrive.
    await navigateVia302('navigated');
    chains = await e2e.waitForChains((all) => all.some((c) => endsAt('navigated')(c) && c.outcome.state !== 'pending'));
    expect(chains.find(endsAt('navigated'))?.type).toBe('main_frame');
    expect(chains.filter(endsAt('unwatched'))).toEqual([]);
    expect(hopRows(chains.find(endsAt('closing'))).map((h) => h.status)).toEqual([302, 200]);
    expect(chains.filter(endsAt('after'))).toEqual([]);
    await page.close();
  });

  it('a subresource under way when the listeners go ends as not recorded further, not under way for good', async () => {
    const page = await e2e.newPage();
    await page.goto(`${o}/ok?stop=page`);
    const panel = await openWatchingPanel(e2e.browser);
    const held = e2e.server.hold('/slow/final');
    const first = `${o}/slow/start?stop=1`;
    const fetching = page.evaluate((url) => fetch(url).then((r) => r.status), first);
    await held.arrived;
    await e2e.waitForChains((all) => all.some((c) => c.hops[0]?.url === first && c.hops[0]?.statusCode === 302));
    await panel.close();
    await untilStats(e2e.browser, (s) => s.watching === 0 && !s.subresources, 'the subresource listeners to go');
    const chains = await e2e.waitForChains((all) =>
      all.some((c) => c.hops[0]?.url === first && c.outcome.state !== 'pending'),
    );
    const chain = chains.find((c) => c.hops[0]?.url === first);
    expect(chain?.outcome).toEqual({ state: 'error', error: RECORDING_STOPPED });
    expect(chain?.hops.map((h) => h.statusCode)).toEqual([302]);
    expect(chain?.findings.map((f) => f.rule)).not.toContain('ends-in-error');
    held.release();
    expect(await fetching).toBe(200);
    await page.close();
  });

  it('records 200 redirected fetches started at once, every one in full', async () => {
    const panel = await openWatchingPanel(e2e.browser);
    const page = await e2e.newPage();
    await page.goto(`${o}/burst?n=200`);
    await page.waitForFunction(() => document.title === 'done', undefined, { timeout: 30_000 });
    const chains = await e2e.waitForChains(
      (all) =>
        all.filter((c) => /\/burst\/r\/\d+$/.test(c.hops[0]?.url ?? '') && c.outcome.state !== 'pending').length >= 200,
    );
    await page.close();
    await panel.close();
    const burst = chains.filter((c) => /\/burst\/r\/\d+$/.test(c.hops[0]?.url ?? ''));
    expect(burst).toHaveLength(200);
    for (const chain of burst) {
      const i = /\/(\d+)$/.exec(chain.hops[0]?.url ?? '')?.[1];
      expect(hopRows(chain).map((h) => [h.status, h.url])).toEqual([
        [302, `${o}/burst/r/${i}`],
        [302, `${o}/burst/f/${i}`],
        [200, `${o}/burst/done/${i}`],
      ]);
      expect(chain.type).toBe('xmlhttprequest');
    }
    // What was written to storage.session is the same: a restart would lose nothing.
    const stored = await e2e.browser.evaluate(async () => {
      await globalThis.hopscope?.flush();
      const all = await (globalThis as unknown as SessionStorageGlobal).chrome.storage.session.get(null);
      // Each chain is stored as its JSON text under `chain:<id>`.
      return Object.entries(all)
        .filter(([key]) => key.startsWith('chain:'))
        .map(([, text]) => JSON.parse(text as string) as Chain)
        .filter((c) => /\/burst\/r\/\d+$/.test(c.hops?.[0]?.url ?? '')).length;
    });
    expect(stored).toBe(200);
  });

  it('exports what it recorded as valid HAR 1.2', async () => {
    const har = chainsToHar(await e2e.browser.chains());
    assertValidHar(har);
    expect(har.log.entries.length).toBeGreaterThan(20);
  });
});
