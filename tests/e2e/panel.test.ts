/**
 * The panel page in real Chromium, opened as a tab on the tab that was browsed (`?tabId=N`):
 * the recorded scenarios show with the right statuses, methods, badges and explanations;
 * export downloads a HAR that validates and re-imports to the same chains; screenshots in
 * light and dark theme are saved to test-results/; a Clear pressed while the panel reconnects
 * to a stopped worker is applied once the worker is back.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/cli/browser.ts';
import type { AnalyzedChain as Chain } from '../../src/core/analyze/index.ts';
import { clientJourneyUrl } from '../../src/scenarios/index.ts';
import type { WorkerApi } from '../../src/shared/worker-api.ts';
import { type E2E, startE2E } from '../support/extension-browser.ts';
import { assertValidHar } from '../support/har-validator.ts';

const ARTIFACTS = join(REPO_ROOT, 'test-results');
let e2e: E2E;
let tabId: number;
let browsed: Page;
let panel: Page;

async function navigate(url: string): Promise<void> {
  await browsed.goto(url).catch(() => undefined);
}

async function openPanel(): Promise<Page> {
  const page = await e2e.newPage();
  await page.setViewportSize({ width: 1400, height: 800 });
  await page.goto(`chrome-extension://${e2e.browser.extensionId}/extension/panel.html?tabId=${tabId}`);
  await page.getByLabel('Preserve log').check();
  return page;
}

const rowTexts = (page: Page) => page.getByTestId('chain-row').allTextContents();

beforeAll(async () => {
  e2e = await startE2E();
  const o = e2e.server.origin();
  browsed = await e2e.newPage();
  await navigate(`${o}/chain/start`);
  // A POST through a 303, submitted as a form from a page of the same tab.
  await navigate(`${o}/ok`);
  await submitForm(browsed, `${o}/post/303`);
  await browsed.waitForURL(`${o}/echo`);
  await navigate(`${e2e.server.origin('sts.test', 'https')}/sts/set`);
  await navigate(`${e2e.server.origin('sts.test', 'http')}/sts/page`);
  await navigate(`${o}/cache/301`);
  await navigate(`${o}/cache/301`);
  const chains = await e2e.waitForChains(
    (all) => all.filter((c) => c.type === 'main_frame' && c.outcome.state !== 'pending').length >= 7,
  );
  tabId = (chains.find((c) => c.type === 'main_frame') as Chain).tabId;
  panel = await openPanel();
});
afterAll(async () => {
  await e2e?.close();
});

describe('panel page as a tab', () => {
  it('lists the tab’s chains newest first with statuses and badges', async () => {
    await expect.poll(() => rowTexts(panel)).toHaveLength(7);
    const texts = await rowTexts(panel);
    expect(texts[0]).toMatch(/^200.*\/cache\/301 → .*\/cache\/final\?from=301.*2 hops.*cached/);
    expect(texts[1]).toMatch(/^200.*\/cache\/301 → /);
    expect(texts[1]).not.toContain('cached');
    expect(texts[2]).toMatch(/^200.*http:\/\/sts\.test:\d+\/sts\/page → https:\/\/sts\.test:\d+\/sts\/page.*HSTS/);
    expect(texts[4]).toMatch(/^200.*\/post\/303 → .*\/echo.*method changed/);
    expect(texts[6]).toMatch(/^200.*\/chain\/start → .*\/chain\/final.*6 hops/);
  });

  it('shows the hops of a chain and explains the selected hop', async () => {
    await panel.getByTestId('chain-row').nth(4).click();
    const hops = panel.getByTestId('hop-row');
    await expect.poll(() => hops.count()).toBe(2);
    expect(await hops.nth(0).textContent()).toMatch(/303.*See Other.*POST → GET/);
    expect(await hops.nth(1).textContent()).toMatch(/200.*OK.*GET/);
    const explained = await panel.getByRole('region', { name: 'Hop 1 explained' }).textContent();
    expect(explained).toMatch(/body/i);

    await panel.getByTestId('chain-row').nth(2).click();
    expect(await hops.nth(0).textContent()).toMatch(/307.*Internal Redirect.*internal \(HSTS\)/);
    expect(await panel.getByRole('region', { name: 'Hop 1 explained' }).textContent()).toMatch(/not contacted/i);
  });

  it('updates live as the tab navigates', async () => {
    await navigate(`${e2e.server.origin('a.test')}/hop`);
    await expect.poll(() => rowTexts(panel)).toHaveLength(8);
    // The row is shown as soon as the chain starts, and grows hop by hop as the tab follows it.
    await expect
      .poll(async () => (await rowTexts(panel))[0])
      .toMatch(/a\.test.*→ .*\/hop\/final.*3 hops.*cross-origin/);
  });

  it('reconnects by itself after the service worker stops, with nothing stale or doubled', async () => {
    const before = await rowTexts(panel);
    const cdp = await e2e.browser.context.newCDPSession(panel);
    // The panel notices the stop and reconnects, which starts a new worker; navigate once that
    // one runs (events that reach a stopping worker are the fault tests' business).
    const states: string[] = [];
    const restarted = new Promise<void>((resolve) =>
      cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
        for (const v of versions) {
          if (!v.scriptURL.includes(e2e.browser.extensionId)) continue;
          states.push(v.runningStatus);
          if (states.includes('stopped') && v.runningStatus === 'running') resolve();
        }
      }),
    );
    await cdp.send('ServiceWorker.enable');
    // Browsers stop a worker once it has been idle for 30 s, long after its last batch was
    // written; stopAllWorkers is abrupt (it may lose the last 250 ms, the fault tests' bound), so
    // the batch under way is written first, as it would have been by then.
    await e2e.browser.evaluate(async () => {
      await (globalThis as { hopscope?: WorkerApi }).hopscope?.flush();
    });
    await cdp.send('ServiceWorker.stopAllWorkers');
    await restarted;
    await navigate(`${e2e.server.origin()}/chain/start`);
    await expect.poll(() => rowTexts(panel), { timeout: 15_000 }).toHaveLength(before.length + 1);
    // The new chain shows up as it happens: wait for its last hop.
    await expect.poll(async () => (await rowTexts(panel))[0]).toMatch(/\/chain\/start → .*\/chain\/final.*6 hops/);
    const after = await rowTexts(panel);
    expect(after.slice(1)).toEqual(before);
    await cdp.detach();
  });

  it('exports a HAR that validates and re-imports to the same chains', async () => {
    const download = panel.waitForEvent('download');
    await panel.getByRole('button', { name: /^Export \d+ listed$/ }).click();
    const file = await (await download).path();
    const har = JSON.parse(await readFile(file, 'utf8'));
    assertValidHar(har);
    const recorded = (await e2e.browser.chains()).filter((c) => c.tabId === tabId);
    expect(har.log.entries.length).toBe(recorded.reduce((n, c) => n + c.hops.length, 0));
    expect(new Set(har.log.entries.map((e: { _hopscope: { chainId: string } }) => e._hopscope.chainId)).size).toBe(
      recorded.length,
    );

    const before = await rowTexts(panel);
    await panel.getByLabel('Import HAR file').setInputFiles(file);
    await panel.getByText(/Opened .*: \d+ redirect chains? from \d+ entries/).waitFor();
    const after = await rowTexts(panel);
    const strip = (t: string) => t.replace(/(\d+(\.\d+)? m?s|<1 ms)/g, '');
    // Every recorded chain with a redirect comes back, in the same order, looking the same.
    expect(after.map(strip)).toEqual(before.filter((t) => !/1 hop\b/.test(t)).map(strip));
  });

  it('saves screenshots in light and dark theme', async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    await panel.getByRole('button', { name: 'Back to recorded chains' }).click();
    await panel.getByTestId('chain-row').nth(3).click();
    await panel.emulateMedia({ colorScheme: 'light' });
    const light = await openPanel();
    await light.getByTestId('chain-row').nth(3).click();
    await light.screenshot({ path: join(ARTIFACTS, 'panel-light.png') });
    await light.emulateMedia({ colorScheme: 'dark' });
    await light.reload();
    await light.getByLabel('Preserve log').check();
    await light.getByTestId('chain-row').nth(3).click();
    expect(await light.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await light.screenshot({ path: join(ARTIFACTS, 'panel-dark.png') });
  });

  it('applies a Clear pressed while it reconnects once the worker is back', async () => {
    expect(await panel.getByTestId('chain-row').count()).toBeGreaterThan(0);
    // Press Clear the moment the panel says it lost the worker, before it is back.
    await panel.evaluate(() => {
      const observer = new MutationObserver(() => {
        const footer = document.querySelector('footer')?.textContent ?? '';
        if (!footer.includes('Reconnecting to the recorder')) return;
        observer.disconnect();
        const clear = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Clear');
        clear?.click();
        (window as unknown as { clearedWhile?: string }).clearedWhile = footer;
      });
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    const cdp = await e2e.browser.context.newCDPSession(panel);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await expect
      .poll(() => panel.evaluate(() => (window as unknown as { clearedWhile?: string }).clearedWhile))
      .toMatch(/Reconnecting to the recorder/);
    await expect.poll(() => panel.getByTestId('chain-row').count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(() => panel.getByText(/Reconnecting/).count()).toBe(0);
    expect((await e2e.browser.chains()).filter((c) => c.tabId === tabId)).toEqual([]);
    await cdp.detach();
  });
});

/**
 * The form POST a page of the tab submits, as a user would. The form is sent after the script
 * has answered, so a context destroyed under the script was another navigation's doing (the
 * form was not sent): it is filled again once that page has loaded.
 */
async function submitForm(page: Page, action: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await fillAndSubmit(page, action);
      return;
    } catch (error) {
      if (attempt >= 2 || !/Execution context was destroyed/.test(String(error))) throw error;
      await page.waitForLoadState('load');
    }
  }
}

async function fillAndSubmit(page: Page, action: string): Promise<void> {
  await page.evaluate((action) => {
    const form = document.createElement('form');
    form.method = 'POST';
    form.action = action;
    const input = document.createElement('input');
    input.name = 'a';
    input.value = '1';
    form.append(input);
    document.body.append(form);
    // After evaluate has answered: a navigation that commits first destroys the context its
    // answer comes back from ("Execution context was destroyed", seen once in CI).
    setTimeout(() => form.submit(), 0);
  }, action);
}

describe('findings in the panel: one scenario per rule family, in a tab of their own', () => {
  let tab: Page;
  let tabOf: number;
  let view: Page;
  /** The journey with a meta refresh after 2 s, browsed last. */
  let metaUrl: string;

  const findingTexts = (page: Page) =>
    page
      .getByRole('region', { name: 'Findings' })
      .getByTestId('finding')
      .evaluateAll((items) =>
        items.map((li) => `${li.querySelector('.severity')?.textContent} ${li.querySelector('.rule')?.textContent}`),
      );

  beforeAll(async () => {
    const o = e2e.server.origin();
    tab = await e2e.newPage();
    const go = (url: string) => tab.goto(url).catch(() => undefined);
    await go(`${e2e.server.origin('secure.test', 'https')}/downgrade`);
    await go(`${o}/loop/a`);
    // The loop's error page can commit after its goto rejected and interrupt the next goto,
    // whose page still commits later: the form is submitted from /ok once it is there.
    await go(`${o}/ok`);
    await tab.waitForURL(`${o}/ok`);
    await submitForm(tab, `${o}/post/302`);
    await tab.waitForURL(`${o}/echo`);
    await go(`${o}/cache/301`);
    // HSTS for sts.test was learnt from its header in the first tab: the browser upgrades.
    await go(`${e2e.server.origin('sts.test', 'http')}/sts/page`);
    metaUrl = clientJourneyUrl(e2e.server, 'meta', 2);
    await go(metaUrl);
    await tab.waitForURL('**/client/landed', { timeout: 15_000 });
    const chains = await e2e.waitForChains((all) =>
      all.some(
        (c) => c.hops[0]?.url === metaUrl && c.hops.length === 5 && c.hops[2]?.clientRedirect?.type === 'meta-refresh',
      ),
    );
    tabOf = (chains.find((c) => c.hops[0]?.url === metaUrl) as Chain).tabId;
    view = await e2e.newPage();
    await view.setViewportSize({ width: 1400, height: 800 });
    await view.goto(`chrome-extension://${e2e.browser.extensionId}/extension/panel.html?tabId=${tabOf}`);
  });

  it('opens with the newest chain selected, its hops and findings shown without a click', async () => {
    const hops = view.getByTestId('hop-row');
    await expect.poll(() => hops.count()).toBe(5);
    expect(await view.getByTestId('chain-row').first().getAttribute('aria-selected')).toBe('true');
    expect(await hops.nth(2).textContent()).toMatch(/200.*client \(meta refresh, 2 s\)/);
    const found = await findingTexts(view);
    expect(found).toContain('warning refresh-delay');
    expect(found).toContain('info client-redirect');
    await view.getByLabel('Preserve log').check();
    await expect.poll(() => view.getByTestId('chain-row').count()).toBeGreaterThanOrEqual(7);
    // Preserving the log does not move the selection.
    expect(await view.getByTestId('chain-row').first().getAttribute('aria-selected')).toBe('true');
  });

  it.each([
    ['downgrade', 'error', /secure\.test:\d+\/downgrade → http:/],
    ['loop', 'error', /\/loop\/a → /],
    ['long-chain', 'warning', /\/loop\/a → /],
    ['method-changed', 'warning', /\/post\/302 → .*\/echo/],
    ['permanent-cached-forever', 'info', /\/cache\/301 → .*\/cache\/final/],
    ['browser-upgraded', 'info', /http:\/\/sts\.test:\d+\/sts\/page → https:/],
    ['refresh-delay', 'warning', /\/r\/301\?.* → .*\/client\/landed/],
    ['client-redirect', 'info', /\/r\/301\?.* → .*\/client\/landed/],
    ['lost-query-param', 'warning', /\/r\/301\?.* → .*\/client\/landed/],
  ] as const)('finding:%s lists its scenario, whose Findings say %s', async (rule, severity, urls) => {
    await view.getByLabel('Filter chains').fill(`finding:${rule}`);
    // The filter lists the scenario's chain (a 301 elsewhere may share an info rule).
    const rows = view.getByTestId('chain-row').filter({ hasText: urls });
    await expect.poll(() => rows.count()).toBe(1);
    await rows.first().click();
    expect(await findingTexts(view)).toContain(`${severity} ${rule}`);
  });

  it('shows a finding’s source as a new-tab link, and its hop link selects the hop', async () => {
    await view.getByLabel('Filter chains').fill('finding:loop');
    await view.getByTestId('chain-row').first().click();
    const loop = view.getByTestId('finding').filter({ has: view.locator('.rule', { hasText: /^long-chain$/ }) });
    const link = loop.getByRole('link');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toBe('noreferrer noopener');
    expect(await link.getAttribute('href')).toMatch(/^https:\/\/developers\.google\.com\//);
    await loop.getByRole('button', { name: 'hop 4' }).click();
    expect(await view.getByTestId('hop-row').nth(3).getAttribute('aria-selected')).toBe('true');
    expect(await view.getByRole('region', { name: 'Hop 4 explained' }).count()).toBe(1);
  });

  it('shows the hop statuses and the worst finding in each row', async () => {
    await view.getByLabel('Filter chains').fill('');
    const row = (text: RegExp) => view.getByTestId('chain-row').filter({ hasText: text });
    expect(
      await row(/\/sts\/page/)
        .locator('.status-path')
        .textContent(),
    ).toBe('307 (HSTS) → 200');
    expect(
      await row(/\/sts\/page/)
        .locator('.hop-status.internal')
        .textContent(),
    ).toBe('307 (HSTS)');
    expect(
      await row(/\/loop\/a/)
        .getByTestId('worst-finding')
        .textContent(),
    ).toBe('error loop +1');
    expect(
      await row(/\/downgrade/)
        .getByTestId('worst-finding')
        .textContent(),
    ).toMatch(/^error downgrade/);
    expect(
      await row(/\/client\/landed/)
        .locator('.status-path')
        .textContent(),
    ).toBe('301 → 302 → 200 (meta refresh, 2 s) → 307 → 200');
  });

  it('saves a screenshot of a chain with findings', async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    await view
      .getByTestId('chain-row')
      .filter({ hasText: /\/client\/landed/ })
      .click();
    await view.getByRole('region', { name: 'Findings' }).waitFor();
    await view.screenshot({ path: join(ARTIFACTS, 'panel-findings.png') });
  });
});
