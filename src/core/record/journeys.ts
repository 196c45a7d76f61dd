/**
 * Journeys: a tab's main-frame navigations joined into what the user lived through. When the
 * page shown moves on by itself (meta refresh, Refresh header, JavaScript), the next
 * navigation's hops join that page's chain behind a `client` hop.
 */
import type { Chain, ClientRedirect } from '../model/chain.ts';
import { getHeader } from '../model/headers.ts';
import { isHttpUrl, sameResource, withoutFragment } from '../model/url.ts';
import type { CommitDetails, MetaRefreshDetails } from './events.ts';
import { capHops, refreshDelay } from './hop.ts';
import type { RequestTracker } from './requests.ts';
import type { ChainStore } from './store.ts';
import type { Navigations } from './upgrades.ts';

function redirects(chain: Chain): number {
  let n = 0;
  for (const hop of chain.hops) if (hop.redirectUrl) n++;
  return n;
}

export class Journeys {
  /** Per tab: the journey of the page shown now (its last committed main-frame navigation). */
  private readonly currentByTab = new Map<number, string>();
  /** Per tab: the `<meta http-equiv=refresh>` the content script saw in the shown document. */
  private readonly metaRefresh = new Map<number, MetaRefreshDetails>();
  /**
   * Per tab: a commit of an http(s) page whose request had not been reported yet. Firefox does
   * not order webNavigation after webRequest: the commit is applied once a chain reaches its URL.
   */
  private readonly earlyCommit = new Map<number, CommitDetails>();

  constructor(
    private readonly store: ChainStore,
    private readonly requests: RequestTracker,
    private readonly maxHops: number,
    private readonly navigations: Navigations,
  ) {}

  /** A restored main-frame chain: the newest one of its tab is taken as the page it shows. */
  restore(chain: Chain): void {
    if (chain.type === 'main_frame') this.currentByTab.set(chain.tabId, chain.id);
  }

  /** The journey of the page a tab shows now, if it was recorded. */
  current(tabId: number): Chain | undefined {
    const id = this.currentByTab.get(tabId);
    return id ? this.store.get(id) : undefined;
  }

  /** Chains left the store. */
  forget(chains: readonly Chain[]): void {
    for (const chain of chains) {
      if (this.currentByTab.get(chain.tabId) === chain.id) this.currentByTab.delete(chain.tabId);
    }
  }

  tabClosed(tabId: number): void {
    this.metaRefresh.delete(tabId);
    this.earlyCommit.delete(tabId);
    this.navigations.ended(tabId);
  }

  /** The content script saw a meta refresh in a tab's top-level document. */
  noteMetaRefresh(d: MetaRefreshDetails): void {
    this.metaRefresh.set(d.tabId, d);
    // A 0 s refresh can commit before the content script's message arrives: the hop was then
    // taken for JavaScript, and this corrects it.
    const chain = this.current(d.tabId);
    const hop = chain?.hops.find(
      (h) => h.kind === 'client' && h.clientRedirect?.type === 'javascript' && sameResource(h.url, d.url),
    );
    if (chain && hop?.clientRedirect) {
      hop.clientRedirect.type = 'meta-refresh';
      const delay = refreshDelay(d.content);
      if (delay !== undefined) hop.clientRedirect.delaySeconds = delay;
      this.metaRefresh.delete(d.tabId);
      this.store.touch(chain);
    }
  }

  /**
   * A main-frame navigation committed. When Chromium marks it `client_redirect`, the page shown
   * before moved on by itself: the new navigation's hops join that page's journey.
   */
  onCommitted(d: CommitDetails): void {
    if (d.frameId !== 0) return;
    this.navigations.ended(d.tabId);
    this.earlyCommit.delete(d.tabId);
    const previousId = this.currentByTab.get(d.tabId);
    const committed = isHttpUrl(d.url) ? this.committedChain(d.tabId, d.url) : undefined;
    if (!committed) {
      if (isHttpUrl(d.url)) {
        // Its request is still to be reported (Firefox): the page shown before stays current until then.
        this.earlyCommit.set(d.tabId, d);
        return;
      }
      this.currentByTab.delete(d.tabId);
      this.forgetMetaRefresh(d);
      return;
    }
    const previous = previousId ? this.store.get(previousId) : undefined;
    if (d.transitionQualifiers?.includes('forward_back') && redirects(committed) === 0) {
      // Back to a page: it was reached through the journey of the first visit, not this reload.
      const earlier = this.committedChain(d.tabId, d.url, (c) => redirects(c) > 0);
      if (earlier) {
        this.currentByTab.set(d.tabId, earlier.id);
        this.store.touch(earlier);
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
      this.join(previous, committed);
      this.currentByTab.set(d.tabId, previous.id);
      this.store.touch(previous);
    } else {
      this.currentByTab.set(d.tabId, committed.id);
      this.store.touch(committed);
    }
    this.forgetMetaRefresh(d);
  }

  /** A request event of a tab's main frame: a commit of its URL that came before it applies now. */
  requestSeen(tabId: number | undefined, url: string): void {
    if (tabId === undefined) return;
    const early = this.earlyCommit.get(tabId);
    if (!early || withoutFragment(early.url) !== withoutFragment(url)) return;
    if (this.committedChain(tabId, early.url)) this.onCommitted(early);
  }

  /** The tab starts another navigation: a commit still waiting for its request never gets one. */
  navigationStarted(tabId: number): void {
    const early = this.earlyCommit.get(tabId);
    if (!early) return;
    this.earlyCommit.delete(tabId);
    this.currentByTab.delete(tabId);
    this.forgetMetaRefresh(early);
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
    const all = this.store.list();
    for (let i = all.length - 1; i >= 0; i--) {
      const c = all[i] as Chain;
      if (c.tabId !== tabId || c.type !== 'main_frame') continue;
      const last = c.pending?.url ?? c.hops.at(-1)?.url;
      if (last !== undefined && withoutFragment(last) === target && accept(c)) return c;
    }
    return undefined;
  }

  /** The page of `previous` moved on by itself to `next`: one journey, behind a client hop. */
  private join(previous: Chain, next: Chain): void {
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
    const underWay = this.requests.forget(this.store.drop([next.id]));
    this.forget([next]);
    previous.hops.push(...next.hops);
    capHops(previous.hops, this.maxHops);
    previous.requestIds = [...(previous.requestIds ?? [previous.requestId]), next.requestId];
    previous.outcome = next.outcome;
    if (next.endTime !== undefined) previous.endTime = next.endTime;
    else delete previous.endTime;
    if (next.pending) previous.pending = next.pending;
    this.requests.reassign(underWay, previous.id);
  }
}
