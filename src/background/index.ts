/**
 * Service worker entry (Chromium; Firefox runs it as an event page). Listeners are registered
 * synchronously at the top level, before any await, so that an event that wakes a stopped worker
 * is delivered (MV3 requirement).
 */
import browser from 'webextension-polyfill';
import type { Chain } from '../core/model/chain.ts';
import type { RequestEventName } from '../core/record/events.ts';
import { parseMetaRefreshMessage } from '../shared/protocol.ts';
import type { WorkerApi } from '../shared/worker-api.ts';
import { adapterFor, type BrowserDetails } from './adapters/index.ts';
import { BadgeUpdater } from './badge.ts';
import { incognitoArea } from './incognito.ts';
import { PortHub } from './ports.ts';
import { RecordingSession } from './recording.ts';

const wr = browser.webRequest;
const webRequestEnums = wr as {
  OnBeforeSendHeadersOptions?: { EXTRA_HEADERS?: string };
  ResourceType?: Record<string, string>;
};
const ownOrigin = new URL(browser.runtime.getURL('/')).origin;

// The browser's differences end in its adapter: the core gets the same facts from each. Only
// Chromium has EXTRA_HEADERS (Firefox throws on 'extraHeaders' and stops the script).
const adapter = adapterFor(
  {
    extraHeaders: webRequestEnums.OnBeforeSendHeadersOptions?.EXTRA_HEADERS !== undefined,
    resourceTypes: webRequestEnums.ResourceType ? Object.values(webRequestEnums.ResourceType) : undefined,
  },
  ownOrigin,
);

// An incognito window's worker (Chromium's "split" mode) keeps its chains apart, for its session
// only. Firefox's build keeps Hopscope out of private windows (see src/build/manifest.ts).
const session = new RecordingSession(
  browser.extension.inIncognitoContext ? incognitoArea(browser.storage.session) : browser.storage.session,
  { browser: adapter.name },
);

/** A listener handing one kind of event to the session through the adapter. */
function listener(event: RequestEventName) {
  return (details: object): void => {
    const e = adapter.toEvent(event, details as BrowserDetails);
    if (e) session.handle(e);
  };
}

/*
 * What recording costs is the events crossing into the worker, most of all those carrying
 * headers with `extraHeaders` (npm run bench). So: pages and frames get every event with all
 * headers; other requests, which matter only once they redirect, get the start of each hop
 * (no headers: cheap), the redirects themselves, and their end without extraHeaders.
 */
type ResourceType = browser.WebRequest.ResourceType;
type Spec<T> = T[];
const urls = ['http://*/*', 'https://*/*'];
const every: browser.WebRequest.RequestFilter = { urls };
const frames: browser.WebRequest.RequestFilter = { urls, types: ['main_frame', 'sub_frame'] };
const others: browser.WebRequest.RequestFilter = { urls, types: [...adapter.otherTypes] as ResourceType[] };
const requestHeaders = adapter.headerOptions('requestHeaders') as Spec<browser.WebRequest.OnBeforeSendHeadersOptions>;
const responseHeaders = adapter.headerOptions('responseHeaders') as Spec<browser.WebRequest.OnHeadersReceivedOptions>;

wr.onBeforeRequest.addListener(listener('onBeforeRequest'), every);
wr.onBeforeSendHeaders.addListener(listener('onBeforeSendHeaders'), frames, requestHeaders);
wr.onHeadersReceived.addListener(listener('onHeadersReceived'), frames, responseHeaders);
// Fires only for redirects, so all of them get every header.
wr.onBeforeRedirect.addListener(
  listener('onBeforeRedirect'),
  every,
  responseHeaders as Spec<browser.WebRequest.OnBeforeRedirectOptions>,
);
wr.onCompleted.addListener(
  listener('onCompleted'),
  frames,
  responseHeaders as Spec<browser.WebRequest.OnCompletedOptions>,
);
wr.onCompleted.addListener(listener('onCompleted'), others, ['responseHeaders']);
// No third argument: Firefox throws on any, even undefined.
wr.onErrorOccurred.addListener(listener('onErrorOccurred'), every);

// The URL a navigation asked for: a first request already at its https twin was upgraded by the
// browser itself (HTTPS-Upgrades), a hop webRequest never reports; while it is under way, a
// failed https attempt followed by its http twin is the browser falling back.
browser.webNavigation.onBeforeNavigate.addListener(
  (details) => {
    if (details.frameId === 0) session.navigate(details);
  },
  { url: [{ schemes: ['http', 'https'] }] },
);
// Client-side redirects: Chromium marks the navigation a page started by itself
// (meta refresh, Refresh header, JavaScript) with the `client_redirect` qualifier.
browser.webNavigation.onCommitted.addListener(
  (details) => {
    if (details.frameId === 0) session.commit(details);
  },
  { url: [{ schemes: ['http', 'https'] }] },
);
// A tab closed with a chain under way: Chromium usually ends its requests with ERR_ABORTED,
// but not a chain between two hops (the next request not started yet).
browser.tabs.onRemoved.addListener((tabId) => session.tabClosed(tabId, Date.now()));
browser.runtime.onMessage.addListener((raw: unknown, sender: browser.Runtime.MessageSender) => {
  const message = parseMetaRefreshMessage(raw);
  const tabId = sender.tab?.id;
  // Only our own content script, in a tab's top-level document, tells us this.
  if (!message || sender.id !== browser.runtime.id || tabId === undefined || sender.frameId !== 0) return;
  session.metaRefresh({ tabId, url: message.url, content: message.content, timeStamp: Date.now() });
});

const badge = new BadgeUpdater(browser.action, (tabId) => session.recorder.currentChain(tabId));
session.recorder.subscribe((change) => {
  if (change.type === 'put') {
    if (change.chain.type === 'main_frame') badge.schedule(change.chain.tabId);
  } else {
    badge.scheduleShown();
  }
});

const hub = new PortHub({
  recorder: session.recorder,
  ready: session.ready,
  ownOrigin,
  extensionId: browser.runtime.id,
  onClear: (tabId) => {
    session.recorder.clear(tabId ?? undefined);
    void session.flush();
  },
});
browser.runtime.onConnect.addListener((port) => hub.accept(port));

const api: WorkerApi = {
  ready: () => session.ready,
  async chains() {
    await session.ready;
    return session.recorder.list();
  },
  async tabChains({ tabId, since, waitMs = 0 }) {
    await session.ready;
    const read = () =>
      session.recorder.list().filter((c) => c.tabId === tabId && c.type === 'main_frame' && c.startTime >= since);
    const ended = (chains: Chain[]) => chains.length > 0 && chains.every((c) => c.outcome.state !== 'pending');
    const now = read();
    if (waitMs <= 0 || ended(now)) return now;
    // Woken by the store's own change events: nothing polls while the page loads.
    return new Promise<Chain[]>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        unsubscribe();
        resolve(read());
      };
      const timer = setTimeout(finish, waitMs);
      const unsubscribe = session.recorder.subscribe((change) => {
        if (change.type === 'put' && change.chain.tabId === tabId && ended(read())) finish();
      });
    });
  },
  async flush() {
    await session.ready;
    await session.flush();
  },
  async clear() {
    await session.ready;
    session.recorder.clear();
    await session.flush();
  },
  async stats() {
    await session.ready;
    return {
      chains: session.recorder.list().length,
      bytes: session.recorder.bytes,
      evicted: session.recorder.evicted,
      writes: session.writes,
      pending: session.recorder.pending,
    };
  },
};
globalThis.hopscope = api;
