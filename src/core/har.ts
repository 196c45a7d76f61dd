/**
 * HAR 1.2 export (http://www.softwareishard.com/blog/har-12-spec/), following Chrome
 * DevTools' export conventions where they exist (`_fromCache`, `_resourceType`, `_initiator`,
 * `response._error`). Hopscope's own analysis travels in `_hopscope` fields, documented in the
 * README.
 */
import type { Entry, Har, Header as HarHeader, QueryString } from 'har-format';
import { getHeader } from './headers.ts';
import { redactUrl, sanitizeHeaders } from './redact.ts';
import type {
  CacheVerdictKind,
  Chain,
  ChainOutcome,
  ClientRedirect,
  Header,
  Hop,
  HopKind,
  MethodChange,
} from './types.ts';

export const HOPSCOPE_VERSION = '0.1.0';

export interface HarExportOptions {
  /** Keep cookies, credentials and secret-looking URL parameters. Off by default. */
  includeSensitive?: boolean;
  creatorVersion?: string;
}

/** What Hopscope adds to each HAR entry, under `_hopscope`. */
export interface HarHopscopeEntry {
  chainId: string;
  hopIndex: number;
  hopCount: number;
  kind: HopKind;
  internalReason?: string;
  methodChange?: MethodChange;
  cache: { verdict: CacheVerdictKind; reason: string };
  crossOrigin: boolean;
  downgrade: boolean;
  repeatsHop?: number;
  /** On `client` hops: how the page moved on (meta refresh, Refresh header, JavaScript). */
  clientRedirect?: ClientRedirect;
  chainOutcome: ChainOutcome;
  tabId: number;
  frameId: number;
}

export type HopscopeHarEntry = Entry & { _hopscope: HarHopscopeEntry };

type ResourceTypeName = NonNullable<Entry['_resourceType']>;

/** webRequest resource types → the names DevTools uses in `_resourceType`. */
const RESOURCE_TYPES: Record<string, ResourceTypeName> = {
  main_frame: 'document',
  sub_frame: 'document',
  xmlhttprequest: 'xhr',
  stylesheet: 'stylesheet',
  script: 'script',
  image: 'image',
  font: 'font',
  media: 'media',
  websocket: 'websocket',
  ping: 'ping',
  csp_report: 'csp-violation-report',
  object: 'other',
  other: 'other',
};

function queryString(url: string): QueryString[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

/** What RFC 3986 allows unescaped in each part of a URI (besides `%XX`), per its ABNF. */
const URI_SAFE = {
  userinfo: /^[A-Za-z0-9\-._~!$&'()*+,;=:]$/,
  host: /^[A-Za-z0-9\-._~!$&'()*+,;=]$/,
  path: /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]$/,
  query: /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?]$/,
};

const URI_PLAIN =
  /^[a-z][a-z0-9+.-]*:(?:[\w\-.~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*(?:#(?:[\w\-.~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?$/i;

function percentEncode(text: string, safe: RegExp): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i) as number;
    const ch = String.fromCodePoint(cp);
    i += ch.length;
    if (safe.test(ch) || (ch === '%' && /^[0-9a-f]{2}$/i.test(text.slice(i, i + 2)))) out += ch;
    else out += encodeURIComponent(cp >= 0xd800 && cp <= 0xdfff ? '\ufffd' : ch);
  }
  return out;
}

/**
 * A URL as an RFC 3986 URI, as HAR 1.2 requires of `request.url`: browsers keep `|`, `^`, `[`,
 * `{`, a bare `%` and more unescaped (WHATWG URL), so those are percent-encoded. Text with no
 * scheme (a relative Location) is returned as it is.
 */
export function uriForHar(url: string): string {
  let text = url;
  let parsed = true;
  try {
    text = new URL(url).href;
  } catch {
    parsed = false;
  }
  // The common case: a browser's URL with nothing to escape and at most one `#`, kept as it is.
  if (parsed && text === url && URI_PLAIN.test(url)) return url;
  const m = /^([a-z][a-z0-9+.-]*:)(?:\/\/([^/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?$/is.exec(text);
  if (!m) return url;
  const [, scheme = '', authority, path = '', query, fragment] = m;
  let out = scheme;
  if (authority !== undefined) {
    const at = authority.lastIndexOf('@');
    if (at >= 0) out += `//${percentEncode(authority.slice(0, at), URI_SAFE.userinfo)}@`;
    else out += '//';
    const hostPort = authority.slice(at + 1);
    const port = /:\d*$/.exec(hostPort)?.[0] ?? '';
    const host = hostPort.slice(0, hostPort.length - port.length);
    out += (parsed && /^\[[0-9a-f:.]+\]$/i.test(host) ? host : percentEncode(host, URI_SAFE.host)) + port;
  }
  out += percentEncode(path, URI_SAFE.path);
  if (query !== undefined) out += `?${percentEncode(query.slice(1), URI_SAFE.query)}`;
  if (fragment !== undefined) out += `#${percentEncode(fragment.slice(1), URI_SAFE.query)}`;
  return out;
}

function iso(ms: number): string {
  return new Date(Number.isFinite(ms) ? ms : 0).toISOString();
}

function harHeaders(headers: readonly Header[], sanitize: boolean): HarHeader[] {
  const list = sanitize ? sanitizeHeaders(headers) : headers;
  return list.map((h) => ({ name: h.name, value: h.value }));
}

function hopEntry(chain: Chain, hop: Hop, sanitize: boolean): HopscopeHarEntry {
  const clean = sanitize ? redactUrl : (u: string) => u;
  const url = uriForHar(clean(hop.url));
  const httpVersion = hop.httpVersion || 'unknown';
  const time = Math.max(0, hop.endTime - hop.startTime);
  const mimeType = getHeader(hop.responseHeaders, 'content-type') ?? 'x-unknown';
  const hopscope: HarHopscopeEntry = {
    chainId: chain.id,
    hopIndex: hop.index,
    hopCount: chain.hops.length,
    kind: hop.kind,
    cache: { verdict: hop.cache.verdict, reason: hop.cache.reason },
    crossOrigin: hop.crossOrigin,
    downgrade: hop.downgrade,
    chainOutcome: chain.outcome,
    tabId: chain.tabId,
    frameId: chain.frameId,
  };
  if (hop.internalReason) hopscope.internalReason = hop.internalReason;
  if (hop.methodChange) hopscope.methodChange = hop.methodChange;
  if (hop.repeatsHop !== undefined) hopscope.repeatsHop = hop.repeatsHop;
  if (hop.clientRedirect) hopscope.clientRedirect = hop.clientRedirect;
  const entry: HopscopeHarEntry = {
    startedDateTime: iso(hop.startTime),
    time,
    request: {
      method: hop.method,
      url,
      httpVersion,
      cookies: [],
      headers: harHeaders(hop.requestHeaders, sanitize),
      queryString: queryString(url),
      headersSize: -1,
      bodySize: hop.method === 'GET' || hop.method === 'HEAD' ? 0 : -1,
    },
    response: {
      status: hop.statusCode,
      statusText: hop.statusText,
      httpVersion,
      cookies: [],
      headers: harHeaders(hop.responseHeaders, sanitize),
      content: { size: 0, mimeType },
      redirectURL: uriForHar(clean(hop.redirectUrl)),
      headersSize: -1,
      bodySize: -1,
      ...(hop.error ? { _error: hop.error } : {}),
    },
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: time, receive: 0 },
    _resourceType: RESOURCE_TYPES[chain.type] ?? 'other',
    _hopscope: hopscope,
  };
  if (hop.ip) entry.serverIPAddress = hop.ip.replace(/^\[|\]$/g, '');
  if (hop.fromCache) entry._fromCache = 'disk';
  if (chain.initiator) entry._initiator = { type: 'other', url: clean(chain.initiator) };
  return entry;
}

/** The HAR file's text, as every export writes it (panel, popup, `hopscope trace --har`). */
export function harText(chains: readonly Chain[], options: HarExportOptions = {}): string {
  return `${JSON.stringify(chainsToHar(chains, options), null, 2)}\n`;
}

/** One entry per hop, chains in the order given, hops of a chain in order. */
export function chainsToHar(chains: readonly Chain[], options: HarExportOptions = {}): Har {
  const sanitize = !options.includeSensitive;
  const entries: Entry[] = [];
  for (const chain of chains) for (const hop of chain.hops) entries.push(hopEntry(chain, hop, sanitize));
  return {
    log: {
      version: '1.2',
      creator: { name: 'Hopscope', version: options.creatorVersion ?? HOPSCOPE_VERSION },
      pages: [],
      entries,
      comment: sanitize
        ? 'Sanitized by Hopscope: Cookie, Set-Cookie, Authorization and Proxy-Authorization headers removed; secret-looking URL parameters redacted.'
        : 'Exported by Hopscope with sensitive data included.',
    },
  };
}
