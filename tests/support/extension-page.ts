/**
 * Reads the recorded chains the way the panel does: an extension page opens a port to the
 * service worker and subscribes to every tab. Unlike `worker.evaluate`, this does not depend on
 * Playwright tracking a worker that is stopped and started again and again.
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { ExtensionBrowser } from '../../src/cli/browser.ts';
import type { AnalyzedChain as Chain } from '../../src/core/analyze/index.ts';
import { PORT_NAME, PROTOCOL_VERSION } from '../../src/shared/protocol.ts';

interface ChromeGlobal {
  chrome: {
    runtime: {
      connect(info: { name: string }): {
        postMessage(m: unknown): void;
        disconnect(): void;
        onMessage: {
          addListener(
            f: (m: { type: string; chains?: Chain[]; removed?: string[]; evicted?: number; more?: boolean }) => void,
          ): void;
        };
        onDisconnect: { addListener(f: () => void): void };
      };
    };
  };
}

export interface Snapshot {
  chains: Chain[];
  evicted: number;
}

/** An extension page to talk to the worker from (opened once, reused). */
export async function openExtensionPage(context: BrowserContext, extensionId: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/extension/popup.html?tabId=-1`);
  return page;
}

/**
 * The worker's chains of one tab (or all): its snapshot, then the older chains, a chunk each
 * time this asks for more (`hopscope/more`, as the panel does once it has shown the last).
 * Retries while the worker is being stopped and started.
 */
export async function snapshotViaPort(
  page: Page,
  { tabId = null, timeoutMs = 30_000 }: { tabId?: number | null; timeoutMs?: number } = {},
): Promise<Snapshot> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await page
      .evaluate(
        ({ name, version, tabId }) =>
          new Promise<Snapshot | string>((resolve) => {
            const port = (globalThis as unknown as ChromeGlobal).chrome.runtime.connect({ name });
            const byId = new Map<string, Chain>();
            let evicted = 0;
            let snapshot = false;
            let quiet: ReturnType<typeof setTimeout> | undefined;
            const finish = () => {
              port.disconnect();
              resolve({ chains: [...byId.values()].sort((a, b) => a.startTime - b.startTime), evicted });
            };
            const timer = setTimeout(() => {
              port.disconnect();
              resolve('no answer');
            }, 5_000);
            // The snapshot holds the newest chains; older ones follow as updates, a chunk each
            // time one is asked for. Done once no message came for a while.
            port.onMessage.addListener((m) => {
              if (m.type === 'hopscope/snapshot') {
                snapshot = true;
                clearTimeout(timer);
              }
              if (!snapshot || (m.type !== 'hopscope/snapshot' && m.type !== 'hopscope/update')) return;
              for (const c of m.chains ?? []) byId.set(c.id, c);
              for (const id of m.removed ?? []) byId.delete(id);
              evicted = m.evicted ?? evicted;
              if (m.more) port.postMessage({ type: 'hopscope/more' });
              clearTimeout(quiet);
              quiet = setTimeout(finish, 500);
            });
            port.onDisconnect.addListener(() => {
              clearTimeout(timer);
              clearTimeout(quiet);
              resolve('disconnected');
            });
            port.postMessage({ type: 'hopscope/subscribe', version, tabId });
          }),
        { name: PORT_NAME, version: PROTOCOL_VERSION, tabId },
      )
      .catch((error: Error) => error.message);
    if (typeof result !== 'string') return result;
    if (Date.now() > deadline) throw new Error(`the service worker did not send a snapshot: ${result}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The tab id Chromium gave the tab showing `url`, asked from an extension page. */
export async function tabIdOf(reader: Page, url: string): Promise<number> {
  const id = await reader.evaluate(async (u) => {
    const tabs = (
      globalThis as unknown as { chrome: { tabs: { query(q: object): Promise<Array<{ id?: number; url?: string }>> } } }
    ).chrome.tabs;
    return (await tabs.query({})).find((t) => t.url === u)?.id;
  }, url);
  if (id === undefined) throw new Error(`no tab shows ${url}`);
  return id;
}

/**
 * Opens the panel in a tab, showing every tab: while it is open the worker records subresource
 * chains, as it does for a user with the panel open (src/background/watch.ts). `tab`: the panel
 * of one tab only, as when DevTools is open on another tab (the worker records, the panel shows
 * nothing of the others). Resolves once the worker counts it as watching; close the page to stop.
 */
export async function openWatchingPanel(browser: ExtensionBrowser, tab: 'all' | number = 'all'): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(`chrome-extension://${browser.extensionId}/extension/panel.html?tabId=${tab}`);
  await untilStats(browser, (s) => s.watching > 0 && s.subresources, 'the panel to be counted as watching');
  return page;
}

/** Waits until the worker's counters satisfy `ok` (polled; the worker is woken when stopped). */
export async function untilStats(
  browser: ExtensionBrowser,
  ok: (stats: Awaited<ReturnType<ExtensionBrowser['stats']>>) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await browser.stats();
    if (ok(stats)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(stats)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
