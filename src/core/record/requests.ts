/**
 * Requests into hops: webRequest-like events in, hops appended to chains in the store.
 *
 * One chain is one webRequest requestId, which stays the same across every hop of a redirected
 * request. Hops are built on onBeforeRedirect / onCompleted / onErrorOccurred; the earlier
 * events of a hop only fill in what those lack (method, start time, request headers). Every
 * event may be missing (an HSTS hop with extraHeaders fires only onBeforeRequest →
 * onBeforeRedirect; a service worker restarted mid-chain misses the start of a hop), so each
 * handler builds what it can from its own details.
 */
import {
  type Chain,
  FRAME_TYPES,
  type Hop,
  type PendingHop,
  RECORDING_STOPPED,
  type RecordingBrowser,
  TAB_CLOSED,
} from '../model/chain.ts';
import { isTooManyRedirects, MAX_REDIRECTS, parseStatusLine } from '../model/http.ts';
import { sameResource } from '../model/url.ts';
import type { BeforeRequestDetails, ErrorDetails, RedirectDetails, RequestEvent, ResponseDetails } from './events.ts';
import { toHeaders } from './headers.ts';
import { buildHop, capHops } from './hop.ts';
import type { ChainStore } from './store.ts';
import {
  FALLBACK_WINDOW_MS,
  HSTS,
  isHstsUpgradeOf,
  isUpgradeOf,
  markFallback,
  type Navigations,
  upgradeHop,
} from './upgrades.ts';

/**
 * Most requests tracked while under way without a chain (not redirected so far), and most
 * requests remembered as evicted under way. A request whose end never reaches the worker (an
 * event Chromium dropped while stopping it) would otherwise stay in memory for good.
 */
export const MAX_UNDER_WAY = 5000;

export { TAB_CLOSED } from '../model/chain.ts';

/** A request not (yet) worth a chain: not a main frame and not redirected so far. */
interface Unredirected {
  request: PendingHop;
  tabId: number;
  frameId: number;
  type: string;
  initiator?: string;
}

/** Adds to an insertion-ordered map or set, forgetting the oldest entries beyond `max`. */
function capped<K>(keys: Map<K, unknown> | Set<K>, max: number): void {
  for (const key of keys.keys()) {
    if (keys.size <= max) return;
    keys.delete(key);
  }
}

/** A request whose chain went while under way: its events are ignored, the last one forgets it. */
function ignoredUntilEnd(requests: Set<string>, e: RequestEvent): boolean {
  if (!requests.has(e.details.requestId)) return false;
  if (e.event === 'onCompleted' || e.event === 'onErrorOccurred') requests.delete(e.details.requestId);
  return true;
}

export class RequestTracker {
  /** requestId → id of its chain, for chains still under way. */
  private readonly chainOf = new Map<string, string>();
  private readonly unredirected = new Map<string, Unredirected>();
  /** Requests whose chain was evicted while under way: their later events must not start a chain halfway. */
  private readonly evictedUnderWay = new Set<string>();
  /** Requests whose chain was ended by the close of its tab: what the browser sends later is ignored. */
  private readonly closedUnderWay = new Set<string>();

  constructor(
    private readonly store: ChainStore,
    private readonly maxHops: number,
    private readonly navigations: Navigations,
    private readonly browser?: RecordingBrowser,
  ) {}

  /** Requests under way that are tracked (chains not ended, requests not yet redirected, evicted ones). */
  get underWay(): number {
    return this.chainOf.size + this.unredirected.size + this.evictedUnderWay.size;
  }

  /** A restored chain still under way: its request's next events continue it. */
  restore(chain: Chain): void {
    if (chain.outcome.state === 'pending') this.chainOf.set(chain.requestIds?.at(-1) ?? chain.requestId, chain.id);
  }

  handle(e: RequestEvent): void {
    if (ignoredUntilEnd(this.evictedUnderWay, e) || ignoredUntilEnd(this.closedUnderWay, e)) return;
    const d = e.details;
    switch (e.event) {
      case 'onBeforeRequest':
        this.onBeforeRequest(e.details);
        return;
      case 'onBeforeSendHeaders':
      case 'onSendHeaders': {
        const request = this.requestOf(d);
        if (request && e.details.requestHeaders) request.requestHeaders = toHeaders(e.details.requestHeaders);
        return;
      }
      case 'onHeadersReceived': {
        const request = this.requestOf(d);
        if (request) {
          request.statusLine = e.details.statusLine;
          request.statusCode = e.details.statusCode;
          request.responseHeaders = toHeaders(e.details.responseHeaders);
        }
        return;
      }
      case 'onBeforeRedirect':
        this.onBeforeRedirect(e.details);
        return;
      case 'onResponseStarted':
        return;
      case 'onCompleted':
        this.onEnd(e.details, undefined);
        return;
      case 'onErrorOccurred':
        this.onEnd(e.details, e.details.error);
        return;
    }
  }

  /**
   * A tab was closed: its chains still under way end here (unless the browser already ended
   * them), and nothing of the tab stays in memory as under way.
   */
  tabClosed(tabId: number, timeStamp: number): void {
    this.endUnderWay((c) => c.tabId === tabId, TAB_CLOSED, timeStamp);
  }

  /**
   * The worker stopped listening to subresources: their chains still under way end here (how
   * they went on is not known), and their requests stay in memory as under way no more.
   */
  subresourcesStopped(timeStamp: number): void {
    this.endUnderWay((c) => !FRAME_TYPES.has(c.type), RECORDING_STOPPED, timeStamp);
  }

  /** Ends the chains under way that `which` picks with `error`, and forgets their requests. */
  private endUnderWay(which: (c: { tabId: number; type: string }) => boolean, error: string, timeStamp: number): void {
    for (const [requestId, chainId] of this.chainOf) {
      const chain = this.store.get(chainId);
      if (chain && !which(chain)) continue;
      this.chainOf.delete(requestId);
      if (!chain) continue;
      this.closedUnderWay.add(requestId);
      chain.pending = undefined;
      chain.endTime = Math.max(timeStamp, chain.hops.at(-1)?.endTime ?? chain.startTime);
      chain.outcome = { state: 'error', error };
      this.store.touch(chain);
    }
    capped(this.closedUnderWay, MAX_UNDER_WAY);
    for (const [requestId, request] of this.unredirected) {
      if (which(request)) this.unredirected.delete(requestId);
    }
  }

  /** Chains left the store: forget their requests; returns those that were still under way. */
  forget(chains: readonly Chain[]): string[] {
    const underWay: string[] = [];
    if (!chains.length) return underWay;
    const gone = new Set(chains.map((c) => c.id));
    for (const [requestId, chainId] of this.chainOf) {
      if (!gone.has(chainId)) continue;
      this.chainOf.delete(requestId);
      underWay.push(requestId);
    }
    return underWay;
  }

  /** Chains evicted under way: the rest of their requests' events is ignored. */
  evicted(chains: readonly Chain[]): void {
    for (const requestId of this.forget(chains)) this.evictedUnderWay.add(requestId);
    capped(this.evictedUnderWay, MAX_UNDER_WAY);
  }

  /** Requests now continue another chain (a client redirect joined two journeys). */
  reassign(requestIds: readonly string[], chainId: string): void {
    for (const requestId of requestIds) this.chainOf.set(requestId, chainId);
  }

  /**
   * A navigation that asked for http://X and whose first request is already https://X was
   * upgraded by the browser: the journey starts with that hop. Either event may come first.
   */
  upgradedStart(chain: Chain): void {
    const request = chain.pending;
    if (chain.type !== 'main_frame' || chain.hops.length || !request) return;
    // Browser times, not arrival order: the navigation started before its first request.
    const nav = this.navigations.upgradedTo(chain.tabId, request.url, request.startTime);
    if (!nav) return;
    chain.hops.push(upgradeHop(nav.url, request.url, request.method, nav.timeStamp, request.startTime));
    chain.startTime = Math.min(chain.startTime, nav.timeStamp);
    this.store.touch(chain);
  }

  /** The tab's newest chain under way that has not a hop yet: its navigation's first request. */
  firstRequestOf(tabId: number): Chain | undefined {
    let newest: Chain | undefined;
    for (const chainId of this.chainOf.values()) {
      const chain = this.store.get(chainId);
      if (chain?.tabId === tabId && chain.type === 'main_frame' && !chain.hops.length) newest = chain;
    }
    return newest;
  }

  /**
   * A new request for http://X in a tab whose upgraded https://X attempt just failed, with no
   * page committed in between: the browser fell back to http. It continues that chain.
   */
  private fallBack(d: BeforeRequestDetails, request: PendingHop): boolean {
    const tabId = d.tabId ?? -1;
    if (!this.navigations.navigating(tabId)) return false;
    let failed: Chain | undefined;
    for (const chain of this.store.values()) {
      if (chain.tabId === tabId && chain.type === 'main_frame') failed = chain;
    }
    const last = failed?.hops.at(-1);
    if (
      !failed ||
      !last ||
      failed.outcome.state !== 'error' ||
      !last.error ||
      !isUpgradeOf(d.url, last.url) ||
      d.timeStamp - (failed.endTime ?? 0) > FALLBACK_WINDOW_MS
    ) {
      return false;
    }
    markFallback(last, d.url);
    failed.outcome = { state: 'pending' };
    delete failed.endTime;
    failed.pending = request;
    failed.requestIds = [...(failed.requestIds ?? [failed.requestId]), d.requestId];
    this.chainOf.set(d.requestId, failed.id);
    this.store.touch(failed);
    return true;
  }

  /**
   * The request under way began at http://X and its later events name https://X, with no
   * redirect between: the browser upgraded it by HSTS without telling extensions (a redirect to
   * an HSTS host's http URL, Chromium 156). The upgrade becomes a hop of its own, inferred.
   */
  private upgradedUnderWay(chain: Chain, d: { url: string; timeStamp: number }): void {
    const p = chain.pending;
    if (!p || p.url === d.url || !isHstsUpgradeOf(p.url, d.url)) return;
    chain.hops.push(upgradeHop(p.url, d.url, p.method, p.startTime, d.timeStamp, HSTS));
    capHops(chain.hops, this.maxHops);
    chain.pending = { url: d.url, method: p.method, startTime: d.timeStamp, requestHeaders: [] };
    this.store.touch(chain);
  }

  /** The request under way of a tracked request, touching its chain (its headers will change). */
  private requestOf(d: { requestId: string; url: string; timeStamp: number }): PendingHop | undefined {
    const id = this.chainOf.get(d.requestId);
    if (id) {
      const chain = this.store.get(id);
      if (!chain) return undefined;
      this.upgradedUnderWay(chain, d);
      if (chain.pending) this.store.touch(chain);
      return chain.pending;
    }
    return this.unredirected.get(d.requestId)?.request;
  }

  private onBeforeRequest(d: BeforeRequestDetails): void {
    const request: PendingHop = { url: d.url, method: d.method, startTime: d.timeStamp, requestHeaders: [] };
    const id = this.chainOf.get(d.requestId);
    const chain = id ? this.store.get(id) : undefined;
    if (chain) {
      const last = chain.hops.at(-1);
      if (chain.pending?.url === d.url) return; // duplicate delivery
      if (last && last.endTime > d.timeStamp) return; // late: that hop was already built from its end
      // Redirected to http://X, continued at https://X: the browser upgraded it (HTTPS-Upgrades).
      if (last?.redirectUrl && chain.type === 'main_frame' && isUpgradeOf(last.redirectUrl, d.url)) {
        chain.hops.push(upgradeHop(last.redirectUrl, d.url, d.method, last.endTime, d.timeStamp));
        capHops(chain.hops, this.maxHops);
      }
      chain.pending = request;
      this.store.touch(chain);
      return;
    }
    if (this.endedAfter(d)) return; // late: its chain has ended
    if (d.type === 'main_frame') {
      if (this.fallBack(d, request)) return;
      this.upgradedStart(this.createChain(d, request));
      return;
    }
    this.unredirected.set(d.requestId, {
      request,
      tabId: d.tabId ?? -1,
      frameId: d.frameId ?? 0,
      type: d.type ?? 'other',
      initiator: d.initiator,
    });
    capped(this.unredirected, MAX_UNDER_WAY);
  }

  private onBeforeRedirect(d: RedirectDetails): void {
    const chain = this.chainFor(d, true);
    if (!chain) return;
    // Delivered twice: this very redirect is already a hop.
    if (chain.hops.some((h) => h.url === d.url && h.redirectUrl === d.redirectUrl && h.endTime === d.timeStamp)) {
      return;
    }
    this.pushHop(chain, this.hopOf(chain, d, d.redirectUrl));
  }

  private onEnd(d: ResponseDetails | ErrorDetails, error: string | undefined): void {
    const chain = this.chainFor(d, false);
    if (!chain) {
      this.unredirected.delete(d.requestId);
      return;
    }
    const last = chain.hops.at(-1);
    // An error right after a redirect, with no new request started, is the browser refusing to
    // follow it (the 21st redirect of a loop): it ends the chain without a hop of its own.
    const refusedRedirect =
      error !== undefined &&
      !chain.pending &&
      last?.redirectUrl !== undefined &&
      last.redirectUrl !== '' &&
      last.url === d.url;
    if (!refusedRedirect) {
      const hop = this.hopOf(chain, d, '');
      if (error) hop.error = error;
      this.pushHop(chain, hop);
    }
    chain.pending = undefined;
    chain.endTime = d.timeStamp;
    if (error) {
      const redirects = chain.hops.filter((h) => h.redirectUrl).length;
      const tooMany = isTooManyRedirects(error) || (error === 'net::ERR_ABORTED' && redirects >= MAX_REDIRECTS);
      chain.outcome = tooMany ? { state: 'error', error, tooManyRedirects: true } : { state: 'error', error };
    } else {
      chain.outcome = { state: 'completed', statusCode: chain.hops.at(-1)?.statusCode ?? 0 };
    }
    this.chainOf.delete(d.requestId);
    this.store.touch(chain);
  }

  /**
   * The chain an ending or redirecting event belongs to. A request becomes a chain at its
   * first redirect; an event whose start was missed (worker restarted) starts a chain itself
   * when it is worth one.
   */
  private chainFor(d: ResponseDetails | ErrorDetails, redirecting: boolean): Chain | undefined {
    const id = this.chainOf.get(d.requestId);
    const existing = id ? this.store.get(id) : undefined;
    if (existing) {
      this.upgradedUnderWay(existing, d);
      return existing;
    }
    const request = this.unredirected.get(d.requestId);
    if (request) {
      this.unredirected.delete(d.requestId);
      if (!redirecting) return undefined; // finished without a redirect: not kept
      return this.createChain(
        { ...d, tabId: request.tabId, frameId: request.frameId, type: request.type, initiator: request.initiator },
        request.request,
      );
    }
    if (!redirecting && d.type !== 'main_frame') return undefined;
    if (this.endedWith(d)) return undefined; // delivered twice: not a new request
    // A redirect delivered after the end of its chain (a restarted worker got the events late).
    const ended = this.endedAfter(d);
    if (ended) return redirecting ? ended : undefined;
    return this.createChain(d, undefined);
  }

  /** Whether the latest chain of this requestId has already ended with this very event. */
  private endedWith(d: { requestId: string; timeStamp: number }): boolean {
    const latest = this.store.latest(d.requestId);
    return latest !== undefined && latest.outcome.state !== 'pending' && latest.endTime === d.timeStamp;
  }

  /** The chain of this requestId that had already ended when this event happened. */
  private endedAfter(d: { requestId: string; timeStamp: number }): Chain | undefined {
    const latest = this.store.latest(d.requestId);
    return latest && latest.outcome.state !== 'pending' && (latest.endTime ?? 0) > d.timeStamp ? latest : undefined;
  }

  private createChain(
    d: { requestId: string; tabId?: number; frameId?: number; type?: string; initiator?: string; timeStamp: number },
    request: PendingHop | undefined,
  ): Chain {
    const chain: Chain = {
      id: this.store.freeId(d.requestId),
      requestId: d.requestId,
      tabId: d.tabId ?? -1,
      frameId: d.frameId ?? 0,
      type: d.type ?? 'other',
      startTime: request?.startTime ?? d.timeStamp,
      hops: [],
      outcome: { state: 'pending' },
    };
    if (d.initiator) chain.initiator = d.initiator;
    if (this.browser) chain.browser = this.browser;
    if (request) chain.pending = request;
    this.store.add(chain);
    this.chainOf.set(d.requestId, chain.id);
    return chain;
  }

  private hopOf(chain: Chain, d: ResponseDetails | ErrorDetails, redirectUrl: string): Hop {
    const hasResponse = 'statusCode' in d;
    // A response for another URL than the request under way means that request is stale: its
    // end and the next request's start were lost with a restarted worker.
    const p = hasResponse && chain.pending && !sameResource(chain.pending.url, d.url) ? undefined : chain.pending;
    return buildHop({
      // An error after a response (the 21st redirect of a loop) names the target that was not
      // followed; the hop itself is the request that was under way.
      url: p?.url ?? d.url,
      method: p?.method ?? d.method ?? 'GET',
      status: parseStatusLine(
        (hasResponse ? d.statusLine : undefined) ?? p?.statusLine,
        (hasResponse ? d.statusCode : undefined) ?? p?.statusCode ?? 0,
      ),
      requestHeaders: p?.requestHeaders ?? [],
      responseHeaders: hasResponse && d.responseHeaders ? toHeaders(d.responseHeaders) : (p?.responseHeaders ?? []),
      redirectUrl,
      fromCache: d.fromCache === true,
      ip: d.ip,
      startTime: p?.startTime ?? d.timeStamp,
      endTime: d.timeStamp,
      internalReason: hasResponse ? d.internalReason : undefined,
    });
  }

  private pushHop(chain: Chain, hop: Hop): void {
    // Events can reach a restarted worker late: a hop that ended before others goes before them.
    const at = hop.redirectUrl ? chain.hops.findIndex((h) => h.endTime > hop.endTime) : -1;
    if (at >= 0) {
      chain.hops.splice(at, 0, hop);
      // The request under way that started before this hop ended was this hop's own start.
      if (chain.pending?.url === hop.url && chain.pending.startTime <= hop.endTime) chain.pending = undefined;
      chain.startTime = Math.min(chain.startTime, hop.startTime);
    } else {
      chain.pending = undefined;
      chain.hops.push(hop);
    }
    capHops(chain.hops, this.maxHops);
    this.store.touch(chain);
  }
}
