/**
 * Visits URLs in one browser profile, in order, and reads back the main-frame chains the
 * extension recorded for each visit.
 *
 * A visit ends when the page has settled, and at the latest after `timeoutMs`. Settled means:
 * the recorder's chains of the visit's tab have ended, the page the tab shows is loaded and is
 * the end of one of them (so a client redirect has been joined to its journey), a refresh the
 * page announced (meta refresh, `Refresh` header) has happened or is due after the timeout, and
 * nothing moved for `settleMs` after the last navigation or load (a script may move on by
 * itself, e.g. from a timer). A page that cannot move on by itself (no script, no frame, no
 * announced refresh) needs no settle window. Every wait here is bounded by the visit's deadline.
 */
import { type AnalyzedChain, analyze } from '../core/analyze/index.ts';
import type { Chain as ChainFacts } from '../core/model/chain.ts';
import { getHeader } from '../core/model/headers.ts';
import { sameResource } from '../core/model/url.ts';
import { describeNetError } from '../core/present/explain/index.ts';
import { plural } from '../core/present/plural.ts';
import { refreshDelay } from '../core/record/recorder.ts';
import { type RecordingBrowser, UserError } from './browser.ts';
import { bounded, type VisitTab } from './tabs.ts';

export { submitForm } from './tabs.ts';

type Chain = AnalyzedChain;

export interface TraceTarget {
  url: string;
  method?: string;
  /** `application/x-www-form-urlencoded` body, sent by submitting a real form. */
  data?: string;
}

export interface TraceOptions {
  /** How long a loaded page must stay put before its visit ends (ms). Default 3000. */
  settleMs?: number;
  /** The most one visit may take, from the navigation to the end of its settle window (ms). Default 30000. */
  timeoutMs?: number;
}

export const DEFAULT_SETTLE_MS = 3_000;
export const DEFAULT_TIMEOUT_MS = 30_000;

/** `hopscope trace` exit codes (README "hopscope trace"). */
export const EXIT = {
  ok: 0,
  /** A chain ended in an error (loop, unreachable host, …). */
  chainError: 1,
  /** A usage problem: bad URL or option, no browser, no build. */
  usage: 2,
  /** A visit gave up at --timeout. */
  timeout: 3,
} as const;

/** What a visit was still waiting for when it reached its timeout. */
export interface GaveUp {
  waitingFor: 'load' | 'refresh' | 'moving';
  /** The page (or request) it was waiting on. */
  url: string;
  timeoutMs: number;
  /** Navigations the page started by itself during the visit. */
  clientRedirects: number;
  /** For `refresh`: the delay the page announced, in seconds. */
  refreshSeconds?: number;
}

export interface TraceResult {
  target: TraceTarget;
  /** Main-frame chains started by this visit in its tab (normally one journey). */
  chains: Chain[];
  /** What the page load itself reported, e.g. net::ERR_CONNECTION_REFUSED. */
  navigationError?: string;
  /** Set when the visit reached its timeout before the page settled. */
  gaveUp?: GaveUp;
  /** The tab crashed during the visit. */
  crashed?: true;
  /** A refresh the shown page announced with a delay longer than the whole timeout: not waited for. */
  refreshNotFollowed?: { url: string; delaySeconds: number };
}

/**
 * Turns what the user typed into an absolute http(s) URL. A bare host such as
 * `example.com/path` is taken as http://, as the address bar does.
 */
export function parseTargetUrl(input: string): string {
  const text = input.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(text)
    ? text
    : /^[\w.-]+(:\d+)?(\/|$)/.test(text)
      ? `http://${text}`
      : text;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UserError(`'${input}' is not a URL. Give a full URL such as https://example.com/path.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(`'${input}' is not an http(s) URL: Hopscope traces http:// and https:// URLs only.`);
  }
  return url.href;
}

/** How often the visit looks at the page and the recorder when no page event woke it first. */
const POLL_MS = 100;
/** The least time given to an announced refresh after it was due, and to a recorder that has not joined yet. */
const MIN_GRACE_MS = 1_000;
/** The longest one look into the page may take. */
const PROBE_MS = 1_000;

function isTimeoutError(error: unknown): boolean {
  return (error as Error | undefined)?.name === 'TimeoutError';
}

/** What the page shows, seen from inside it. */
interface DocState {
  /** The document's URL as loaded (its navigation entry; for an error page, the URL that failed). */
  url: string;
  /** performance.timeOrigin: tells one document from the next, even at the same URL. */
  origin: number;
  /** An http(s) document (not an error page or about:blank). */
  http: boolean;
  ready: string;
  /** content of `<meta http-equiv="refresh">`, if any. */
  meta?: string;
  /** No script, frame, plug-in, template or event handler attribute: the page cannot move on by itself. */
  still: boolean;
}

/**
 * Runs in the page. No helper functions inside: the function is sent as text, and a bundler's
 * naming helpers would not exist there.
 */
const readDocument = (): DocState => {
  const nav = performance.getEntriesByType('navigation')[0];
  const http = location.protocol === 'http:' || location.protocol === 'https:';
  const meta = document.querySelector('meta[http-equiv="refresh" i]')?.getAttribute('content') ?? undefined;
  let still =
    !document.querySelector('script, iframe, frame, object, embed, template, fencedframe') &&
    !navigator.serviceWorker?.controller;
  const all = document.getElementsByTagName('*');
  if (all.length > 5000) still = false;
  for (let i = 0; still && i < all.length; i++) {
    const attributes = all[i]?.attributes;
    for (let j = 0; attributes && j < attributes.length; j++) {
      if (attributes[j]?.name.toLowerCase().startsWith('on')) {
        still = false;
        break;
      }
    }
  }
  return {
    // Firefox names the entry 'document', not by its URL.
    url: nav?.name?.includes(':') ? nav.name : location.href,
    origin: performance.timeOrigin,
    http,
    ready: document.readyState,
    meta,
    still,
  };
};

/** Tabs of earlier visits, per browser: whatever they still record is not the current visit's. */
const retiredTabs = new WeakMap<RecordingBrowser, Set<number>>();

async function visit(
  browser: RecordingBrowser,
  target: TraceTarget,
  settleMs: number,
  timeoutMs: number,
): Promise<TraceResult> {
  const start = Date.now();
  const deadline = start + timeoutMs;
  const remaining = () => Math.max(1, deadline - Date.now());
  const grace = Math.max(settleMs, MIN_GRACE_MS);
  const retired = retiredTabs.get(browser) ?? new Set<number>();
  retiredTabs.set(browser, retired);
  /** What the page's own events said: the last navigation or load, and how many navigations. */
  const events = { lastActivity: start, navigations: 0, lastNavigationAt: 0, crashed: false };
  const gaveUpOn = (waitingFor: GaveUp['waitingFor'], url: string): GaveUp => ({
    waitingFor,
    url,
    timeoutMs,
    clientRedirects: Math.max(0, events.navigations - 1),
  });

  const [before, page] = await Promise.all([
    bounded(browser.chains(), remaining()),
    bounded(browser.newTab(), remaining()) as Promise<VisitTab | undefined>,
  ]);
  const known = new Set((before ?? []).map((c) => c.id));
  if (!page) return { target, chains: [], gaveUp: gaveUpOn('load', target.url) };

  let wake = () => {};
  /** Events so far: one that arrives while the loop is reading (not waiting) must not be missed. */
  let pokes = 0;
  const poke = () => {
    pokes++;
    wake();
  };
  const unwatch = page.watch({
    request(redirect) {
      events.lastActivity = Date.now();
      // A redirect continues the navigation; anything else is a new one (the first is ours).
      if (!redirect) {
        events.navigations++;
        events.lastNavigationAt = events.lastActivity;
      }
      poke();
    },
    load() {
      events.lastActivity = Date.now();
      poke();
    },
    navigated: () => poke(),
    crash() {
      events.crashed = true;
      poke();
    },
  });

  // The navigation runs while the loop below watches the recorder, so that a visit that runs out
  // of time still knows which request it was waiting for.
  let navigationError: string | undefined;
  let navigated = false;
  void (async () => {
    try {
      if (target.method && target.method.toUpperCase() !== 'GET') await page.submit(target, remaining());
      else await page.goto(target.url, remaining());
    } catch (error) {
      if (!isTimeoutError(error)) navigationError = (error as Error).message;
    } finally {
      navigated = true;
      poke();
    }
  })();

  let tabId: number | undefined;
  let ours: ChainFacts[] = [];
  let doc: DocState | undefined;
  /** The current document: when it was first seen loaded, and the refresh it announced. */
  let loadedAt: number | undefined;
  let announced: number | undefined;
  let refreshChecked = false;
  let refreshDue: number | undefined;
  let lastMoveByRefresh = false;
  /** The delay the document before this one announced, for the message when the refreshes never end. */
  let lastAnnounced: number | undefined;
  let refreshNotFollowed: TraceResult['refreshNotFollowed'];
  let settled = false;
  let gaveUp: GaveUp | undefined;

  for (;;) {
    const pokesBefore = pokes;
    // The page first (once the navigation committed: before, it shows about:blank), then the
    // recorder: the chains read are at least as new as the page seen.
    const read = navigated ? await bounded(page.evaluate(readDocument), Math.min(PROBE_MS, remaining())) : undefined;
    // Firefox's error page for a failed navigation (NS_ERROR_…) reads as the failed URL, often
    // 'loading' or 'interactive' for good, or cannot be read at all: it is shown and final.
    const errorPage = navigated && navigationError?.startsWith('NS_') === true && read?.ready !== 'complete';
    const seen: DocState | undefined = errorPage
      ? { url: read?.url ?? target.url, origin: -1, http: false, ready: 'complete', still: true }
      : read;
    const all = await bounded(browser.chains(), remaining());
    const now = Date.now();
    if (seen && seen.origin !== doc?.origin) {
      // Another document: the page moved on (or the first one arrived).
      if (doc) {
        lastMoveByRefresh = announced !== undefined;
        if (announced !== undefined) lastAnnounced = announced;
      }
      loadedAt = undefined;
      announced = undefined;
      refreshChecked = false;
      refreshDue = undefined;
      refreshNotFollowed = undefined;
      events.lastActivity = Math.max(events.lastActivity, now);
    }
    if (seen) doc = seen;
    if (all) {
      const fresh = all.filter((c) => !known.has(c.id) && c.type === 'main_frame' && !retired.has(c.tabId));
      if (tabId === undefined) tabId = [...fresh].sort((a, b) => a.startTime - b.startTime)[0]?.tabId;
      ours = fresh.filter((c) => c.tabId === tabId);
    }
    const pending = ours.find((c) => c.outcome.state === 'pending');
    const ended = ours.length > 0 && !pending;
    const loaded = seen !== undefined && (seen.ready === 'complete' || !seen.http);
    if (loaded && loadedAt === undefined) loadedAt = now;
    const landedOn = seen?.http
      ? ours.find((c) => {
          const last = c.hops.at(-1)?.url;
          return last !== undefined && sameResource(last, seen.url);
        })
      : undefined;
    const landed = seen !== undefined && (!seen.http || landedOn !== undefined);

    // A refresh the shown page announced: from its response (Refresh header) or its markup.
    if (seen?.http && landedOn && !refreshChecked) {
      const header = getHeader(landedOn.hops.at(-1)?.responseHeaders ?? [], 'refresh');
      const delay = refreshDelay(header ?? seen.meta);
      if (delay !== undefined) announced = delay;
      if (loaded && loadedAt !== undefined) {
        refreshChecked = true;
        // Chromium starts the refresh timer once the document has loaded.
        // One longer than the whole timeout could never be followed: say so and do not wait. A
        // shorter one is waited for, up to the deadline.
        if (delay !== undefined) {
          if (delay * 1000 > timeoutMs) refreshNotFollowed = { url: seen.url, delaySeconds: delay };
          else refreshDue = loadedAt + delay * 1000;
        }
      }
    }

    if (events.crashed) break;
    const quietFor = now - events.lastActivity;
    const waitingForRefresh = refreshDue !== undefined && now < refreshDue + grace;
    if (ended && loaded && !waitingForRefresh) {
      // One journey that ends where the page is: done once the page stayed put for the settle
      // window, at once when it cannot move on by itself. Several chains where one journey was
      // expected (a client redirect the recorder has not joined yet): give it the grace time.
      const still = !seen?.http || (seen.still && (announced === undefined || refreshNotFollowed !== undefined));
      if (landed && ours.length === 1 && (still || quietFor >= settleMs)) settled = true;
      else if (quietFor >= Math.max(settleMs, grace)) settled = true;
    } else if (!pending && ours.length === 0 && navigationError && quietFor >= grace) {
      settled = true; // nothing was recorded for this visit: problemLine says so
    }
    if (settled) break;

    if (now >= deadline) {
      const movedLately = events.navigations > 1 && now - events.lastNavigationAt < Math.max(settleMs, POLL_MS);
      if (waitingForRefresh || (movedLately && lastMoveByRefresh)) {
        gaveUp = gaveUpOn('refresh', doc?.url ?? target.url);
        const delay = announced ?? lastAnnounced;
        if (delay !== undefined) gaveUp.refreshSeconds = delay;
      } else if (movedLately) {
        gaveUp = gaveUpOn('moving', doc?.url ?? target.url);
      } else if (ended && loaded) {
        // It stayed put until the timeout: the settle window ends there too.
        settled = true;
      } else {
        // The request under way: the pending hop, else where the last hop redirected to.
        const last = pending?.hops.at(-1);
        gaveUp = gaveUpOn('load', pending?.pending?.url ?? (last?.redirectUrl || last?.url) ?? doc?.url ?? target.url);
      }
      break;
    }
    // Something happened while this round read the page and the recorder: look again at once.
    if (pokes !== pokesBefore) continue;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.min(POLL_MS, remaining()));
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wake = () => {};
  }

  unwatch();
  if (tabId !== undefined) retired.add(tabId);
  await page.close(settled);
  const result: TraceResult = { target, chains: ours.map(analyze) };
  if (navigationError) result.navigationError = navigationError;
  if (gaveUp) result.gaveUp = gaveUp;
  if (refreshNotFollowed) result.refreshNotFollowed = refreshNotFollowed;
  if (events.crashed) result.crashed = true;
  return result;
}

export async function traceTargets(
  browser: RecordingBrowser,
  targets: readonly TraceTarget[],
  options: TraceOptions = {},
): Promise<TraceResult[]> {
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const results: TraceResult[] = [];
  // A fresh tab per visit: an error page left in a tab can interrupt the next load.
  for (const target of targets) results.push(await visit(browser, target, settleMs, timeoutMs));
  return results;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** The one line a visit that reached its timeout prints. */
export function gaveUpLine(g: GaveUp): string {
  const after = `gave up after ${seconds(g.timeoutMs)} waiting for`;
  const followed = g.clientRedirects ? `${plural(g.clientRedirects, 'client redirect')} followed` : '';
  const hint = 'raise --timeout to wait longer';
  switch (g.waitingFor) {
    case 'load':
      return `${after} ${g.url} to finish loading${followed ? ` (${followed})` : ''}; ${hint}.`;
    case 'refresh': {
      const asks = g.refreshSeconds !== undefined ? ` asks for one after ${g.refreshSeconds} s` : '';
      return `${after} the page's announced refresh (${g.url}${asks}${followed ? `; ${followed}` : ''}); ${hint}.`;
    }
    case 'moving':
      return `${after} ${g.url} to stop moving on by itself${followed ? ` (${followed})` : ''}; ${hint}.`;
  }
}

/** A line about what a visit left out on purpose, or undefined. Not a problem: the exit code stays. */
export function noteLine(result: TraceResult): string | undefined {
  const r = result.refreshNotFollowed;
  if (!r || result.gaveUp) return undefined;
  return `note: ${r.url} announces a refresh after ${r.delaySeconds} s, longer than --timeout: not followed (raise --timeout to follow it).`;
}

/** One line saying what went wrong with a visit and what to do, or undefined when it went fine. */
export function problemLine(result: TraceResult): string | undefined {
  if (result.gaveUp) return gaveUpLine(result.gaveUp);
  const last = result.chains.at(-1);
  const outcome = last?.outcome;
  if (outcome?.state === 'error') {
    if (outcome.tooManyRedirects) {
      return `${result.target.url} redirects in a loop: the browser gave up after ${plural(last?.summary.redirects ?? 0, 'redirect')}.`;
    }
    const host = (() => {
      try {
        return new URL(last?.hops.at(-1)?.url ?? result.target.url).host;
      } catch {
        return result.target.url;
      }
    })();
    const advice = describeNetError(outcome.error).advice ?? 'see the chain above for where it stopped';
    return `could not load ${host} (${outcome.error}): ${advice}.`;
  }
  if (result.crashed) {
    return `the browser tab crashed while showing ${last?.hops.at(-1)?.url ?? result.target.url}: the chain up to then is above.`;
  }
  if (!result.chains.length) {
    return `no chain was recorded for ${result.target.url}${result.navigationError ? ` (${result.navigationError})` : ''}.`;
  }
  if (outcome?.state === 'pending') return `${result.target.url} did not finish loading.`;
  return undefined;
}

/** The exit code of a visit: 3 when it gave up at its timeout, 1 when it ended in a problem, else 0. */
export function exitCodeOf(result: TraceResult): number {
  if (result.gaveUp) return EXIT.timeout;
  return problemLine(result) ? EXIT.chainError : EXIT.ok;
}
