/**
 * Redirects while browsing, in real Chromium: client-side redirects (meta refresh, Refresh
 * header, location.replace, location.href) joined with the HTTP hops around them into one
 * journey; the toolbar badge read back from the extension; the popup opened as a tab.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyzedChain as Chain } from '../../src/core/analyze/index.ts';
import { findingCountLabel } from '../../src/core/present/labels.ts';
import { clientJourneyUrl } from '../../src/scenarios/index.ts';
import { type E2E, startE2E } from '../support/extension-browser.ts';
import { assertValidHar } from '../support/har-validator.ts';

let e2e: E2E;
let o: string;
beforeAll(async () => {
  e2e = await startE2E();
  o = e2e.server.origin();
});
afterAll(async () => {
  await e2e?.close();
});

const enc = encodeURIComponent;
/** 301 → 302 → the client page → 307 → /client/landed. */
function mixedJourney(how: 'meta' | 'refresh' | 'replace' | 'href', delay = 0): string {
  return clientJourneyUrl(e2e.server, how, delay);
}

/** The journey a tab shows once it has landed on `finalPath` (client hop joined). */
async function journeyTo(page: Page, finalPath: string, hops: number): Promise<Chain> {
  await page.waitForURL(`**${finalPath}`, { timeout: 15_000 });
  const chains = await e2e.waitForChains((all) =>
    all.some(
      (c) =>
        c.type === 'main_frame' &&
        c.hops.length === hops &&
        c.hops.at(-1)?.url.endsWith(finalPath) &&
        c.outcome.state === 'completed',
    ),
  );
  return chains.filter((c) => c.type === 'main_frame' && c.hops.at(-1)?.url.endsWith(finalPath)).at(-1) as Chain;
}

interface ActionGlobal {
  chrome: {
    action: {
      getBadgeText(d: { tabId: number }): Promise<string>;
      getBadgeBackgroundColor(d: { tabId: number }): Promise<number[]>;
      getTitle(d: { tabId: number }): Promise<string>;
    };
  };
}

async function badge(tabId: number): Promise<{ text: string; color: number[]; title: string }> {
  // The badge is set at most every 100 ms after a change: wait for it to settle.
  await new Promise((r) => setTimeout(r, 400));
  return e2e.browser.evaluate(async (tabId: number) => {
    const { action } = (globalThis as unknown as ActionGlobal).chrome;
    return {
      text: await action.getBadgeText({ tabId }),
      color: await action.getBadgeBackgroundColor({ tabId }),
      title: await action.getTitle({ tabId }),
    };
  }, tabId);
}

const ORANGE = [227, 116, 0, 255];
const PURPLE = [123, 31, 162, 255];
const BLUE = [26, 115, 232, 255];

describe('client-side redirects', () => {
  it.each([
    ['meta', 0, 'meta-refresh', 'meta refresh, 0 s'],
    ['meta', 2, 'meta-refresh', 'meta refresh, 2 s'],
    ['refresh', 0, 'refresh-header', 'Refresh header, 0 s'],
    ['replace', 0, 'javascript', 'JavaScript'],
    ['href', 0, 'javascript', 'JavaScript'],
  ] as const)(
    '%s (delay %i s) between 3xx hops is one journey with a %s client hop',
    async (how, delay, type, label) => {
      const page = await e2e.newPage();
      await page.goto(mixedJourney(how, delay));
      let chain = await journeyTo(page, '/client/landed', 5);
      // A 0 s meta refresh may commit before the content script's message arrives: the hop is
      // first taken for JavaScript and corrected a moment later.
      await expect
        .poll(async () => {
          chain = await journeyTo(page, '/client/landed', 5);
          return chain.hops[2]?.clientRedirect?.type;
        })
        .toBe(type);
      expect(chain.hops.map((h) => [h.statusCode, h.kind])).toEqual([
        [301, 'server'],
        [302, 'server'],
        [200, 'client'],
        [307, 'server'],
        [200, 'server'],
      ]);
      const client = chain.hops[2];
      expect(client?.url).toContain(`/client/${how}?`);
      expect(client?.redirectUrl).toBe(`${o}/r/307?to=${enc('/client/landed')}`);
      expect(client?.clientRedirect?.type).toBe(type);
      if (type !== 'javascript') expect(client?.clientRedirect?.delaySeconds).toBe(delay);
      if (delay) expect(client?.clientRedirect?.afterMs).toBeGreaterThanOrEqual(delay * 1000 - 100);
      expect(chain.requestIds).toHaveLength(2);
      expect(chain.summary.redirects).toBe(4);

      const shown = await badge(chain.tabId);
      expect(shown.text).toBe('4');
      expect(shown.color).toEqual(ORANGE);
      expect(shown.title.split('\n')).toEqual([
        // Issue 12: the first line counts the journey's errors and warnings.
        expect.stringMatching(/^Hopscope: 4 redirects · \d+ warnings?$/),
        expect.stringMatching(/^301 Moved Permanently http:.*\/r\/301\?/),
        expect.stringMatching(/^302 Found http:.*\/r\/302\?/),
        expect.stringContaining(`[client (${label})]`),
        expect.stringMatching(/^307 Temporary Redirect http:.*\/r\/307\?/),
        expect.stringMatching(/^200 OK http:.*\/client\/landed$/),
      ]);
      await page.close();
    },
  );
});

describe('toolbar badge', () => {
  it('is empty without redirects, blue for server redirects, purple for HSTS', async () => {
    const page = await e2e.newPage();
    await page.goto(`${o}/ok`);
    const [ok] = await e2e.waitForChains((all) => all.some((c) => c.hops[0]?.url === `${o}/ok`));
    const tabId = (await e2e.browser.chains()).filter((c) => c.hops[0]?.url === `${o}/ok`).at(-1)?.tabId ?? -1;
    expect(ok).toBeDefined();
    expect((await badge(tabId)).text).toBe('');

    await page.goto(`${o}/chain/start`);
    await journeyTo(page, '/chain/final', 6);
    expect(await badge(tabId)).toMatchObject({ text: '5', color: BLUE });

    await page.goto(`${e2e.server.origin('sts.test', 'https')}/sts/set`);
    await page.goto(`${e2e.server.origin('sts.test', 'http')}/sts/page`);
    await journeyTo(page, '/sts/page', 2);
    expect(await badge(tabId)).toMatchObject({ text: '1', color: PURPLE });
    await page.close();
  });

  it('stays right per tab, across back/forward and a service worker restart', async () => {
    const a = await e2e.newPage();
    await a.goto(mixedJourney('meta'));
    const journey = await journeyTo(a, '/client/landed', 5);
    const b = await e2e.newPage();
    await b.goto(`${o}/cache/301`);
    const cached = await journeyTo(b, '/cache/final?from=301', 2);
    expect((await badge(journey.tabId)).text).toBe('4');
    expect((await badge(cached.tabId)).text).toBe('1');

    await a.goto(`${o}/ok`);
    await e2e.waitForChains((all) => all.some((c) => c.tabId === journey.tabId && c.hops[0]?.url === `${o}/ok`));
    expect((await badge(journey.tabId)).text).toBe('');
    await a.goBack();
    await a.waitForURL('**/client/landed');
    await expect.poll(async () => (await badge(journey.tabId)).text, { timeout: 15_000 }).toBe('4');

    const cdp = await e2e.browser.context.newCDPSession(a);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await new Promise((r) => setTimeout(r, 300));
    expect((await badge(journey.tabId)).text).toBe('4');
    // A revisit after the restart: the 301 now comes from the cache.
    await b.goto(`${o}/cache/301`);
    await expect
      .poll(
        async () => (await e2e.browser.chains()).filter((c) => c.tabId === cached.tabId && c.hops[0]?.fromCache).length,
      )
      .toBe(1);
    // The badge follows the recorder by up to 100 ms, after Chromium cleared it for the new page
    // (seconds on a host that steals CPU: the poll waits for the value, not for a time).
    await expect.poll(async () => (await badge(cached.tabId)).text, { timeout: 15_000 }).toBe('1');
    await a.close();
    await b.close();
  });
});

describe('popup', () => {
  it('shows the journey of the tab and copies, exports and opens the full view', async () => {
    const page = await e2e.newPage();
    await page.goto(mixedJourney('refresh'));
    const journey = await journeyTo(page, '/client/landed', 5);

    const popup = await e2e.newPage();
    await popup.addInitScript(() => {
      // Record what the popup copies.
      Object.defineProperty(navigator, 'clipboard', {
        value: {
          writeText: async (text: string) => {
            (window as unknown as { copied: string }).copied = text;
          },
        },
      });
    });
    await popup.goto(`chrome-extension://${e2e.browser.extensionId}/extension/popup.html?tabId=${journey.tabId}`);
    const hops = popup.getByTestId('popup-hop');
    await expect.poll(() => hops.count()).toBe(5);
    expect(await popup.getByTestId('popup-summary').textContent()).toMatch(/4 redirects led to this page/);
    const texts = await hops.allTextContents();
    expect(texts[0]).toMatch(/^301GETlocalhost:\d+server/);
    expect(texts[2]).toMatch(/^200GETlocalhost:\d+client \(Refresh header, 0 s\)/);
    expect(texts[3]).toMatch(/^307GET/);

    await popup.getByRole('button', { name: 'Copy as text' }).click();
    await popup.getByText('Copied the journey as text.').waitFor();
    const copied = await popup.evaluate(() => (window as unknown as { copied: string }).copied);
    expect(copied).toContain('client (Refresh header, 0 s)');
    expect(copied).toContain('4 redirects, completed with 200');

    const download = popup.waitForEvent('download');
    await popup.getByRole('button', { name: 'Export HAR' }).click();
    const har = JSON.parse(await readFile(await (await download).path(), 'utf8'));
    assertValidHar(har);
    expect(har.log.entries.map((e: { _hopscope: { kind: string } }) => e._hopscope.kind)).toEqual([
      'server',
      'server',
      'client',
      'server',
      'server',
    ]);

    const opened = e2e.browser.context.waitForEvent('page');
    await popup.getByRole('button', { name: 'Open full view' }).click();
    const full = await opened;
    await full.waitForLoadState();
    expect(full.url()).toBe(
      `chrome-extension://${e2e.browser.extensionId}/extension/panel.html?tabId=${journey.tabId}`,
    );
    await expect.poll(() => full.getByTestId('chain-row').count()).toBeGreaterThan(0);
    expect(await full.getByTestId('chain-row').first().textContent()).toMatch(/\/r\/301.*→ .*\/client\/landed.*5 hops/);
  });
});

describe('findings while browsing', () => {
  it('the badge tooltip counts the errors and warnings and names each hop’s; the popup counts them, live', async () => {
    const page = await e2e.newPage();
    await page.goto(mixedJourney('replace'));
    const journey = await journeyTo(page, '/client/landed', 5);
    // The journey drops query parameters and has 4 redirects: warnings, no error.
    const counted = findingCountLabel(journey.findings);
    expect(counted).toMatch(/^\d+ warnings?$/);
    const problems = journey.findings.filter((f) => f.severity !== 'info');

    const lines = (await badge(journey.tabId)).title.split('\n');
    expect(lines[0]).toBe(`Hopscope: 4 redirects · ${counted}`);
    for (const f of problems) expect(lines[f.hop + 1]).toContain(`[warning: ${f.rule}]`);
    expect(lines[3]).toContain('[warning: lost-query-param]');
    expect(lines[4]).toContain('[warning: long-chain]');
    expect(lines.join('\n').match(/\[warning: /g)).toHaveLength(problems.length);

    const popup = await e2e.newPage();
    await popup.goto(`chrome-extension://${e2e.browser.extensionId}/extension/popup.html?tabId=${journey.tabId}`);
    await expect.poll(() => popup.getByTestId('popup-findings').textContent()).toBe(counted);
    expect(await popup.getByTestId('popup-finding').allTextContents()).toEqual(
      problems.map((f) => `${f.severity} ${f.rule} hop ${f.hop + 1}`),
    );

    // The tab moves on to an https page that sends it to http: the popup follows.
    await page.goto(`${e2e.server.origin('secure.test', 'https')}/downgrade`);
    await page.waitForURL('**/downgrade/landed');
    await expect.poll(() => popup.getByTestId('popup-findings').textContent(), { timeout: 15_000 }).toBe('1 error');
    expect(await popup.getByTestId('popup-finding').allTextContents()).toEqual(['error downgrade hop 1']);
    expect((await badge(journey.tabId)).title.split('\n')[1]).toMatch(/\/downgrade \[error: downgrade\]$/);
    await popup.close();
    await page.close();
  });
});
