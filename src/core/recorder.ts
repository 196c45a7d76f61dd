/**
 * The recorder: webRequest-like events in, chains of hops out.
 *
 * One chain is one webRequest requestId, which stays the same across every hop of a redirected
 * request. Hops are built on onBeforeRedirect / onCompleted / onErrorOccurred; the earlier
 * events of a hop only fill in what those lack (method, start time, request headers). Every
 * event may be missing (an HSTS hop with extraHeaders fires only onBeforeRequest →
 * onBeforeRedirect; a service worker restarted mid-chain misses the start of a hop), so each
 * handler builds what it can from its own details.
 */
import {
  cacheVerdict,
  describeMethodChange,
  isCrossOrigin,
  isDowngrade,
  MAX_REDIRECTS,
  summarize,
} from './analysis.ts';
import type {
  BeforeRequestDetails,
  CommitDetails,
  ErrorDetails,
  MetaRefreshDetails,
  RedirectDetails,
  RequestEvent,
  ResponseDetails,
} from './events.ts';
import { getHeader, toHeaders } from './headers.ts';
import { parseStatusLine } from './status-line.ts';
import type { Chain, ClientRedirect, Hop, HopKind, PendingHop } from './types.ts';

export interface RecorderOptions {
  /** Most chains kept; the oldest finished ones are evicted first. */
  maxChains?: number;
  /** Most bytes of chain JSON kept (the storage.session quota is 10 MB). */
  maxBytes?: number;
  /** Most hops kept in one chain (client-side loops have no browser limit). */
  maxHops?: number;
  /** URLs never recorded (the extension's own pages and assets). */
  ignoreUrl?: (url: string) => boolean;
}

export interface ChainChanges {
  put: Chain[];
  /** The JSON of each chain in `put` (same order), as measured for the byte cap. */
  json?: string[];
  remove: string[];
  evicted: number;
}

export type ChainListener = (change: { type: 'put'; chain: Chain } | { type: 'remove'; ids: string[] }) => void;

/** A request not (yet) worth a chain: not a main frame and not redirected so far. */
interface Candidate {
  pending: PendingHop;
  tabId: number;
  frameId: number;
  type: string;
  initiator?: string;
}

/**
 * Chains are stored as JSON text, which storage.session counts about byte for byte against its
 * 10 MB quota (as objects it counted 3.3 bytes per byte of JSON, measured on Chromium 150).
 * The quota is shared with the incognito worker ("split" mode) and any other data: 4 MB each.
 */
const DEFAULTS = { maxChains: 5000, maxBytes: 4 * 1024 * 1024, maxHops: 100 };

/**
 * Most requests tracked while under way without a chain (not redirected so far), and most
 * requests remembered as evicted under way. A request whose end never reaches the worker (an
 * event Chromium dropped while stopping it) would otherwise stay in memory for good.
 */
export const MAX_UNDER_WAY = 5000;

/** The outcome of a chain still under way when its tab was closed. */
export const TAB_CLOSED = 'tab closed';

/** Adds to an insertion-ordered map or set, forgetting the oldest entries beyond `max`. */
function capped<K>(keys: Map<K, unknown> | Set<K>, max: number): void {
  for (const key of keys.keys()) {
    if (keys.size <= max) return;
    keys.delete(key);
  }
}

function withoutFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash < 0 ? url : url.slice(0, hash);
}

/** Same URL apart from the fragment, which never reaches the server: the same document. */
function sameResource(a: string, b: string): boolean {
  return a === b || withoutFragment(a) === withoutFragment(b);
}

/** The delay of `5; url=/next` (Refresh header or meta content), in seconds (HTML §7.11.1). */
export function refreshDelay(content: string | undefined): number | undefined {
  const m = /^\s*(\d+(?:\.\d*)?)/.exec(content ?? '');
  return m ? Number(m[1]) : undefined;
}

function isHttp(url: string): boolean {
  return url.startsWith('http://') || url.startsWith('https://');
}

/** A request whose chain went while under way: its events are ignored, the last one forgets it. */
function ignoredUntilEnd(requests: Set<string>, e: RequestEvent): boolean {
  if (!requests.has(e.details.requestId)) return false;
  if (e.event === 'onCompleted' || e.event === 'onErrorOccurred') requests.delete(e.details.requestId);
  return true;
}

export class Recorder {
  private readonly chains = new Map<string, Chain>();
  /** requestId → chain id, for chains still under way. */
  private readonly active = new Map<string, string>();
  private readonly candidates = new Map<string, Candidate>();
  /** Requests whose chain was evicted while under way: their later events must not start a chain halfway. */
  private readonly evictedUnderWay = new Set<string>();
  /** Requests whose chain was ended by the close of its tab: what the browser sends later is ignored. */
  private readonly closedUnderWay = new Set<string>();
  private readonly sizes = new Map<string, number>();
  private readonly dirty = new Set<string>();
  private readonly removed = new Set<string>();
  private readonly listeners = new Set<ChainListener>();
  /** Per tab: the journey of the page shown now (its last committed main-frame navigation). */
  private readonly currentByTab = new Map<number, string>();
  /** Per tab: the `<meta http-equiv=refresh>` the content script saw in the shown document. */
  private readonly metaRefresh = new Map<number, MetaRefreshDetails>();
  private totalBytes = 0;
  private evictedCount = 0;
  private readonly opts: Required<RecorderOptions>;

  constructor(options: RecorderOptions = {}) {
    this.opts = { ...DEFAULTS, ignoreUrl: () => false, ...options };
  }

  get evicted(): number {
    return this.evictedCount;
  }

  /** Chains oldest first. */
  list(): Chain[] {
    return [...this.chains.values()];
  }

  get(id: string): Chain | undefined {
    return this.chains.get(id);
  }

  subscribe(listener: ChainListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Puts back what was persisted before the service worker stopped. */
  restore(chains: readonly Chain[], evicted = 0, sizes?: ReadonlyMap<string, number>): void {
    const sorted = [...chains].sort((a, b) => a.startTime - b.startTime);
    for (const chain of sorted) {
      if (this.chains.has(chain.id)) continue;
      this.chains.set(chain.id, chain);
      // The length of the JSON text it was stored as, when known: no need to serialize it again.
      const size = sizes?.get(chain.id) ?? JSON.stringify(chain).length;
      this.sizes.set(chain.id, size);
      this.totalBytes += size;
      if (chain.outcome.state === 'pending') this.active.set(chain.requestIds?.at(-1) ?? chain.requestId, chain.id);
      if (chain.type === 'main_frame') this.currentByTab.set(chain.tabId, chain.id);
    }
    this.evictedCount = Math.max(this.evictedCount, evicted);
  }

  clear(tabId?: number): void {
    const ids = [...this.chains.values()].filter((c) => tabId === undefined || c.tabId === tabId).map((c) => c.id);
    this.drop(ids);
    this.emit({ type: 'remove', ids });
  }

  handle(e: RequestEvent): void {
    const d = e.details;
    if (!isHttp(d.url) || this.opts.ignoreUrl(d.url)) return;
    if (ignoredUntilEnd(this.evictedUnderWay, e) || ignoredUntilEnd(this.closedUnderWay, e)) return;
    switch (e.event) {
      case 'onBeforeRequest':
        this.onBeforeRequest(e.details);
        return;
      case 'onBeforeSendHeaders':
      case 'onSendHeaders': {
        const pending = this.pendingOf(d.requestId);
        if (pending && e.details.requestHeaders) pending.requestHeaders = toHeaders(e.details.requestHeaders);
        return;
      }
      case 'onHeadersReceived': {
        const pending = this.pendingOf(d.requestId);
        if (pending) {
          pending.statusLine = e.details.statusLine;
          pending.statusCode = e.details.statusCode;
          pending.responseHeaders = toHeaders(e.details.responseHeaders);
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

  /** The journey of the page a tab shows now, if it was recorded. */
  currentChain(tabId: number): Chain | undefined {
    const id = this.currentByTab.get(tabId);
    return id ? this.chains.get(id) : undefined;
  }

  /** The content script saw a meta refresh in a tab's top-level document. */
  noteMetaRefresh(d: MetaRefreshDetails): void {
    this.metaRefresh.set(d.tabId, d);
    // A 0 s refresh can commit before the content script's message arrives: the hop was then
    // taken for JavaScript, and this corrects it.
    const chain = this.currentChain(d.tabId);
    const hop = chain?.hops.find(
      (h) => h.kind === 'client' && h.clientRedirect?.type === 'javascript' && sameResource(h.url, d.url),
    );
    if (chain && hop?.clientRedirect) {
      hop.clientRedirect.type = 'meta-refresh';
      const delay = refreshDelay(d.content);
      if (delay !== undefined) hop.clientRedirect.delaySeconds = delay;
      this.metaRefresh.delete(d.tabId);
      this.touch(chain);
    }
  }

  /**
   * A main-frame navigation committed. When Chromium marks it `client_redirect`, the page shown
   * before moved on by itself (meta refresh, Refresh header, JavaScript): the new navigation's
   * hops join that page's journey behind a `client` hop.
   */
  onCommitted(d: CommitDetails): void {
    if (d.frameId !== 0) return;
    const previousId = this.currentByTab.get(d.tabId);
    const committed = isHttp(d.url) ? this.committedChain(d.tabId, d.url) : undefined;
    if (!committed) {
      this.currentByTab.delete(d.tabId);
      this.forgetMetaRefresh(d);
      return;
    }
    const previous = previousId ? this.chains.get(previousId) : undefined;
    if (d.transitionQualifiers?.includes('forward_back') && committed.summary.redirects === 0) {
      // Back to a page: it was reached through the journey of the first visit, not this reload.
      const earlier = this.committedChain(d.tabId, d.url, (c) => c.summary.redirects > 0);
      if (earlier) {
        this.currentByTab.set(d.tabId, earlier.id);
        this.touch(earlier, false);
        this.forgetMetaRefresh(d);
        return;
      }
    }
    // Only a page that finished loading is joined: while its request is under way, its late
    // events would land after the next page's hops.
    if (
      previous &&
      previous !== committed &&
      previous.outcome.state !== 'pending' &&
      d.transitionQualifiers?.includes('client_redirect')
    ) {
      this.mergeClientRedirect(previous, committed);
      this.currentByTab.set(d.tabId, previous.id);
      this.touch(previous);
    } else {
      this.currentByTab.set(d.tabId, committed.id);
      this.touch(committed, false);
    }
    this.forgetMetaRefresh(d);
  }

  /**
   * A new document replaced the one the meta refresh was seen in. The content script's message
   * may also overtake the commit of its own document: then it is kept.
   */
  private forgetMetaRefresh(d: CommitDetails): void {
    const meta = this.metaRefresh.get(d.tabId);
    if (meta && !sameResource(meta.url, d.url)) this.metaRefresh.delete(d.tabId);
  }

  /** The newest main-frame journey of the tab that ends (or is about to end) at this URL. */
  private committedChain(tabId: number, url: string, accept: (c: Chain) => boolean = () => true): Chain | undefined {
    const target = withoutFragment(url);
    const all = [...this.chains.values()];
    for (let i = all.length - 1; i >= 0; i--) {
      const c = all[i] as Chain;
      if (c.tabId !== tabId || c.type !== 'main_frame') continue;
      const last = c.pending?.url ?? c.hops.at(-1)?.url;
      if (last !== undefined && withoutFragment(last) === target && accept(c)) return c;
    }
    return undefined;
  }

  private mergeClientRedirect(previous: Chain, next: Chain): void {
    const last = previous.hops.at(-1);
    const target = next.hops[0]?.url ?? next.pending?.url;
    if (!last || !target) return;
    const refresh = getHeader(last.responseHeaders, 'refresh');
    const meta = this.metaRefresh.get(previous.tabId);
    const client: ClientRedirect = {
      type:
        refresh !== undefined
          ? 'refresh-header'
          : meta && sameResource(meta.url, last.url)
            ? 'meta-refresh'
            : 'javascript',
      afterMs: Math.max(0, Math.round(next.startTime - last.endTime)),
    };
    const delay = refreshDelay(refresh ?? (client.type === 'meta-refresh' ? meta?.content : undefined));
    if (delay !== undefined) client.delaySeconds = delay;
    last.kind = 'client';
    last.clientRedirect = client;
    last.redirectUrl = target;
    last.crossOrigin = isCrossOrigin(last.url, target);
    last.downgrade = isDowngrade(last.url, target);
    const nextActive = this.drop([next.id]);
    this.emit({ type: 'remove', ids: [next.id] });
    previous.hops.push(...next.hops);
    this.renumber(previous);
    this.capHops(previous);
    previous.requestIds = [...(previous.requestIds ?? [previous.requestId]), next.requestId];
    previous.outcome = next.outcome;
    if (next.endTime !== undefined) previous.endTime = next.endTime;
    else delete previous.endTime;
    if (next.pending) previous.pending = next.pending;
    for (const requestId of nextActive) this.active.set(requestId, previous.id);
  }

  /**
   * Hands over what changed since the last call, for persistence, after enforcing the caps.
   * Sizes are measured here, once a batch, not on every event.
   */
  takeChanges(): ChainChanges {
    const texts = new Map<string, string>();
    for (const id of this.dirty) {
      const chain = this.chains.get(id);
      if (!chain) continue;
      const text = JSON.stringify(chain);
      texts.set(id, text);
      this.totalBytes += text.length - (this.sizes.get(id) ?? 0);
      this.sizes.set(id, text.length);
    }
    this.enforceCaps();
    const put: Chain[] = [];
    const json: string[] = [];
    for (const id of this.dirty) {
      const chain = this.chains.get(id);
      const text = texts.get(id);
      if (chain && text !== undefined) {
        put.push(chain);
        json.push(text);
      }
    }
    const remove = [...this.removed];
    this.dirty.clear();
    this.removed.clear();
    return { put, json, remove, evicted: this.evictedCount };
  }

  /** Whether takeChanges would have something to write. */
  get hasChanges(): boolean {
    return this.dirty.size > 0 || this.removed.size > 0;
  }

  /** Changes that could not be stored: they go again with the next takeChanges (if still kept). */
  retryLater(changes: Pick<ChainChanges, 'put' | 'remove'>): void {
    for (const chain of changes.put) if (this.chains.has(chain.id)) this.dirty.add(chain.id);
    for (const id of changes.remove) if (!this.chains.has(id)) this.removed.add(id);
  }

  /** Lowers the byte budget (storage refused a write) and evicts down to it on the next batch. */
  shrink(factor: number): void {
    this.opts.maxBytes = Math.max(64 * 1024, Math.floor(Math.min(this.opts.maxBytes, this.totalBytes) * factor));
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Requests under way that the recorder keeps track of (chains not ended, requests not yet redirected). */
  get pending(): number {
    return this.active.size + this.candidates.size + this.evictedUnderWay.size;
  }

  private pendingOf(requestId: string): PendingHop | undefined {
    const id = this.active.get(requestId);
    if (id) {
      const chain = this.chains.get(id);
      if (chain?.pending) this.touch(chain, false);
      return chain?.pending;
    }
    return this.candidates.get(requestId)?.pending;
  }

  private onBeforeRequest(d: BeforeRequestDetails): void {
    const pending: PendingHop = { url: d.url, method: d.method, startTime: d.timeStamp, requestHeaders: [] };
    const id = this.active.get(d.requestId);
    const chain = id ? this.chains.get(id) : undefined;
    if (chain) {
      const last = chain.hops.at(-1);
      if (chain.pending?.url === d.url) return; // duplicate delivery
      if (last && last.endTime > d.timeStamp) return; // late: that hop was already built from its end
      if (last) this.linkNext(last, pending.method);
      chain.pending = pending;
      this.touch(chain);
      return;
    }
    if (this.endedAfter(d)) return; // late: its chain has ended
    if (d.type === 'main_frame') {
      this.createChain(d, pending);
      return;
    }
    this.candidates.set(d.requestId, {
      pending,
      tabId: d.tabId ?? -1,
      frameId: d.frameId ?? 0,
      type: d.type ?? 'other',
      initiator: d.initiator,
    });
    capped(this.candidates, MAX_UNDER_WAY);
  }

  /**
   * A tab was closed: its chains still under way end here (unless the browser already ended
   * them), and nothing of the tab stays in memory as under way.
   */
  tabClosed(tabId: number, timeStamp: number): void {
    for (const [requestId, chainId] of this.active) {
      const chain = this.chains.get(chainId);
      if (chain && chain.tabId !== tabId) continue;
      this.active.delete(requestId);
      if (!chain) continue;
      this.closedUnderWay.add(requestId);
      chain.pending = undefined;
      chain.endTime = Math.max(timeStamp, chain.hops.at(-1)?.endTime ?? chain.startTime);
      chain.outcome = { state: 'error', error: TAB_CLOSED };
      this.touch(chain);
    }
    capped(this.closedUnderWay, MAX_UNDER_WAY);
    for (const [requestId, candidate] of this.candidates) {
      if (candidate.tabId === tabId) this.candidates.delete(requestId);
    }
    this.metaRefresh.delete(tabId);
  }

  private onBeforeRedirect(d: RedirectDetails): void {
    const chain = this.chainFor(d, true);
    if (!chain) return;
    // Delivered twice: this very redirect is already a hop.
    if (chain.hops.some((h) => h.url === d.url && h.redirectUrl === d.redirectUrl && h.endTime === d.timeStamp)) {
      return;
    }
    const hop = this.buildHop(chain, d, d.redirectUrl);
    this.pushHop(chain, hop);
  }

  private onEnd(d: ResponseDetails | ErrorDetails, error: string | undefined): void {
    const chain = this.chainFor(d, false);
    if (!chain) {
      this.candidates.delete(d.requestId);
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
      const hop = this.buildHop(chain, d, '');
      if (error) hop.error = error;
      this.pushHop(chain, hop);
    }
    chain.pending = undefined;
    chain.endTime = d.timeStamp;
    if (error) {
      const redirects = chain.hops.filter((h) => h.redirectUrl).length;
      const tooMany =
        error === 'net::ERR_TOO_MANY_REDIRECTS' || (error === 'net::ERR_ABORTED' && redirects >= MAX_REDIRECTS);
      chain.outcome = tooMany ? { state: 'error', error, tooManyRedirects: true } : { state: 'error', error };
    } else {
      chain.outcome = { state: 'completed', statusCode: chain.hops.at(-1)?.statusCode ?? 0 };
    }
    this.active.delete(d.requestId);
    this.touch(chain);
  }

  /**
   * The chain an ending or redirecting event belongs to. A candidate becomes a chain at its
   * first redirect; an event whose start was missed (worker restarted) starts a chain itself
   * when it is worth one.
   */
  private chainFor(d: ResponseDetails | ErrorDetails, redirecting: boolean): Chain | undefined {
    const id = this.active.get(d.requestId);
    const existing = id ? this.chains.get(id) : undefined;
    if (existing) return existing;
    const candidate = this.candidates.get(d.requestId);
    if (candidate) {
      this.candidates.delete(d.requestId);
      if (!redirecting) return undefined; // finished without a redirect: not kept
      return this.createChain(
        {
          ...d,
          tabId: candidate.tabId,
          frameId: candidate.frameId,
          type: candidate.type,
          initiator: candidate.initiator,
        },
        candidate.pending,
      );
    }
    if (!redirecting && d.type !== 'main_frame') return undefined;
    if (this.endedWith(d)) return undefined; // delivered twice: not a new request
    // A redirect delivered after the end of its chain (a restarted worker got the events late).
    const ended = this.endedAfter(d);
    if (ended) return redirecting ? ended : undefined;
    return this.createChain(d, undefined);
  }

  private latestChain(requestId: string): Chain | undefined {
    let latest = this.chains.get(requestId);
    for (let n = 2; ; n++) {
      const next = this.chains.get(`${requestId}~${n}`);
      if (!next) break;
      latest = next;
    }
    return latest;
  }

  /** Whether the latest chain of this requestId has already ended with this very event. */
  private endedWith(d: { requestId: string; timeStamp: number }): boolean {
    const latest = this.latestChain(d.requestId);
    return latest !== undefined && latest.outcome.state !== 'pending' && latest.endTime === d.timeStamp;
  }

  /** The chain of this requestId that had already ended when this event happened. */
  private endedAfter(d: { requestId: string; timeStamp: number }): Chain | undefined {
    const latest = this.latestChain(d.requestId);
    return latest && latest.outcome.state !== 'pending' && (latest.endTime ?? 0) > d.timeStamp ? latest : undefined;
  }

  private createChain(
    d: { requestId: string; tabId?: number; frameId?: number; type?: string; initiator?: string; timeStamp: number },
    pending: PendingHop | undefined,
  ): Chain {
    let id = d.requestId;
    for (let n = 2; this.chains.has(id); n++) id = `${d.requestId}~${n}`;
    const chain: Chain = {
      id,
      requestId: d.requestId,
      tabId: d.tabId ?? -1,
      frameId: d.frameId ?? 0,
      type: d.type ?? 'other',
      startTime: pending?.startTime ?? d.timeStamp,
      hops: [],
      outcome: { state: 'pending' },
      summary: summarize({ hops: [], outcome: { state: 'pending' } }),
    };
    if (d.initiator) chain.initiator = d.initiator;
    if (pending) chain.pending = pending;
    this.chains.set(id, chain);
    this.active.set(d.requestId, id);
    this.touch(chain);
    return chain;
  }

  private buildHop(chain: Chain, d: ResponseDetails | ErrorDetails, redirectUrl: string): Hop {
    const hasResponse = 'statusCode' in d;
    // A response for another URL than the pending request means the pending one is stale: its
    // end and the next request's start were lost with a restarted worker.
    const p = hasResponse && chain.pending && !sameResource(chain.pending.url, d.url) ? undefined : chain.pending;
    const statusLine = parseStatusLine(
      (hasResponse ? d.statusLine : undefined) ?? p?.statusLine,
      (hasResponse ? d.statusCode : undefined) ?? p?.statusCode ?? 0,
    );
    const responseHeaders =
      hasResponse && d.responseHeaders ? toHeaders(d.responseHeaders) : (p?.responseHeaders ?? []);
    const reason = getHeader(responseHeaders, 'non-authoritative-reason');
    const kind: HopKind = reason ? 'internal' : 'server';
    // An error after a response (the 21st redirect of a loop) names the target that was not
    // followed; the hop itself is the request that was under way.
    const url = p?.url ?? d.url;
    const hop: Hop = {
      index: chain.hops.length,
      url,
      method: (p?.method ?? d.method ?? 'GET').toUpperCase(),
      statusCode: statusLine.statusCode,
      httpVersion: statusLine.httpVersion,
      statusText: statusLine.statusText,
      requestHeaders: p?.requestHeaders ?? [],
      responseHeaders,
      redirectUrl,
      fromCache: d.fromCache === true,
      startTime: p?.startTime ?? d.timeStamp,
      endTime: d.timeStamp,
      kind,
      cache: { verdict: 'not-applicable', reason: '', headers: [] },
      crossOrigin: isCrossOrigin(url, redirectUrl),
      downgrade: isDowngrade(url, redirectUrl),
    };
    if (d.ip) hop.ip = d.ip;
    if (reason) hop.internalReason = reason;
    hop.cache = cacheVerdict(hop);
    // The same request again (URL and method): a form that posts back to its own URL and is
    // answered with a 303 to a GET of it is not a loop.
    const earlier = chain.hops.findIndex((h) => h.url === url && h.method === hop.method);
    if (earlier >= 0) hop.repeatsHop = earlier;
    return hop;
  }

  private pushHop(chain: Chain, hop: Hop): void {
    // Events can reach a restarted worker late: a hop that ended before others goes before them.
    const at = hop.redirectUrl ? chain.hops.findIndex((h) => h.endTime > hop.endTime) : -1;
    if (at >= 0) {
      chain.hops.splice(at, 0, hop);
      this.linkNext(hop, (chain.hops[at + 1] as Hop).method);
      const before = chain.hops[at - 1];
      if (before) this.linkNext(before, hop.method);
      // The request under way that started before this hop ended was this hop's own start.
      if (chain.pending?.url === hop.url && chain.pending.startTime <= hop.endTime) chain.pending = undefined;
      chain.startTime = Math.min(chain.startTime, hop.startTime);
      this.renumber(chain);
      this.capHops(chain);
      this.touch(chain);
      return;
    }
    chain.pending = undefined;
    const previous = chain.hops.at(-1);
    // The next request's start was missed (worker restarted): its own details carry the method.
    if (previous && !previous.methodChange) this.linkNext(previous, hop.method);
    chain.hops.push(hop);
    this.capHops(chain);
    this.touch(chain);
  }

  /** Keeps at most maxHops: the first hop (unless the cap is 1) and the latest; drops the oldest middle ones. */
  private capHops(chain: Chain): void {
    const excess = chain.hops.length - this.opts.maxHops;
    if (excess <= 0) return;
    chain.hops.splice(Math.min(1, this.opts.maxHops - 1), excess);
    this.renumber(chain);
  }

  /** Indexes moved: renumber, and point repeats at the hops still kept. */
  private renumber(chain: Chain): void {
    chain.hops.forEach((h, i, all) => {
      h.index = i;
      const earlier = all.findIndex((e) => e.url === h.url && e.method === h.method);
      if (earlier >= 0 && earlier < i) h.repeatsHop = earlier;
      else delete h.repeatsHop;
    });
  }

  /** The next request of a chain is known: say what happened to the method. */
  private linkNext(last: Hop, nextMethod: string): void {
    if (last.redirectUrl) last.methodChange = describeMethodChange(last, nextMethod);
  }

  private touch(chain: Chain, content = true): void {
    if (content) chain.summary = summarize(chain);
    this.dirty.add(chain.id);
    this.removed.delete(chain.id);
    this.emit({ type: 'put', chain });
  }

  private emit(change: Parameters<ChainListener>[0]): void {
    for (const l of this.listeners) l(change);
  }

  /** Forgets chains; returns the requests under way that were theirs (one pass over `active`). */
  private drop(ids: readonly string[]): string[] {
    const gone = new Set<string>();
    for (const id of ids) {
      const chain = this.chains.get(id);
      if (!chain) continue;
      gone.add(id);
      this.chains.delete(id);
      if (this.currentByTab.get(chain.tabId) === id) this.currentByTab.delete(chain.tabId);
      this.totalBytes -= this.sizes.get(id) ?? 0;
      this.sizes.delete(id);
      this.dirty.delete(id);
      this.removed.add(id);
    }
    const underWay: string[] = [];
    if (!gone.size) return underWay;
    for (const [requestId, chainId] of this.active) {
      if (!gone.has(chainId)) continue;
      this.active.delete(requestId);
      underWay.push(requestId);
    }
    return underWay;
  }

  private enforceCaps(): void {
    if (this.chains.size <= this.opts.maxChains && this.totalBytes <= this.opts.maxBytes) return;
    const victims: string[] = [];
    let count = this.chains.size;
    let bytes = this.totalBytes;
    // Oldest finished chains first; chains under way are evicted only when nothing else is left.
    for (const pass of [false, true]) {
      for (const chain of this.chains.values()) {
        if (count <= this.opts.maxChains && bytes <= this.opts.maxBytes) break;
        const underWay = chain.outcome.state === 'pending';
        if (underWay !== pass) continue;
        victims.push(chain.id);
        count--;
        bytes -= this.sizes.get(chain.id) ?? 0;
      }
    }
    this.evictedCount += victims.length;
    for (const requestId of this.drop(victims)) this.evictedUnderWay.add(requestId);
    capped(this.evictedUnderWay, MAX_UNDER_WAY);
    this.emit({ type: 'remove', ids: victims });
  }
}
