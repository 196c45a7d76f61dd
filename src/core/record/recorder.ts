/**
 * The recorder: browser events in, chains of facts out. Three parts, each its own file:
 * requests (events → hops), journeys (a tab's navigations joined across client redirects) and
 * the store (what is kept, what changed, the caps). This class wires them and is the one
 * public face of recording; what the chains mean is for `analyze/`.
 */
import type { Chain, RecordingBrowser } from '../model/chain.ts';
import { isHttpUrl } from '../model/url.ts';
import type { CommitDetails, MetaRefreshDetails, NavigationDetails, RequestEvent } from './events.ts';
import { Journeys } from './journeys.ts';
import { RequestTracker } from './requests.ts';
import { type ChainChanges, type ChainListener, ChainStore } from './store.ts';
import { Navigations } from './upgrades.ts';

export { refreshDelay } from './hop.ts';
export { MAX_UNDER_WAY, TAB_CLOSED } from './requests.ts';
export type { ChainChanges, ChainListener } from './store.ts';

export interface RecorderOptions {
  /** Most chains kept; the oldest finished ones are evicted first. */
  maxChains?: number;
  /** Most bytes of chain JSON kept (the storage.session quota is 10 MB). */
  maxBytes?: number;
  /** Most hops kept in one chain (client-side loops have no browser limit). */
  maxHops?: number;
  /** URLs never recorded (the extension's own pages and assets). */
  ignoreUrl?: (url: string) => boolean;
  /** The browser the events come from, written on each chain (see Chain.browser). */
  browser?: RecordingBrowser;
}

/**
 * Chains are stored as JSON text, which storage.session counts about byte for byte against its
 * 10 MB quota (as objects it counted 3.3 bytes per byte of JSON, measured on Chromium 150).
 * The quota is shared with the incognito worker ("split" mode) and any other data: 4 MB each.
 */
const DEFAULTS = { maxChains: 5000, maxBytes: 4 * 1024 * 1024, maxHops: 100 };

export class Recorder {
  private readonly store: ChainStore;
  private readonly requests: RequestTracker;
  private readonly journeys: Journeys;
  private readonly navigations = new Navigations();
  private readonly ignoreUrl: (url: string) => boolean;

  constructor(options: RecorderOptions = {}) {
    const opts = { ...DEFAULTS, ...options };
    this.store = new ChainStore({ maxChains: opts.maxChains, maxBytes: opts.maxBytes });
    this.requests = new RequestTracker(this.store, opts.maxHops, this.navigations, options.browser);
    this.journeys = new Journeys(this.store, this.requests, opts.maxHops, this.navigations);
    this.ignoreUrl = options.ignoreUrl ?? (() => false);
  }

  get evicted(): number {
    return this.store.evicted;
  }

  /** Chains oldest first. */
  list(): Chain[] {
    return this.store.list();
  }

  get(id: string): Chain | undefined {
    return this.store.get(id);
  }

  subscribe(listener: ChainListener): () => void {
    return this.store.subscribe(listener);
  }

  /** Puts back what was persisted before the service worker stopped. */
  restore(chains: readonly Chain[], evicted = 0, sizes?: ReadonlyMap<string, number>): void {
    const sorted = [...chains].sort((a, b) => a.startTime - b.startTime);
    for (const chain of sorted) {
      if (!this.store.restore(chain, sizes?.get(chain.id))) continue;
      this.requests.restore(chain);
      this.journeys.restore(chain);
    }
    this.store.restoreEvicted(evicted);
  }

  clear(tabId?: number): void {
    const ids = this.store
      .list()
      .filter((c) => tabId === undefined || c.tabId === tabId)
      .map((c) => c.id);
    this.forget(this.store.drop(ids));
  }

  handle(e: RequestEvent): void {
    if (!isHttpUrl(e.details.url) || this.ignoreUrl(e.details.url)) return;
    this.requests.handle(e);
    if (e.details.type === 'main_frame') this.journeys.requestSeen(e.details.tabId, e.details.url);
  }

  /** The journey of the page a tab shows now, if it was recorded. */
  currentChain(tabId: number): Chain | undefined {
    return this.journeys.current(tabId);
  }

  /** The content script saw a meta refresh in a tab's top-level document. */
  noteMetaRefresh(d: MetaRefreshDetails): void {
    this.journeys.noteMetaRefresh(d);
  }

  /**
   * A main-frame navigation started (webNavigation.onBeforeNavigate): the URL it asked for, which
   * tells a request the browser upgraded to https itself (HTTPS-Upgrades).
   */
  onBeforeNavigate(d: NavigationDetails): void {
    if (d.frameId !== 0) return;
    this.journeys.navigationStarted(d.tabId);
    if (!isHttpUrl(d.url) || this.ignoreUrl(d.url)) return;
    this.navigations.started(d);
    // The navigation's first request may have been reported before the navigation itself.
    const first = this.requests.firstRequestOf(d.tabId);
    if (first) this.requests.upgradedStart(first);
  }

  /** A main-frame navigation committed (webNavigation.onCommitted). */
  onCommitted(d: CommitDetails): void {
    this.journeys.onCommitted(d);
  }

  /**
   * A tab was closed: its chains still under way end here (unless the browser already ended
   * them), and nothing of the tab stays in memory as under way.
   */
  tabClosed(tabId: number, timeStamp: number): void {
    this.requests.tabClosed(tabId, timeStamp);
    this.journeys.tabClosed(tabId);
  }

  /**
   * The worker stopped listening to subresources (no panel open): their chains still under way
   * end with RECORDING_STOPPED instead of staying under way for good.
   */
  subresourcesStopped(timeStamp: number): void {
    this.requests.subresourcesStopped(timeStamp);
  }

  /** Hands over what changed since the last call, for persistence, after enforcing the caps. */
  takeChanges(): ChainChanges {
    return this.store.takeChanges((victims) => {
      this.requests.evicted(victims);
      this.journeys.forget(victims);
    });
  }

  /** Whether takeChanges would have something to write. */
  get hasChanges(): boolean {
    return this.store.hasChanges;
  }

  /** Changes that could not be stored: they go again with the next takeChanges (if still kept). */
  retryLater(changes: Pick<ChainChanges, 'put' | 'remove'>): void {
    this.store.retryLater(changes);
  }

  /** Lowers the byte budget (storage refused a write) and evicts down to it on the next batch. */
  shrink(factor: number): void {
    this.store.shrink(factor);
  }

  get bytes(): number {
    return this.store.bytes;
  }

  /** Requests under way the recorder tracks (chains not ended, requests not yet redirected). */
  get pending(): number {
    return this.requests.underWay;
  }

  private forget(chains: readonly Chain[]): void {
    this.requests.forget(chains);
    this.journeys.forget(chains);
  }
}
