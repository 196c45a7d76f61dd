/**
 * The worker's webRequest and webNavigation registration: which events, for which requests, with
 * which options. It is what the browser charges for before any of Hopscope's code runs, so it
 * lives apart: the worker registers it with its handlers, and `npm run bench` builds the floor
 * from this same function with handlers that do nothing (bench/floor.ts), so the floor cannot
 * drift from the worker.
 */
import type browser from 'webextension-polyfill';
import type { RequestEventName } from '../core/record/events.ts';
import { adapterFor, type BrowserAdapter } from './adapters/index.ts';

type Browser = typeof browser;

export interface RecordingHandlers {
  request(event: RequestEventName, details: object): void;
  /** A main-frame navigation started (frameId 0 only). */
  navigate(details: browser.WebNavigation.OnBeforeNavigateDetailsType): void;
  /** A main-frame navigation committed (frameId 0 only). */
  commit(details: browser.WebNavigation.OnCommittedDetailsType): void;
}

/**
 * The adapter for the browser this runs in. Only Chromium has `EXTRA_HEADERS` (Firefox throws on
 * 'extraHeaders' and stops the script); the resource types are the browser's own list.
 */
export function adapterIn(b: Browser, ownOrigin: string): BrowserAdapter {
  const enums = b.webRequest as {
    OnBeforeSendHeadersOptions?: { EXTRA_HEADERS?: string };
    ResourceType?: Record<string, string>;
  };
  return adapterFor(
    {
      extraHeaders: enums.OnBeforeSendHeadersOptions?.EXTRA_HEADERS !== undefined,
      resourceTypes: enums.ResourceType ? Object.values(enums.ResourceType) : undefined,
    },
    ownOrigin,
  );
}

type ResourceType = browser.WebRequest.ResourceType;
type Spec<T> = T[];

export function registerRecordingListeners(b: Browser, adapter: BrowserAdapter, h: RecordingHandlers): void {
  const wr = b.webRequest;
  const listener = (event: RequestEventName) => (details: object) => h.request(event, details);
  /*
   * What recording costs is the events crossing into the worker, most of all those carrying
   * headers with `extraHeaders` (npm run bench). So: pages and frames get every event with all
   * headers; other requests, which matter only once they redirect, get the start of each hop
   * (no headers: cheap), the redirects themselves, and their end without extraHeaders.
   */
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
  b.webNavigation.onBeforeNavigate.addListener(
    (details) => {
      if (details.frameId === 0) h.navigate(details);
    },
    { url: [{ schemes: ['http', 'https'] }] },
  );
  // Client-side redirects: Chromium marks the navigation a page started by itself
  // (meta refresh, Refresh header, JavaScript) with the `client_redirect` qualifier.
  b.webNavigation.onCommitted.addListener(
    (details) => {
      if (details.frameId === 0) h.commit(details);
    },
    { url: [{ schemes: ['http', 'https'] }] },
  );
}
