/**
 * The chain model: facts only. Everything here is what the browser (or a HAR file) reported,
 * JSON-serialisable, so a chain can be written to storage, sent over a port and rebuilt in
 * another context unchanged. Conclusions (a hop's index, its cache verdict, what happened to
 * the method, the flags, the summary) are derived from these facts by `analyze/`, never stored.
 */

export interface Header {
  name: string;
  value: string;
}

/** Who produced a hop: the server, the browser itself, or the page (meta refresh, JS). */
export type HopKind = 'server' | 'internal' | 'client';

/** Well-known values of Chromium's `Non-Authoritative-Reason`; any other value is kept raw. */
export type InternalReason = 'HSTS' | 'WebRequest API' | 'HttpsUpgrades' | 'Delegate' | (string & {});

export type ClientRedirectType = 'meta-refresh' | 'refresh-header' | 'javascript';

/** A page that answered (usually 200) and then navigated on by itself. */
export interface ClientRedirect {
  type: ClientRedirectType;
  /** The delay the page asked for (meta refresh or Refresh header), in seconds. */
  delaySeconds?: number;
  /** How long after this hop ended the next navigation started, in ms. */
  afterMs: number;
}

/** One exchange of a chain, as the browser reported it. */
export interface Hop {
  url: string;
  method: string;
  /** 0 when the request failed before any response arrived. */
  statusCode: number;
  /** From the status line, e.g. `HTTP/1.1`; '' when unknown. */
  httpVersion: string;
  /** From the status line, e.g. `Internal Redirect`; '' when the line has none (HTTP/2). */
  statusText: string;
  requestHeaders: Header[];
  responseHeaders: Header[];
  /** Absolute redirect target, '' when this hop is not a redirect. */
  redirectUrl: string;
  fromCache: boolean;
  ip?: string;
  /** Epoch ms when the request for this hop started / when its response ended. */
  startTime: number;
  endTime: number;
  kind: HopKind;
  /** Set when kind is `internal`: the `Non-Authoritative-Reason` value. */
  internalReason?: InternalReason;
  /** Set when kind is `client`: how the page moved on to `redirectUrl` by itself. */
  clientRedirect?: ClientRedirect;
  /** A net error string when the request failed on this hop (e.g. net::ERR_CONNECTION_REFUSED). */
  error?: string;
  /**
   * The browser made this hop but did not report it to extensions (Chrome's HTTPS-Upgrades):
   * Hopscope inferred it from the navigation and the requests around it.
   */
  inferred?: true;
}

/** The error of a chain still under way when its tab was closed. */
export const TAB_CLOSED = 'tab closed';
/**
 * The error of a subresource chain still under way when the worker stopped listening to
 * subresources (no panel open any more): how it went on was not recorded.
 */
export const RECORDING_STOPPED = 'not recorded further: no panel open';
/** Pages and frames: recorded always, every event with all headers; the other types (subresources) while a panel watches. */
export const FRAME_TYPES: ReadonlySet<string> = new Set(['main_frame', 'sub_frame']);

export type ChainOutcome =
  | { state: 'pending' }
  | { state: 'completed'; statusCode: number }
  | { state: 'error'; error: string; tooManyRedirects?: boolean };

/** The browser that recorded a chain: where they differ, the explanations follow it. */
export type RecordingBrowser = 'chromium' | 'firefox';

/** webRequest's resource type (`main_frame`, `script`, …); any other value is kept raw. */
export type ResourceType = string;

export interface Chain {
  /** Unique per recording session: the webRequest requestId plus its start time. */
  id: string;
  requestId: string;
  /** Every request of the journey when client redirects joined several (first one first). */
  requestIds?: string[];
  tabId: number;
  frameId: number;
  type: ResourceType;
  initiator?: string;
  /** The browser that recorded it; absent for chains from elsewhere (a HAR file, older data). */
  browser?: RecordingBrowser;
  startTime: number;
  endTime?: number;
  hops: Hop[];
  outcome: ChainOutcome;
  /** Set while a hop is under way: the request sent, its response not yet known. */
  pending?: PendingHop;
}

export interface PendingHop {
  url: string;
  method: string;
  startTime: number;
  requestHeaders: Header[];
  /** From onHeadersReceived, in case the hop ends without headers on the final event. */
  statusLine?: string;
  statusCode?: number;
  responseHeaders?: Header[];
}
