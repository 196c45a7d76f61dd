/**
 * webRequest-like events: the shape the browser hands to listeners, reduced to the fields the
 * recorder reads. Structural types only, so the core imports no browser API and recorded
 * fixtures from real Chromium feed straight in.
 */

export interface RawHeader {
  name: string;
  value?: string;
  binaryValue?: number[];
}

interface BaseDetails {
  requestId: string;
  url: string;
  method?: string;
  tabId?: number;
  frameId?: number;
  type?: string;
  timeStamp: number;
  initiator?: string;
}

export interface BeforeRequestDetails extends BaseDetails {
  method: string;
}

export interface SendHeadersDetails extends BaseDetails {
  requestHeaders?: RawHeader[];
}

export interface ResponseDetails extends BaseDetails {
  statusCode: number;
  statusLine?: string;
  responseHeaders?: RawHeader[];
  fromCache?: boolean;
  ip?: string;
  /**
   * Set by a browser adapter when the browser made this answer up itself but says so otherwise
   * than with Chromium's `Non-Authoritative-Reason` header (Firefox: a status-0 redirect).
   */
  internalReason?: string;
}

export interface RedirectDetails extends ResponseDetails {
  redirectUrl: string;
}

export interface ErrorDetails extends BaseDetails {
  error: string;
  fromCache?: boolean;
  ip?: string;
}

export type RequestEvent =
  | { event: 'onBeforeRequest'; details: BeforeRequestDetails }
  | { event: 'onBeforeSendHeaders'; details: SendHeadersDetails }
  | { event: 'onSendHeaders'; details: SendHeadersDetails }
  | { event: 'onHeadersReceived'; details: ResponseDetails }
  | { event: 'onBeforeRedirect'; details: RedirectDetails }
  | { event: 'onResponseStarted'; details: ResponseDetails }
  | { event: 'onCompleted'; details: ResponseDetails }
  | { event: 'onErrorOccurred'; details: ErrorDetails };

export type RequestEventName = RequestEvent['event'];

/** webNavigation.onBeforeNavigate for a main frame: the URL the navigation asked for. */
export interface NavigationDetails {
  tabId: number;
  frameId: number;
  url: string;
  timeStamp: number;
}

/** webNavigation.onCommitted for a main frame: tells a client redirect from a user navigation. */
export interface CommitDetails {
  tabId: number;
  frameId: number;
  url: string;
  transitionType?: string;
  transitionQualifiers?: string[];
  timeStamp: number;
}

/** What the content script saw in a top-level document: `<meta http-equiv="refresh">`. */
export interface MetaRefreshDetails {
  tabId: number;
  url: string;
  /** The content attribute as written, e.g. `0; url=/next`. */
  content: string;
  timeStamp: number;
}
