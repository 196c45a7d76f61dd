/**
 * End-to-end fixture for Firefox: the scenario server plus Firefox ESR with the Firefox build
 * (dist-firefox/ from `npm run build`), launched once per test file.
 */
import type { Page } from 'puppeteer-core';
import { type FirefoxExtensionBrowser, launchFirefoxWithExtension } from '../../src/cli/firefox.ts';
import { analyze, type AnalyzedChain as Chain } from '../../src/core/analyze/index.ts';
import { firefoxPrefsFor, type ScenarioServer, startScenarioServer, TLS_CERT_PATH } from '../../src/scenarios/index.ts';

export interface FirefoxE2E {
  server: ScenarioServer;
  browser: FirefoxExtensionBrowser;
  /** Navigates a fresh tab and returns the main-frame chains this visit added, once ended. */
  visit(url: string): Promise<Chain[]>;
  /** Submits a form from a fresh tab and returns the chain of the submission, once ended. */
  post(url: string, body: Record<string, string>): Promise<Chain>;
  waitForChains(predicate: (chains: Chain[]) => boolean, timeoutMs?: number): Promise<Chain[]>;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function startFirefoxE2E(): Promise<FirefoxE2E> {
  const server = await startScenarioServer({ testRoutes: true });
  let browser: FirefoxExtensionBrowser;
  try {
    browser = await launchFirefoxWithExtension({ prefs: firefoxPrefsFor(server), trustCertificates: [TLS_CERT_PATH] });
  } catch (error) {
    await server.close();
    throw error;
  }
  const waitForChains = async (predicate: (chains: Chain[]) => boolean, timeoutMs = 30_000): Promise<Chain[]> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const chains = (await browser.chains()).map(analyze);
      if (predicate(chains)) return chains;
      if (Date.now() > deadline) throw new Error(`timed out waiting for chains; have ${chains.length}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const fresh = async <T>(act: (page: Page) => Promise<T>): Promise<Chain[]> => {
    const known = new Set((await browser.chains()).map((c) => c.id));
    const page = await browser.puppeteer.newPage();
    await act(page).catch(() => undefined);
    const isNew = (c: Chain) =>
      !known.has(c.id) && c.type === 'main_frame' && !c.hops.some((h) => h.url === 'about:blank');
    const chains = await waitForChains((all) => {
      const mine = all.filter(isNew);
      return mine.length > 0 && mine.every((c) => c.outcome.state !== 'pending');
    });
    await page.close();
    return chains.filter(isNew);
  };
  return {
    server,
    browser,
    waitForChains,
    visit: (url) => fresh((page) => page.goto(url)),
    async post(url, body) {
      const [chain] = await fresh(async (page) => {
        await page.setContent('<form method="post"></form>');
        await Promise.all([
          page.waitForNavigation(),
          page.evaluate(
            (action: string, fields: Record<string, string>) => {
              const form = document.querySelector('form') as HTMLFormElement;
              form.action = action;
              for (const [name, value] of Object.entries(fields)) {
                const input = document.createElement('input');
                input.name = name;
                input.value = value;
                form.append(input);
              }
              setTimeout(() => form.submit(), 0); // once evaluate has answered
            },
            url,
            body,
          ),
        ]);
      });
      if (!chain) throw new Error(`no chain recorded for the form submission to ${url}`);
      return chain;
    },
    newPage: () => browser.puppeteer.newPage(),
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
