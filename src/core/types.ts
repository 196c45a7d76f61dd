/**
 * The chain model. Pure data: everything here is JSON-serialisable, so a chain can be
 * written to storage, sent over a port and rebuilt in another context unchanged.
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

export type CacheVerdictKind =
  /** The browser answered from its HTTP cache; the server was not contacted. */
  | 'from-cache'
  /** 301/308 without caching headers: heuristically cacheable, Chromium keeps it forever. */
  | 'cacheable-by-default'
  /** Cache-Control max-age/s-maxage or Expires gave it an explicit lifetime. */
  | 'cacheable-explicit'
  /** Will not be reused from cache (302/303/307 without freshness, no-store, max-age=0, …). */
  | 'not-cacheable'
  /** Made up by the browser: never stored in the HTTP cache. */
  | 'not-applicable';

export interface CacheVerdict {
  verdict: CacheVerdictKind;
  /** One sentence in plain words: why this verdict. */
  reason: string;
  /** Caching headers as received (Cache-Control, Expires, Pragma, Age, ETag, Last-Modified, Vary). */
  headers: Header[];
}

export type MethodChangeKind = 'changed' | 'kept' | 'none';

/** What happened to the method between this hop and the next one. */
export interface MethodChange {
  kind: MethodChangeKind;
  from: string;
  to: string;
  /** Whether the request body was dropped (POST → GET after 301/302/303). */
  bodyDropped: boolean;
  /** Plain words, with the spec rule that applies. */
  reason: string;
}

export interface Hop {
  /** 0-based position in the chain. */
  index: number;
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
  cache: CacheVerdict;
  /** Set on redirect hops once the next request is known. */
  methodChange?: MethodChange;
  /** The redirect target has another origin than this hop's URL. */
  crossOrigin: boolean;
  /** An https URL redirects to an http one. */
  downgrade: boolean;
  /** This hop's URL was already visited earlier in the chain. */
  repeatsHop?: number;
  /** A net error string when the request failed on this hop (e.g. net::ERR_CONNECTION_REFUSED). */
  error?: string;
}

export type ChainOutcome =
  | { state: 'pending' }
  | { state: 'completed'; statusCode: number }
  | { state: 'error'; error: string; tooManyRedirects?: boolean };

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
  startTime: number;
  endTime?: number;
  hops: Hop[];
  outcome: ChainOutcome;
  /** Set while a hop is under way: the request sent, its response not yet known. */
  pending?: PendingHop;
  summary: ChainSummary;
}

/** What a user wants to know at a glance; derived from the hops. */
export interface ChainSummary {
  redirects: number;
  internal: boolean;
  methodChanged: boolean;
  fromCache: boolean;
  loop: boolean;
  downgrade: boolean;
  crossOrigin: boolean;
  error: boolean;
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
