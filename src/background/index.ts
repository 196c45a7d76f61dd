/**
 * Service worker entry (Chromium; Firefox runs it as an event page). Listeners are registered
 * synchronously at the top level, before any await, so that an event that wakes a stopped worker
 * is delivered (MV3 requirement).
 */
import browser from 'webextension-polyfill';
import type { Chain } from '../core/model/chain.ts';
import { parseMetaRefreshMessage } from '../shared/protocol.ts';
import type { WorkerApi } from '../shared/worker-api.ts';
import type { BrowserDetails } from './adapters/index.ts';
import { BadgeUpdater } from './badge.ts';
import { incognitoArea } from './incognito.ts';
import { adapterIn, registerRecordingListeners } from './listeners.ts';
import { PortHub } from './ports.ts';
import { RecordingSession } from './recording.ts';
import { SubresourceWatch } from './watch.ts';

const ownOrigin = new URL(browser.runtime.getURL('/')).origin;

// The browser's differences end in its adapter: the core gets the same facts from each.
const adapter = adapterIn(browser, ownOrigin);

// An incognito window's worker (Chromium's "split" mode) keeps its chains apart, for its session
// only. Firefox's build keeps Hopscope out of private windows (see src/build/manifest.ts).
const area = browser.extension.inIncognitoContext ? incognitoArea(browser.storage.session) : browser.storage.session;
const session = new RecordingSession(area, { browser: adapter.name });

// Registered at the top level, before any await: an event that wakes the worker is delivered.
const subresources = registerRecordingListeners(browser, adapter, {
  request(event, details) {
    const e = adapter.toEvent(event, details as BrowserDetails);
    if (e) session.handle(e);
  },
  navigate: (details) => session.navigate(details),
  commit: (details) => {
    session.commit(details);
    badge.committed(details.tabId);
  },
});
// Subresources are listened to while a panel watches; on until the worker knows whether one does.
// When they go, the subresource chains under way end: nothing would report how they go on.
const watch = new SubresourceWatch(subresources, area, {
  stopped: () => session.subresourcesStopped(Date.now()),
});
void watch.restore();
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
  watch: () => watch.watch(),
});
browser.runtime.onConnect.addListener((port) => hub.accept(port));
// The browser is about to stop the worker (idle, update): what the last batch window holds goes now.
browser.runtime.onSuspend?.addListener(() => {
  void session.flush();
});

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
      subresources: subresources.on,
      watching: watch.watching,
    };
  },
};
globalThis.hopscope = api;
