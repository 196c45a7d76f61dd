/**
 * Service worker entry. Listeners are registered synchronously at the top level, before any
 * await, so that an event that wakes a stopped worker is delivered (MV3 requirement).
 */
import browser from 'webextension-polyfill';
import type { RequestEvent } from '../core/events.ts';
import { parseMetaRefreshMessage } from '../shared/protocol.ts';
import type { WorkerApi } from '../shared/worker-api.ts';
import { BadgeUpdater } from './badge.ts';
import { PortHub } from './ports.ts';
import { RecordingSession } from './recording.ts';

const session = new RecordingSession(browser.storage.session);
const ownOrigin = new URL(browser.runtime.getURL('/')).origin;

function record(event: RequestEvent): void {
  // Requests made by the extension's own pages are not the user's redirects.
  if (event.details.initiator === ownOrigin) return;
  session.handle(event);
}

const filter: browser.WebRequest.RequestFilter = { urls: ['http://*/*', 'https://*/*'] };
const wr = browser.webRequest;

wr.onBeforeRequest.addListener((details) => void record({ event: 'onBeforeRequest', details }), filter);
wr.onBeforeSendHeaders.addListener((details) => void record({ event: 'onBeforeSendHeaders', details }), filter, [
  'requestHeaders',
  'extraHeaders',
]);
wr.onHeadersReceived.addListener((details) => void record({ event: 'onHeadersReceived', details }), filter, [
  'responseHeaders',
  'extraHeaders',
]);
wr.onBeforeRedirect.addListener((details) => void record({ event: 'onBeforeRedirect', details }), filter, [
  'responseHeaders',
  'extraHeaders',
]);
wr.onResponseStarted.addListener((details) => void record({ event: 'onResponseStarted', details }), filter, [
  'responseHeaders',
  'extraHeaders',
]);
wr.onCompleted.addListener((details) => void record({ event: 'onCompleted', details }), filter, [
  'responseHeaders',
  'extraHeaders',
]);
wr.onErrorOccurred.addListener((details) => void record({ event: 'onErrorOccurred', details }), filter);

// Client-side redirects: Chromium marks the navigation a page started by itself
// (meta refresh, Refresh header, JavaScript) with the `client_redirect` qualifier.
browser.webNavigation.onCommitted.addListener(
  (details) => {
    if (details.frameId === 0) session.commit(details);
  },
  { url: [{ schemes: ['http', 'https'] }] },
);
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
    };
  },
};
globalThis.hopscope = api;
