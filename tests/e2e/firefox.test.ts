/**
 * The recorder in real Firefox ESR: the Firefox build (dist-firefox/) installed as a temporary
 * add-on in one Firefox for the whole file, each scenario visited in a fresh tab, the chains
 * checked hop by hop against the server's own hit counts, and the panel page opened as a tab.
 * What Firefox does differently (verified on ESR 153) is asserted as such: a header-less 301 is
 * not cached, an HSTS upgrade is a status-0 redirect, a loop ends in NS_ERROR_REDIRECT_LOOP.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, type AnalyzedChain as Chain } from '../../src/core/analyze/index.ts';
import { chainsToHar } from '../../src/core/har/export.ts';
import { explainHop } from '../../src/core/present/explain/index.ts';
import { clientJourneyUrl } from '../../src/scenarios/index.ts';
import { hopRows } from '../support/extension-browser.ts';
import { type FirefoxE2E, startFirefoxE2E } from '../support/firefox-browser.ts';
import { assertValidHar } from '../support/har-validator.ts';

let e2e: FirefoxE2E;
let o: string;

beforeAll(async () => {
  e2e = await startFirefoxE2E();
  o = e2e.server.origin();
}, 120_000);
afterAll(async () => {
  await e2e?.close();
});

describe('recording in Firefox', () => {
  it('records the 301 → 302 → 303 → 307 → 308 chain hop by hop, with Firefox’s caching verdicts', async () => {
    const [chain] = await e2e.visit(`${o}/chain/start`);
    expect(hopRows(chain).map((h) => [h.status, h.statusText, h.method, h.kind, h.fromCache, h.url])).toEqual([
      [301, 'Moved Permanently', 'GET', 'server', false, `${o}/chain/start`],
      [302, 'Found', 'GET', 'server', false, `${o}/chain/2`],
      [303, 'See Other', 'GET', 'server', false, `${o}/chain/3`],
      [307, 'Temporary Redirect', 'GET', 'server', false, `${o}/chain/4`],
      [308, 'Permanent Redirect', 'GET', 'server', false, `${o}/chain/5`],
      [200, 'OK', 'GET', 'server', false, `${o}/chain/final`],
    ]);
    expect(chain?.browser).toBe('firefox');
    expect(chain?.outcome).toEqual({ state: 'completed', statusCode: 200 });
    // Firefox stores no header-less 301/308.
    expect(chain?.hops.map((h) => h.cache.verdict)).toEqual(Array(6).fill('not-cacheable'));
    expect(chain?.hops[0]?.ip).toMatch(/127\.0\.0\.1|::1/);
    // The background registered every listener: response headers of the page arrived too.
    expect(chain?.hops[5]?.responseHeaders.some((h) => h.name.toLowerCase() === 'content-type')).toBe(true);
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
  ])('POST through a %i continues as %s, as in Chromium', async (code, method, body) => {
    const before = e2e.server.received('/echo').length;
    const chain = await e2e.post(`${o}/post/${code}`, { a: '1', note: 'hop scope' });
    expect(hopRows(chain).map((h) => [h.status, h.method, h.url])).toEqual([
      [code, 'POST', `${o}/post/${code}`],
      [200, method, `${o}/echo`],
    ]);
    expect(chain.hops[0]?.methodChange).toMatchObject({
      kind: method === 'GET' ? 'changed' : 'kept',
      bodyDropped: method === 'GET',
    });
    const received = e2e.server.received('/echo').slice(before);
    expect(received.map(({ method, body, host }) => ({ method, body, host }))).toEqual([
      { method, body, host: 'localhost' },
    ]);
  });

  it('asks the server again for a revisited 301 without cache headers, and serves a 307 with max-age from the cache', async () => {
    const [first] = await e2e.visit(`${o}/cache/301`);
    const [second] = await e2e.visit(`${o}/cache/301`);
    expect([first?.hops[0]?.fromCache, second?.hops[0]?.fromCache]).toEqual([false, false]);
    expect(second?.hops[0]?.cache.reason).toContain('Firefox does not store one without caching headers');
    expect(e2e.server.hits('/cache/301')).toBe(2);

    await e2e.visit(`${o}/cache/307-max-age`);
    const [cached] = await e2e.visit(`${o}/cache/307-max-age`);
    expect(cached?.hops[0]).toMatchObject({ statusCode: 307, fromCache: true, cache: { verdict: 'from-cache' } });
    expect(cached?.hops[0]?.ip).toBeUndefined();
    // The hop after a cached redirect: the server answered it, so it is not from the cache.
    expect(cached?.hops[1]).toMatchObject({ statusCode: 200, fromCache: false });
    expect(e2e.server.hits('/cache/307-max-age')).toBe(1);
  });

  it('records the HSTS upgrade learnt from a header as an internal hop, with Firefox’s own evidence', async () => {
    await e2e.visit(`${e2e.server.origin('sts.test', 'https')}/sts/set`);
    const [chain] = await e2e.visit(`${e2e.server.origin('sts.test', 'http')}/sts/page`);
    expect(hopRows(chain).map((h) => [h.status, h.statusText, h.kind, h.url])).toEqual([
      [307, '', 'internal:HSTS', `${e2e.server.origin('sts.test', 'http')}/sts/page`],
      [200, 'OK', 'server', `${e2e.server.origin('sts.test', 'https')}/sts/page`],
    ]);
    const hop = chain?.hops[0];
    if (!chain || !hop) throw new Error('no HSTS hop');
    expect(hop.responseHeaders).toEqual([]);
    expect(explainHop(chain, hop).points.join(' ')).toContain(
      'Firefox reported it to extensions as a redirect with status 0, no status line and no headers',
    );
    expect(e2e.server.hits('/sts/page')).toBe(1);
  });

  it('records the HSTS upgrade of a redirect target as Firefox reports it (not inferred, unlike Chromium)', async () => {
    await e2e.visit(`${e2e.server.origin('sts.test', 'https')}/sts/set`);
    const [chain] = await e2e.visit(`${e2e.server.origin('a.test', 'http')}/sts/via`);
    expect(hopRows(chain).map((h) => [h.status, h.kind, h.url])).toEqual([
      [302, 'server', `${e2e.server.origin('a.test', 'http')}/sts/via`],
      [307, 'internal:HSTS', `${e2e.server.origin('sts.test', 'http')}/sts/page`],
      [200, 'server', `${e2e.server.origin('sts.test', 'https')}/sts/page`],
    ]);
    expect(chain?.hops[1]?.inferred).toBeUndefined();
  });

  it('reports a redirect loop as Firefox giving up after 20 redirects', async () => {
    const [chain] = await e2e.visit(`${o}/loop/a`);
    expect(chain?.outcome).toEqual({ state: 'error', error: 'NS_ERROR_REDIRECT_LOOP', tooManyRedirects: true });
    expect(chain?.summary).toMatchObject({ loop: true, redirects: 20 });
    expect(chain?.hops[2]?.repeatsHop).toBe(0);
    // 21 requests: the 21st redirect is not followed.
    expect(e2e.server.hits('/loop/a') + e2e.server.hits('/loop/b')).toBe(21);
    const last = chain?.hops.at(-1);
    if (!chain || !last) throw new Error('no loop');
    expect(explainHop(chain, last).points.join(' ')).toContain('Firefox gives up after 20 redirects');
  });

  /** The main-frame chains a visit of `url` adds, once `done` holds for them. */
  async function journeysOf(url: string, done: (chains: Chain[]) => boolean): Promise<Chain[]> {
    const known = new Set((await e2e.browser.chains()).map((c) => c.id));
    const page = await e2e.newPage();
    await page.goto(url).catch(() => undefined);
    const fresh = (all: Chain[]) => all.filter((c) => !known.has(c.id) && c.type === 'main_frame');
    const chains = fresh(
      await e2e
        .waitForChains((all) => done(fresh(all)))
        .catch(async (error: Error) => {
          const seen = fresh((await e2e.browser.chains()).map(analyze));
          const hops = seen.map((c) => c.hops.map((h) => `${h.statusCode} ${h.kind} ${h.url}`).join(', '));
          throw new Error(`${error.message}: ${hops.join(' || ') || 'none'}`);
        }),
    );
    await page.close();
    return chains;
  }
  const landed = (c: Chain | undefined) =>
    c?.outcome.state === 'completed' && c.hops.at(-1)?.url === `${o}/client/landed`;

  it.each([
    ['meta', 'meta-refresh'],
    ['refresh', 'refresh-header'],
  ] as const)('joins a client redirect (%s) into one journey with the client hop typed', async (how, type) => {
    // After 1 s: a 0 s refresh can commit in Firefox before the refreshing page's response has
    // ended, and only an ended page is joined. The landing page's response can also come before
    // its commit joins the journey: wait for the one chain.
    const [journey] = await journeysOf(clientJourneyUrl(e2e.server, how, 1), (c) => c.length === 1 && landed(c[0]));
    expect(journey?.hops.map((h) => [h.statusCode, h.kind])).toEqual([
      [301, 'server'],
      [302, 'server'],
      [200, 'client'],
      [307, 'server'],
      [200, 'server'],
    ]);
    expect(journey?.hops[2]?.clientRedirect).toMatchObject({ type, delaySeconds: 1 });
    expect(journey?.requestIds).toHaveLength(2);
  });

  it('keeps a JavaScript redirect as two chains: Firefox does not mark it client_redirect', async () => {
    // Verified on ESR 153: webNavigation.onCommitted after location.replace() has only
    // server_redirect among its qualifiers, as a link the user followed would.
    const chains = await journeysOf(clientJourneyUrl(e2e.server, 'replace', 0), (c) => c.length === 2 && landed(c[1]));
    expect(chains.map((c) => c.hops.map((h) => [h.statusCode, h.kind]))).toEqual([
      [
        [301, 'server'],
        [302, 'server'],
        [200, 'server'],
      ],
      [
        [307, 'server'],
        [200, 'server'],
      ],
    ]);
  });

  it('keeps a page that answers 200 at once as a one-hop chain', async () => {
    const [chain] = await e2e.visit(`${o}/ok`);
    expect(hopRows(chain).map((h) => [h.status, h.kind, h.url])).toEqual([[200, 'server', `${o}/ok`]]);
    const all = await e2e.browser.chains();
    expect(all.some((c) => c.hops.some((h) => h.url.startsWith('moz-extension:')))).toBe(false);
  });

  it('exports a valid HAR whose log.browser names Firefox', async () => {
    const chains = await e2e.browser.chains();
    const har = chainsToHar(chains, { browser: e2e.browser.browser });
    await assertValidHar(har);
    expect(har.log.browser).toEqual({ name: 'Firefox', version: expect.stringMatching(/^\d+\.\d+/) });
    expect(chainsToHar(chains).log.browser?.name).toBe('Firefox');
  });
});

describe('the panel page as a tab in Firefox', () => {
  let panel: Page;
  const rowTexts = () => panel.$$eval('[data-testid="chain-row"]', (rows) => rows.map((r) => r.textContent ?? ''));

  it('lists a tab’s chains with statuses and badges, and explains the selected hop', async () => {
    // Earlier tests' chains also end at https://sts.test/sts/page: this tab's are the new ones.
    const before = new Set((await e2e.browser.chains()).map((c) => c.id));
    const browsed = await e2e.newPage();
    await browsed.goto(`${o}/chain/start`);
    // Firefox's HSTS upgrade can reach WebDriver BiDi as a second navigation: the navigate
    // command then fails with "A new navigation interrupted an unfinished navigation" although
    // the page loads. What the test checks is the recorded chain, waited for below.
    await browsed.goto(`${e2e.server.origin('sts.test', 'http')}/sts/page`).catch((error: unknown) => {
      if (!/interrupted an unfinished navigation/.test(String(error))) throw error;
    });
    const upgraded = (c: Chain) =>
      !before.has(c.id) &&
      c.hops[0]?.url === `${e2e.server.origin('sts.test', 'http')}/sts/page` &&
      c.hops.at(-1)?.url === `${e2e.server.origin('sts.test', 'https')}/sts/page` &&
      c.tabId > 0;
    const chains = await e2e.waitForChains((all) => all.some(upgraded));
    const tabId = chains.filter(upgraded).at(-1)?.tabId;
    panel = await e2e.browser.openExtensionPage(`/extension/panel.html?tabId=${tabId}`);
    // Like DevTools, the panel shows the current page's journey unless the log is preserved.
    await panel.waitForSelector('label input[type="checkbox"]');
    // Clicked until it shows checked: a click before the panel has its first state can be lost.
    await expect
      .poll(
        () =>
          panel.$$eval('label', (labels) => {
            const input = labels
              .find((l) => /Preserve log/.test(l.textContent ?? ''))
              ?.querySelector('input') as HTMLInputElement | null;
            if (input && !input.checked) input.click();
            return input?.checked ?? false;
          }),
        { timeout: 15_000 },
      )
      .toBe(true);
    await expect.poll(async () => (await rowTexts()).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    const texts = await rowTexts();
    expect(texts[0]).toMatch(/^200.*http:\/\/sts\.test:\d+\/sts\/page → https:\/\/sts\.test:\d+\/sts\/page.*HSTS/);
    expect(texts[1]).toMatch(/^200.*\/chain\/start → .*\/chain\/final.*6 hops/);
    await panel.click('[data-testid="chain-row"]');
    await expect
      .poll(() => panel.$$eval('[data-testid="hop-row"]', (rows) => rows.map((r) => r.textContent ?? '')))
      .toHaveLength(2);
    const hops = await panel.$$eval('[data-testid="hop-row"]', (rows) => rows.map((r) => r.textContent ?? ''));
    expect(hops[0]).toMatch(/307.*internal \(HSTS\)/);
    const explained = await panel.$eval('[aria-label="Hop 1 explained"]', (e) => e.textContent ?? '');
    expect(explained).toMatch(/status 0/);
    await browsed.close();
    await panel.close();
  });
});
