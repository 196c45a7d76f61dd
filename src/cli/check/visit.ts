/**
 * One tab of `hopscope check`: visits a URL and reads back the main-frame chains the extension
 * recorded for that tab, the same way `hopscope trace` waits for a chain (its settle logic is
 * private to trace.ts, so it is written here for tabs that run side by side: chains are told
 * apart by tab, not by "new since I started", which other tabs break).
 *
 * Each tab is a first visit: the HTTP cache is off for it (CDP `Network.setCacheDisabled`, so
 * a 301 one URL cached never answers another) and service workers are bypassed
 * (`Network.setBypassServiceWorker`, so one a site registered never answers another visit).
 * Cookies and HSTS are shared by the profile: see isolation.ts and pool.ts.
 */
import type { CDPSession, Page } from 'playwright-core';
import type { VisitOutcome } from '../../core/check/verdict.ts';
import type { Chain } from '../../core/model/chain.ts';
import { getHeader } from '../../core/model/headers.ts';
import { withoutFragment } from '../../core/model/url.ts';
import { refreshDelay } from '../../core/record/recorder.ts';
import type { ExtensionBrowser } from '../browser.ts';

export interface VisitTiming {
  /** The most a visit may take, in ms, waits included. */
  timeoutMs: number;
  /**
   * After the load, how long a page that has scripts is watched for a redirect of its own
   * (JavaScript, timers), in ms. A declared refresh (meta tag, Refresh header) is waited for
   * whatever this is; a page without scripts, frames or handlers cannot move on by itself.
   */
  settleMs: number;
}

const POLL_MS = 20;
/** How long the worker waits for a visit's chains to end before answering what it has. */
const WORKER_WAIT_MS = 1_000;
const MAX_CLIENT_REDIRECTS = 10;
/** Time on top of a declared refresh delay for the next navigation to start. */
const REFRESH_GRACE_MS = 5_000;
/** A reset to about:blank: how often it is asked before the visit goes on, and how long each may take. */
const RESET_ATTEMPTS = 3;
const RESET_TIMEOUT_MS = 5_000;

/**
 * Runs in the extension's service worker: the main-frame chains of one tab since a time. With
 * `waitMs`, answered once the tab has one and every one has ended, or after `waitMs` (the worker
 * is woken by its store's changes, nothing polls). A visit asks so as its navigation starts, so
 * the chains are on their way back when the page has loaded: no round trip to the worker follows
 * the load. `waitMs` stays well under the CLI's 3 s limit for a worker answer (browser.ts).
 */
async function chainsOfTab(query: { tabId: number; since: number; waitMs?: number }): Promise<Chain[]> {
  const api = globalThis.hopscope;
  if (!api) throw new Error('the Hopscope service worker is not ready');
  return api.tabChains(query);
}

/** Runs in the service worker: the ids of all tabs (no URL needed, so no `tabs` permission). */
async function tabIds(): Promise<number[]> {
  const tabs = (globalThis as unknown as { chrome: { tabs: { query(q: object): Promise<Array<{ id?: number }>> } } })
    .chrome.tabs;
  return (await tabs.query({})).map((t) => t.id ?? -1);
}

/** Runs in the page (sent as text): its refresh tag and whether anything in it can run script. */
const PROBE = `(() => {
  let scripted = document.querySelector('script, iframe, frame, object, embed') !== null;
  const all = document.getElementsByTagName('*');
  for (let i = 0; !scripted && i < all.length && i < 5000; i++) {
    for (const name of all[i].getAttributeNames()) if (name.toLowerCase().startsWith('on')) scripted = true;
  }
  const meta = document.querySelector('meta[http-equiv="refresh" i]');
  return {
    href: location.href,
    meta: meta ? meta.getAttribute('content') ?? undefined : undefined,
    scripted: scripted || all.length >= 5000,
  };
})()`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What PROBE reads: the document's URL, its refresh tag, whether it can run script. */
interface PageProbe {
  href: string;
  meta?: string;
  scripted: boolean;
}

/** One lock for everything that opens a tab: a new tab is found as "the id that was not there". */
export class TabLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** Opens a page and finds its tab id, which the extension's chains carry. */
export async function openTab(browser: ExtensionBrowser, lock: TabLock): Promise<{ page: Page; tabId: number }> {
  return lock.run(async () => {
    for (let attempt = 0; ; attempt++) {
      const before = new Set(await browser.evaluate(tabIds));
      const page = await browser.context.newPage();
      const added = (await browser.evaluate(tabIds)).filter((id) => !before.has(id));
      if (added.length === 1) return { page, tabId: added[0] as number };
      await page.close();
      if (attempt >= 3) throw new Error('could not tell which tab Chromium opened for a page');
    }
  });
}

function netError(error: unknown): string {
  const text = String(error);
  if (/Timeout .*exceeded/i.test(text)) return 'timeout';
  return /net::ERR_[A-Z_0-9]+/.exec(text)?.[0] ?? text.split('\n')[0] ?? 'navigation failed';
}

function hopCount(chains: readonly Chain[]): number {
  let n = 0;
  for (const c of chains) n += c.hops.length + (c.outcome.state === 'pending' ? 1 : 0);
  return n;
}

export class CheckPage {
  /** Whether the page the tab shows could still move on by itself (script, refresh, unknown). */
  private mayMove = false;
  /** Visits made in this tab. */
  visits = 0;
  /** How many times the tab has shown about:blank (its resets, and any that came late). */
  private blanks = 0;

  private constructor(
    private readonly browser: ExtensionBrowser,
    readonly page: Page,
    readonly tabId: number,
    private readonly cdp: CDPSession,
  ) {}

  static async open(browser: ExtensionBrowser, lock: TabLock): Promise<CheckPage> {
    const { page, tabId } = await openTab(browser, lock);
    const cdp = await browser.context.newCDPSession(page);
    // No response bodies kept for us; the cache switch needs the Network domain on.
    await cdp.send('Network.enable', { maxTotalBufferSize: 0, maxResourceBufferSize: 0 });
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.setBypassServiceWorker', { bypass: true });
    // A page's popups and dialogs are not what is checked: close them, never wait on them.
    page.on('popup', (p) => void p.close().catch(() => undefined));
    page.on('dialog', (d) => void d.dismiss().catch(() => undefined));
    const checkPage = new CheckPage(browser, page, tabId, cdp);
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame() && frame.url() === 'about:blank') checkPage.blanks++;
    });
    return checkPage;
  }

  get closed(): boolean {
    return this.page.isClosed();
  }

  private chains(since: number): Promise<Chain[]> {
    return this.browser.evaluate(chainsOfTab, { tabId: this.tabId, since });
  }

  /**
   * Waits until every chain of the visit has ended and the tab shows the end of one of them (a
   * client redirect has then joined its journey), or until the deadline.
   */
  private async settle(
    since: number,
    deadline: number,
    first?: Promise<Chain[]>,
  ): Promise<{ chains: Chain[]; ended: boolean }> {
    for (let read = first; ; read = undefined) {
      const chains = await (read ?? this.chains(since));
      const shown = withoutFragment(this.page.url());
      const ended = chains.length > 0 && chains.every((c) => c.outcome.state !== 'pending');
      const landed =
        !shown.startsWith('http') || chains.some((c) => withoutFragment(c.hops.at(-1)?.url ?? '') === shown);
      if (ended && landed) return { chains, ended: true };
      if (Date.now() >= deadline) return { chains, ended: false };
      await sleep(POLL_MS);
    }
  }

  /**
   * What the page shows: its `<meta http-equiv="refresh">` and whether it can move on by itself
   * (a script, a frame, a plug-in or an event handler). One CDP evaluation on this tab's own
   * session; undefined when the page is being replaced meanwhile.
   */
  private async probe(): Promise<PageProbe | undefined> {
    try {
      const { result, exceptionDetails } = await this.cdp.send('Runtime.evaluate', {
        expression: PROBE,
        returnByValue: true,
      });
      if (exceptionDetails) return undefined;
      return result.value as PageProbe;
    } catch {
      return undefined;
    }
  }

  /** Whether the last page could run script (the pool then looks for cookies it may have set). */
  get scripted(): boolean {
    return this.mayMove;
  }

  /** How long to watch the page for a redirect of its own: a declared refresh, or the settle window. */
  private async clientWait(
    chain: Chain | undefined,
    settleMs: number,
    left: number,
    early: PageProbe | undefined,
  ): Promise<number | undefined> {
    const last = chain?.hops.at(-1);
    if (!last || last.error || !/^https?:/.test(this.page.url())) return undefined;
    // The tab shows another page than the chain's end: it is moving on; give the recorder time.
    if (withoutFragment(this.page.url()) !== withoutFragment(last.url)) return Math.min(REFRESH_GRACE_MS, left);
    const header = getHeader(last.responseHeaders, 'refresh');
    // The probe made while the chains were read counts when it read the document the chain ended on.
    const page = early && withoutFragment(early.href) === withoutFragment(last.url) ? early : await this.probe();
    // The page could not be read: it is navigating away (a 0 s refresh, a script) right now.
    this.mayMove = !page || page.scripted || (header ?? page.meta) !== undefined;
    if (!page) return Math.min(REFRESH_GRACE_MS, left);
    const delay = refreshDelay(header ?? page.meta);
    if (delay !== undefined) {
      const ms = delay * 1000;
      // A refresh later than the time left is not waited for: the refresh-delay finding says it.
      return ms < left ? Math.min(ms + REFRESH_GRACE_MS, left) : page.scripted ? Math.min(settleMs, left) : undefined;
    }
    return page.scripted && settleMs > 0 ? Math.min(settleMs, left) : undefined;
  }

  /** Visits one URL and returns what the extension recorded for it. */
  async visit(url: string, timing: VisitTiming): Promise<VisitOutcome> {
    for (let attempt = 0; ; attempt++) {
      const { outcome, interrupted } = await this.visitOnce(url, timing);
      // A reset to about:blank that still lands late (see reset()) cuts this visit short:
      // Playwright's goto says "interrupted by another navigation to about:blank", or the page
      // loaded and the late about:blank took its place before its refresh. The page never got to
      // move on: the visit is made again.
      if (!interrupted || attempt >= 2) return outcome;
    }
  }

  private async visitOnce(url: string, timing: VisitTiming): Promise<{ outcome: VisitOutcome; interrupted: boolean }> {
    const since = Date.now();
    const deadline = since + timing.timeoutMs;
    this.mayMove = true;
    this.visits++;
    const blanksBefore = this.blanks;
    let navigationError: string | undefined;
    let timedOut: string | undefined;
    // Asked of the worker now, answered once the chains have ended: usually before the load.
    const ending = this.browser.evaluate(chainsOfTab, {
      tabId: this.tabId,
      since,
      waitMs: Math.min(WORKER_WAIT_MS, timing.timeoutMs),
    });
    ending.catch(() => undefined);
    try {
      await this.page.goto(url, { waitUntil: 'load', timeout: timing.timeoutMs });
    } catch (error) {
      navigationError = netError(error);
      if (navigationError === 'timeout') timedOut = 'the page to load';
    }
    // The page is probed while the chains are read: one round trip after the load, not two.
    const probing = navigationError ? Promise.resolve(undefined) : this.probe();
    let { chains, ended } = await this.settle(since, deadline, ending);
    let early = await probing;
    if (!ended) timedOut ??= chains.length ? 'the chain to end' : 'the navigation to start';
    // A page may move on by itself (meta refresh, Refresh header, script): follow it into the journey.
    for (let i = 0; ended && i < MAX_CLIENT_REDIRECTS; i++) {
      const before = hopCount(chains);
      const end = withoutFragment(chains.at(-1)?.hops.at(-1)?.url ?? '');
      const wait = await this.clientWait(chains.at(-1), timing.settleMs, deadline - Date.now(), early);
      early = undefined;
      // Nothing can move the page on, and it is still the one probed: the visit is over.
      if (wait === undefined && withoutFragment(this.page.url()) === end) break;
      if (wait !== undefined) {
        const shown = withoutFragment(this.page.url());
        const until = Date.now() + wait;
        // Polling, not an event: a 0 s refresh may already have happened.
        while (Date.now() < until && withoutFragment(this.page.url()) === shown) {
          await sleep(POLL_MS * 2);
          // A navigation under way has not changed the URL yet, but its request is recorded.
          if (hopCount(await this.chains(since)) !== before) break;
        }
      }
      // Read again: the page may have moved on meanwhile, even when nothing was waited for.
      ({ chains, ended } = await this.settle(since, deadline));
      if (!ended) timedOut = 'a client-side redirect to finish';
      if (hopCount(chains) === before) break;
    }
    // The tab went to about:blank by itself during the visit (a late reset: it cut the goto short,
    // "interrupted by another navigation to about:blank", or took the loaded page's place).
    const interrupted = this.blanks !== blanksBefore;
    // Leave the tab empty when the page could still move on: a late refresh or script must not
    // run into the next visit. A page that cannot (no script, no refresh) stays until then.
    if (this.mayMove || !ended || timedOut) await this.reset();
    const outcome: VisitOutcome = { chains };
    if (navigationError && navigationError !== 'timeout') outcome.navigationError = navigationError;
    if (timedOut) outcome.timedOut = timedOut;
    return { outcome, interrupted };
  }

  /**
   * Shows about:blank in the tab, and returns once that navigation has committed. A failed
   * visit's goto rejects as its request fails, before Chromium commits the error page: a reset
   * asked for then is "interrupted by another navigation to chrome-error://chromewebdata/" while
   * its own navigation goes on and commits later, into the next visit (seen in a debug log of the
   * 500-row e2e). So a reset that was interrupted waits for the tab to show about:blank; asking
   * again at once does not help (each new reset is interrupted by the commit of the one before).
   */
  private async reset(): Promise<void> {
    for (let attempt = 0; attempt < RESET_ATTEMPTS; attempt++) {
      const blanks = this.blanks;
      try {
        await this.page.goto('about:blank', { timeout: RESET_TIMEOUT_MS });
        return;
      } catch {
        if (this.page.isClosed()) return;
      }
      for (const until = Date.now() + RESET_TIMEOUT_MS; Date.now() < until; ) {
        if (this.blanks !== blanks && this.page.url() === 'about:blank') return;
        await sleep(POLL_MS);
      }
    }
  }

  async close(): Promise<void> {
    await this.cdp.detach().catch(() => undefined);
    await this.page.close().catch(() => undefined);
  }
}
