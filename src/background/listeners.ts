/**
 * The worker's webRequest and webNavigation registration: which events, for which requests, with
 * which options. It is what the browser charges for before any of Hopscope's code runs, so it
 * lives apart: the worker registers it with its handlers, and `npm run bench` builds the floor
 * from this same function with handlers that do nothing (bench/floor.ts), so the floor cannot
 * drift from the worker.
 */
import type browser from 'webextension-polyfill';
import { FRAME_TYPES } from '../core/model/chain.ts';
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

/** Subresource recording that can be switched on and off (see registerRecordingListeners). */
export interface SubresourceListeners {
  /** Starts receiving the events of requests other than pages and frames (idempotent). */
  add(): void;
  /** Stops receiving them: the browser stops sending them (idempotent). */
  remove(): void;
  readonly on: boolean;
}

/**
 * Registers the listeners for pages and frames (always on) and returns the switch for the rest.
 *
 * What a page pays for an extension's webRequest listeners is the events crossing into the
 * worker. Measured on the heavy page of `npm run bench` (README, "The listener set"): listening to
 * pages and frames costs ≈ ×1.05 of no extension; listening to subresources at all, with any
 * options, ≈ +0.17 more. Only the panel shows subresource chains (the popup, the badge, `hopscope
 * trace` and `check` show pages), so, like DevTools' Network panel, the worker listens to
 * subresources only while a panel watches: the caller switches them on and off.
 *
 * Pages and frames get every event with all headers; other requests, which matter only once they
 * redirect, get the start of each hop (no headers: cheap), the redirects themselves (every header:
 * Set-Cookie on a redirected image) and their end without extraHeaders.
 */
export function registerRecordingListeners(
  b: Browser,
  adapter: BrowserAdapter,
  h: RecordingHandlers,
): SubresourceListeners {
  const wr = b.webRequest;
  const listener = (event: RequestEventName) => (details: object) => h.request(event, details);
  const urls = ['http://*/*', 'https://*/*'];
  const frames: browser.WebRequest.RequestFilter = { urls, types: [...FRAME_TYPES] as ResourceType[] };
  const others: browser.WebRequest.RequestFilter = { urls, types: [...adapter.otherTypes] as ResourceType[] };
  const requestHeaders = adapter.headerOptions('requestHeaders') as Spec<browser.WebRequest.OnBeforeSendHeadersOptions>;
  const responseHeaders = adapter.headerOptions('responseHeaders') as Spec<browser.WebRequest.OnHeadersReceivedOptions>;
  const redirectHeaders = responseHeaders as Spec<browser.WebRequest.OnBeforeRedirectOptions>;

  wr.onBeforeRequest.addListener(listener('onBeforeRequest'), frames);
  wr.onBeforeSendHeaders.addListener(listener('onBeforeSendHeaders'), frames, requestHeaders);
  wr.onHeadersReceived.addListener(listener('onHeadersReceived'), frames, responseHeaders);
  wr.onBeforeRedirect.addListener(listener('onBeforeRedirect'), frames, redirectHeaders);
  wr.onCompleted.addListener(
    listener('onCompleted'),
    frames,
    responseHeaders as Spec<browser.WebRequest.OnCompletedOptions>,
  );
  // No third argument: Firefox throws on any, even undefined.
  wr.onErrorOccurred.addListener(listener('onErrorOccurred'), frames);

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

  // The same functions each time, so that remove() takes back exactly what add() registered.
  const started = listener('onBeforeRequest');
  const redirected = listener('onBeforeRedirect');
  const completed = listener('onCompleted');
  const failed = listener('onErrorOccurred');
  let on = false;
  return {
    get on() {
      return on;
    },
    add() {
      if (on) return;
      on = true;
      wr.onBeforeRequest.addListener(started, others);
      // Fires only for redirects, so all of them get every header.
      wr.onBeforeRedirect.addListener(redirected, others, redirectHeaders);
      wr.onCompleted.addListener(completed, others, ['responseHeaders']);
      wr.onErrorOccurred.addListener(failed, others);
    },
    remove() {
      if (!on) return;
      on = false;
      wr.onBeforeRequest.removeListener(started);
      wr.onBeforeRedirect.removeListener(redirected);
      wr.onCompleted.removeListener(completed);
      wr.onErrorOccurred.removeListener(failed);
    },
  };
}
