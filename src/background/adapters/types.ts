/**
 * A browser adapter: where the browsers' webRequest differences end, so that the core gets the
 * same facts from each and stays one model. It says how to ask for events (which options each
 * browser accepts) and turns each browser's event details into the core's RequestEvent.
 */
import type { RequestEvent, RequestEventName } from '../../core/record/events.ts';

export type BrowserName = 'chromium' | 'firefox';

export interface BrowserAdapter {
  readonly name: BrowserName;
  /**
   * The `extraInfoSpec` of a listener that reads headers. Chromium needs `extraHeaders` to show
   * Cookie, Set-Cookie, Referer and Origin; Firefox throws on it (and stops the script).
   */
  headerOptions(headers: 'requestHeaders' | 'responseHeaders'): string[];
  /** The request types other than pages and frames this browser knows. */
  readonly otherTypes: readonly string[];
  /**
   * The event as the core reads it; undefined when it is not the user's (the extension's own
   * requests).
   */
  toEvent(event: RequestEventName, details: BrowserDetails): RequestEvent | undefined;
}

/** Event details as either browser hands them over (fields the core reads, plus Firefox's own). */
export interface BrowserDetails {
  requestId: string;
  url: string;
  timeStamp: number;
  method?: string;
  tabId?: number;
  frameId?: number;
  type?: string;
  /** Chromium: the origin that started the request. */
  initiator?: string;
  /** Firefox: the URL of the document or script that started the request. */
  originUrl?: string;
  documentUrl?: string;
  statusCode?: number;
  statusLine?: string;
  redirectUrl?: string;
  error?: string;
  [key: string]: unknown;
}
