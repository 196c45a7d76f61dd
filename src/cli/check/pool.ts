/**
 * The tabs of one `hopscope check` run, and the rule that keeps results independent of the order
 * of the list: every URL is checked as if it were the first one.
 *
 * - The HTTP cache is off and service workers are bypassed in every tab (visit.ts).
 * - Cookies, site storage and HSTS a site set are shared by the profile. After each visit the
 *   pool looks at what it left (cookies in the profile; a Strict-Transport-Security answer); if
 *   anything, it stops starting visits, lets the running ones end, and cleans the profile
 *   (isolation.ts) before the next ones start: a quiet point.
 * - A visit that ran beside the one that left state may have met it. The chains say so: a hop
 *   sent a cookie that no earlier answer of its own visit set, or the browser upgraded a host by
 *   HSTS that its own visit never asked for and that is not preloaded. Such a visit is checked
 *   again alone, in a clean profile, and that result is the one reported.
 */
import { contamination, hstsHostsSet, originsOf, setsCookies } from '../../core/check/isolation.ts';
import type { VisitOutcome } from '../../core/check/verdict.ts';
import { parseUrl } from '../../core/model/url.ts';
import type { ExtensionBrowser } from '../browser.ts';
import { ProfileCleaner } from './isolation.ts';
import { CheckPage, TabLock, type VisitTiming } from './visit.ts';

/**
 * Visits a tab makes before a fresh tab takes its place. Playwright keeps ~55 kB per navigation
 * of a page until the page is closed (measured: heap after GC), and the tab's history grows:
 * a new tab now and then keeps the memory of a long list flat.
 */
const VISITS_PER_TAB = 100;

export interface PoolResult {
  outcome: VisitOutcome;
  /** Checked a second time on its own because another visit may have changed the first result. */
  rechecked: boolean;
}

export class VisitPool {
  private readonly free: CheckPage[] = [];
  private inFlight = 0;
  private cleanWanted = false;
  private busy = false;
  /** Visits waiting to run alone: no other visit starts meanwhile. */
  private exclusiveWanted = 0;
  private waiters: Array<() => void> = [];
  private readonly origins = new Set<string>();
  private readonly hstsHosts = new Set<string>();
  private exclusiveTail: Promise<unknown> = Promise.resolve();
  /** Why the profile could not be cleaned: every later visit fails with it. */
  private failure: Error | undefined;
  /** Visits checked again alone. */
  rechecks = 0;

  private constructor(
    private readonly browser: ExtensionBrowser,
    private readonly lock: TabLock,
    private readonly cleaner: ProfileCleaner,
    private readonly timing: VisitTiming,
  ) {}

  static async open(browser: ExtensionBrowser, size: number, timing: VisitTiming): Promise<VisitPool> {
    const lock = new TabLock();
    const cleaner = await ProfileCleaner.open(browser, lock);
    const pool = new VisitPool(browser, lock, cleaner, timing);
    for (let i = 0; i < size; i++) pool.free.push(await CheckPage.open(browser, lock));
    return pool;
  }

  private blocked(): boolean {
    return this.cleanWanted || this.busy || this.exclusiveWanted > 0;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private async enter(): Promise<void> {
    while (this.blocked() && !this.failure) await new Promise<void>((r) => this.waiters.push(r));
    if (this.failure) throw this.failure;
    this.inFlight++;
  }

  private leave(): void {
    this.inFlight--;
    if (this.inFlight === 0 && this.cleanWanted && !this.busy) void this.quietPoint();
    else this.wake();
  }

  /** Nothing runs: clean the profile, then let visits start again. */
  private async quietPoint(): Promise<void> {
    this.busy = true;
    try {
      await this.cleanNow();
    } catch (error) {
      this.failure ??= error as Error;
    } finally {
      this.cleanWanted = false;
      this.busy = false;
      this.wake();
    }
  }

  private async cleanNow(): Promise<void> {
    const origins = [...this.origins];
    const hosts = [...this.hstsHosts];
    this.origins.clear();
    this.hstsHosts.clear();
    await this.cleaner.clean({ origins, hstsHosts: hosts });
  }

  /** Waits until nothing runs and holds the pool, for a visit alone in a clean profile. */
  private async alone<T>(fn: () => Promise<T>): Promise<T> {
    this.exclusiveWanted++;
    const run = async () => {
      while (this.inFlight > 0 || this.busy) await new Promise<void>((r) => this.waiters.push(r));
      this.busy = true;
      try {
        await this.cleanNow();
        const result = await fn();
        await this.cleanNow();
        return result;
      } finally {
        this.exclusiveWanted--;
        this.cleanWanted = false;
        this.busy = false;
        this.wake();
      }
    };
    const result = this.exclusiveTail.then(run, run);
    this.exclusiveTail = result.catch(() => undefined);
    return result;
  }

  private async page(): Promise<CheckPage> {
    const page = this.free.pop() as CheckPage;
    if (!page.closed) return page;
    // The tab crashed or was closed: a new one takes its place.
    return CheckPage.open(this.browser, this.lock);
  }

  private async visitWith(url: string): Promise<{ outcome: VisitOutcome; scripted: boolean }> {
    let page = await this.page();
    try {
      const outcome = await page.visit(url, this.timing);
      const scripted = page.scripted;
      if (page.visits >= VISITS_PER_TAB) {
        await page.close();
        page = await CheckPage.open(this.browser, this.lock);
      }
      return { outcome, scripted };
    } finally {
      this.free.push(page);
    }
  }

  private visits = 0;

  /**
   * Notes what a visit may have left; true when the profile needs cleaning. The cookie jar is
   * looked at when the visit may have set cookies (a Set-Cookie recorded, a page that runs
   * script), and every 16th visit for the rest (an image's Set-Cookie is not recorded); a cookie
   * that reaches another visit before that is caught by `contaminated`.
   */
  private async note(visit: { outcome: VisitOutcome; scripted: boolean }): Promise<boolean> {
    const { outcome, scripted } = visit;
    for (const o of originsOf(outcome.chains)) this.origins.add(o);
    const hsts = hstsHostsSet(outcome.chains);
    for (const h of hsts) this.hstsHosts.add(h);
    if (hsts.length) return true;
    const look = scripted || setsCookies(outcome.chains) || ++this.visits % 16 === 0;
    return look && (await this.cleaner.cookieCount()) > 0;
  }

  private async contaminated(outcome: VisitOutcome): Promise<boolean> {
    const hstsHosts = new Set<string>();
    for (const c of outcome.chains) {
      for (const h of c.hops) {
        const host = parseUrl(h.url)?.hostname;
        if (h.kind === 'internal' && h.internalReason === 'HSTS' && host) hstsHosts.add(host);
      }
    }
    const preloaded = new Set<string>();
    for (const host of hstsHosts) if (await this.cleaner.isPreloaded(host)) preloaded.add(host);
    const found = contamination(outcome.chains, (host) => preloaded.has(host));
    for (const host of found?.hstsHosts ?? []) this.hstsHosts.add(host);
    return found !== undefined;
  }

  /** Checks one URL as a first visit. */
  async check(url: string): Promise<PoolResult> {
    await this.enter();
    let outcome: VisitOutcome;
    try {
      const visit = await this.visitWith(url);
      outcome = visit.outcome;
      if (await this.note(visit)) this.cleanWanted = true;
    } finally {
      this.leave();
    }
    if (!(await this.contaminated(outcome))) return { outcome, rechecked: false };
    this.rechecks++;
    const again = await this.alone(async () => {
      const visit = await this.visitWith(url);
      await this.note(visit);
      return visit.outcome;
    });
    return { outcome: again, rechecked: true };
  }

  async close(): Promise<void> {
    await Promise.all(this.free.map((p) => p.close()));
    await this.cleaner.close();
  }
}
