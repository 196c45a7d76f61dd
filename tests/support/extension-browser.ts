/**
 * End-to-end fixture: the scenario server plus Chromium with the built extension, as users
 * get it (dist/ from `npm run build`).
 */
import type { Page } from 'playwright-core';
import { type ExtensionBrowser, launchWithExtension } from '../../src/cli/browser.ts';
import { analyze, type AnalyzedChain as Chain } from '../../src/core/analyze/index.ts';
import { browserArgsFor, type ScenarioServer, startScenarioServer } from '../../src/scenarios/index.ts';

export interface E2E {
  server: ScenarioServer;
  browser: ExtensionBrowser;
  /** Navigates a fresh tab and returns the main-frame chains this visit added, once ended. */
  visit(url: string): Promise<Chain[]>;
  /** Waits until `predicate` holds for the recorded chains. */
  waitForChains(predicate: (chains: Chain[]) => boolean, timeoutMs?: number): Promise<Chain[]>;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export interface E2EOptions {
  /** The browser to run (default: CHROME_PATH or /usr/bin/chromium). */
  browserPath?: string;
  /** Chrome's HTTPS-Upgrades, on by default as in every Chrome (see LaunchOptions). */
  httpsUpgrades?: boolean;
}

export async function startE2E(options: E2EOptions = {}): Promise<E2E> {
  // Test routes: worker-restart holds /slow/final, privacy visits /hostile.
  const server = await startScenarioServer({ testRoutes: true });
  const browser = await launchWithExtension({ ...options, args: browserArgsFor(server) });
  const waitForChains = async (predicate: (chains: Chain[]) => boolean, timeoutMs = 20_000): Promise<Chain[]> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const chains = (await browser.chains()).map(analyze);
      if (predicate(chains)) return chains;
      if (Date.now() > deadline) throw new Error(`timed out waiting for chains; have ${chains.length}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return {
    server,
    browser,
    waitForChains,
    async visit(url) {
      const known = new Set((await browser.chains()).map((c) => c.id));
      const page = await browser.context.newPage();
      await page.goto(url).catch(() => undefined);
      const isNew = (c: Chain) => !known.has(c.id) && c.type === 'main_frame';
      const chains = await waitForChains((all) => {
        const fresh = all.filter(isNew);
        return fresh.length > 0 && fresh.every((c) => c.outcome.state !== 'pending');
      });
      await page.close();
      return chains.filter(isNew);
    },
    newPage: () => browser.context.newPage(),
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** The fields a user sees for each hop, for compact hop-by-hop assertions. */
export function hopRows(chain: Chain | undefined) {
  return (chain?.hops ?? []).map((h) => ({
    status: h.statusCode,
    statusText: h.statusText,
    method: h.method,
    kind: h.kind === 'internal' ? `internal:${h.internalReason}` : h.kind,
    fromCache: h.fromCache,
    url: h.url,
    redirectUrl: h.redirectUrl,
  }));
}
