/**
 * Cleaning the shared profile between visits, so what one URL left cannot change another's
 * verdict. What each piece of state needs:
 *
 * - HTTP cache: off in every check tab (visit.ts), so nothing to clean.
 * - Service workers: bypassed in every check tab (visit.ts).
 * - Cookies: `Network.clearBrowserCookies` (the whole profile).
 * - Site storage (localStorage, IndexedDB, Cache Storage, service worker registrations):
 *   `Storage.clearDataForOrigin` for every origin the visits since the last cleaning reached.
 * - HSTS a site asked for (Strict-Transport-Security): CDP has no command for it, so the
 *   browser's own chrome://net-internals/#hsts page deletes the host's entry ("Delete domain
 *   security policies"), and its query tells a preloaded host (built into the browser, the same
 *   for every user, never deleted) from one a visit added.
 *
 * Not cleaned: Chrome's memory of hosts whose HTTPS-Upgrade failed (it then stops upgrading
 * them for a while; no CDP or page reaches it), DNS and connections (they change no verdict).
 */
import type { CDPSession, Page } from 'playwright-core';
import type { ExtensionBrowser } from '../browser.ts';
import { openTab, type TabLock } from './visit.ts';

export class ProfileCleaner {
  private readonly preloaded = new Map<string, boolean>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly page: Page,
    private readonly cdp: CDPSession,
  ) {}

  static async open(browser: ExtensionBrowser, lock: TabLock): Promise<ProfileCleaner> {
    const { page } = await openTab(browser, lock);
    await page.goto('chrome://net-internals/#hsts');
    const cdp = await browser.context.newCDPSession(page);
    return new ProfileCleaner(page, cdp);
  }

  /** One net-internals action at a time: they share the page's form. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(fn, fn);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** How many cookies the profile holds. */
  async cookieCount(): Promise<number> {
    const { cookies } = await this.cdp.send('Storage.getCookies', {});
    return cookies.length;
  }

  /** What chrome://net-internals says of a host's HSTS: `static_…` (preload) and `dynamic_…` fields. */
  private hstsQuery(host: string): Promise<string> {
    return this.serial(() =>
      this.page.evaluate(async (domain) => {
        const input = document.getElementById('hsts-view-query-input') as HTMLInputElement | null;
        const submit = document.getElementById('hsts-view-query-submit');
        const output = document.getElementById('hsts-view-query-output');
        if (!input || !submit || !output) throw new Error('chrome://net-internals has no HSTS query form');
        output.textContent = '';
        input.value = domain;
        submit.click();
        for (let i = 0; i < 200 && !output.textContent; i++) await new Promise((r) => setTimeout(r, 5));
        return output.textContent ?? '';
      }, host),
    );
  }

  /** Whether the browser's built-in HSTS preload list covers the host (asked once per host). */
  async isPreloaded(host: string): Promise<boolean> {
    const known = this.preloaded.get(host);
    if (known !== undefined) return known;
    const preloaded = /static_upgrade_mode:\s*FORCE_HTTPS/.test(await this.hstsQuery(host));
    this.preloaded.set(host, preloaded);
    return preloaded;
  }

  /** Deletes what visits left: cookies, the storage of some origins, HSTS a site set on some hosts. */
  async clean(what: { origins: Iterable<string>; hstsHosts: Iterable<string> }): Promise<void> {
    await this.cdp.send('Network.clearBrowserCookies');
    for (const origin of what.origins) {
      await this.cdp
        .send('Storage.clearDataForOrigin', {
          origin,
          storageTypes: 'cookies,local_storage,indexeddb,websql,cache_storage,service_workers,file_systems',
        })
        .catch(() => undefined);
    }
    for (const host of what.hstsHosts) {
      await this.serial(() =>
        this.page.evaluate((domain) => {
          const input = document.getElementById('domain-security-policy-view-delete-input') as HTMLInputElement | null;
          const submit = document.getElementById('domain-security-policy-view-delete-submit');
          if (!input || !submit) throw new Error('chrome://net-internals has no form to delete HSTS entries');
          input.value = domain;
          submit.click();
        }, host),
      );
      // The deletion reaches the network service asynchronously: done once a query no longer finds it.
      for (let i = 0; i < 50 && /dynamic_upgrade_mode:\s*FORCE_HTTPS/.test(await this.hstsQuery(host)); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  }

  async close(): Promise<void> {
    await this.cdp.detach().catch(() => undefined);
    await this.page.close().catch(() => undefined);
  }
}
