/**
 * Chrome's HTTPS-Upgrades, inferred. With the feature on (the default since Chrome 115), the
 * browser upgrades an http:// main-frame navigation on the default port to https itself,
 * outside the network service, so webRequest never reports that hop; DevTools shows it as a
 * `307 Temporary Redirect` with `Non-Authoritative-Reason: HttpsUpgrades`. Three shapes, each
 * recognised from what the extension does see:
 * - at the start: the navigation asked for http://X, its first request is already https://X;
 * - mid-chain: a redirect to http://X, then the same request continues at https://X;
 * - fallback: the https attempt fails, and the same tab requests http://X afresh before any
 *   page commits: the browser fell back to http (the failed attempt becomes the hop back).
 * The hops made here carry `inferred: true`.
 *
 * HSTS hides a hop the same way in one place (Chromium 156, verified): a redirect to http:// of
 * a host the browser knows for HSTS gets its onBeforeRequest at http://, then the same request's
 * next events (onBeforeSendHeaders on) name https://, with no `307 Internal Redirect` between
 * as at the start of a navigation. DevTools shows that hop as a copy of the redirect before it
 * (its status, no remote address). HTTPS-Upgrades' mid-chain upgrade starts at https instead.
 */
import type { Hop } from '../model/chain.ts';
import { parseUrl, resourceKey } from '../model/url.ts';
import type { NavigationDetails } from './events.ts';

export const HTTPS_UPGRADES = 'HttpsUpgrades';
export const HSTS = 'HSTS';
/** How DevTools shows the browser's own upgrade (and its fallback). */
const STATUS = { httpVersion: '', statusCode: 307, statusText: 'Temporary Redirect' } as const;
/** How Chromium reports its HSTS upgrade where it does report it (at the start of a navigation). */
const HSTS_STATUS = { httpVersion: '', statusCode: 307, statusText: 'Internal Redirect' } as const;
/** The longest a fallback request can follow the failed https attempt and still be its retry. */
export const FALLBACK_WINDOW_MS = 10_000;

/** The https URL Chrome would upgrade an http:// URL to; undefined when it would not (port). */
export function httpsTwin(url: string): string | undefined {
  const u = parseUrl(url);
  if (u?.protocol !== 'http:' || u.port !== '') return undefined;
  u.protocol = 'https:';
  u.hash = '';
  return u.href;
}

/** Whether `https` is the upgrade of `http` (same host, path and query; default ports). */
export function isUpgradeOf(http: string, https: string): boolean {
  const twin = httpsTwin(http);
  return twin !== undefined && twin === resourceKey(https);
}

/**
 * Whether `https` is `http` upgraded by HSTS: same host, path and query, the port kept (an
 * explicit one stays; the default one stays the default).
 */
export function isHstsUpgradeOf(http: string, https: string): boolean {
  const from = parseUrl(http);
  const to = parseUrl(https);
  return (
    from?.protocol === 'http:' &&
    to?.protocol === 'https:' &&
    from.port === to.port &&
    from.hostname === to.hostname &&
    from.pathname === to.pathname &&
    from.search === to.search
  );
}

/** The hop the browser made to upgrade `http` to `https`, which webRequest did not report. */
export function upgradeHop(
  http: string,
  https: string,
  method: string,
  startTime: number,
  endTime: number,
  reason: typeof HSTS | typeof HTTPS_UPGRADES = HTTPS_UPGRADES,
): Hop {
  return {
    url: http,
    method,
    ...(reason === HSTS ? HSTS_STATUS : STATUS),
    requestHeaders: [],
    // What the browser shows on this hop (its own, no server sent them).
    responseHeaders: [
      { name: 'Location', value: https },
      { name: 'Non-Authoritative-Reason', value: reason },
    ],
    redirectUrl: https,
    fromCache: false,
    startTime,
    endTime: Math.max(startTime, endTime),
    kind: 'internal',
    internalReason: reason,
    inferred: true,
  };
}

/**
 * The failed https attempt became the browser's fallback to `http`: the hop keeps its error
 * (why the browser fell back) and now leads to the http URL.
 */
export function markFallback(hop: Hop, http: string): void {
  Object.assign(hop, STATUS);
  hop.responseHeaders = [
    { name: 'Location', value: http },
    { name: 'Non-Authoritative-Reason', value: HTTPS_UPGRADES },
  ];
  hop.kind = 'internal';
  hop.internalReason = HTTPS_UPGRADES;
  hop.redirectUrl = http;
  hop.inferred = true;
  delete hop.clientRedirect;
}

/** Per tab, the main-frame navigation started and not committed yet (webNavigation). */
export class Navigations {
  private readonly byTab = new Map<number, NavigationDetails>();

  started(d: NavigationDetails): void {
    if (d.frameId === 0) this.byTab.set(d.tabId, d);
  }

  /** A page committed (or the tab closed): its navigation is over. */
  ended(tabId: number): void {
    this.byTab.delete(tabId);
  }

  /** The tab's navigation under way, if its URL is one Chrome would upgrade to `https`. */
  upgradedTo(tabId: number, https: string, at: number): NavigationDetails | undefined {
    const nav = this.byTab.get(tabId);
    return nav && nav.timeStamp <= at && isUpgradeOf(nav.url, https) ? nav : undefined;
  }

  /** Whether the tab is still navigating (nothing committed since it started). */
  navigating(tabId: number): boolean {
    return this.byTab.has(tabId);
  }
}
