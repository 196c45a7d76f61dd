/**
 * Whether the browser may reuse a hop's response without asking the server (RFC 9111 §4.2).
 */
import type { Header, Hop, RecordingBrowser } from '../model/chain.ts';
import { getHeader, pickHeaders } from '../model/headers.ts';
import { isRedirectStatus } from '../model/http.ts';
import { formatDuration } from '../present/duration.ts';
import type { CacheVerdict } from './types.ts';

const CACHING_HEADERS: ReadonlySet<string> = new Set([
  'cache-control',
  'expires',
  'pragma',
  'age',
  'etag',
  'last-modified',
  'vary',
]);

export function cachingHeaders(headers: readonly Header[]): Header[] {
  return pickHeaders(headers, CACHING_HEADERS);
}
interface CacheControl {
  noStore: boolean;
  noCache: boolean;
  maxAge?: number;
}

function parseCacheControl(value: string | undefined): CacheControl {
  const cc: CacheControl = { noStore: false, noCache: false };
  if (!value) return cc;
  for (const part of value.split(',')) {
    const [rawName, rawArg] = part.split('=', 2);
    const name = (rawName ?? '').trim().toLowerCase();
    const arg = rawArg?.trim().replace(/^"|"$/g, '');
    if (name === 'no-store') cc.noStore = true;
    else if (name === 'no-cache') cc.noCache = true;
    else if (name === 'max-age' && arg !== undefined && /^\d+$/.test(arg)) cc.maxAge = Number(arg);
  }
  return cc;
}

/**
 * Whether the browser may reuse this response without asking the server (RFC 9111 §4.2).
 * A browser cache is private, so s-maxage does not apply to it.
 */
export function cacheVerdict(
  hop: Pick<Hop, 'statusCode' | 'responseHeaders' | 'fromCache' | 'kind' | 'endTime'> & Partial<Pick<Hop, 'method'>>,
  browser?: RecordingBrowser,
): CacheVerdict {
  const headers = cachingHeaders(hop.responseHeaders);
  const code = hop.statusCode;
  if (hop.kind === 'internal') {
    return {
      verdict: 'not-applicable',
      reason: 'Made up by the browser itself: nothing was fetched, so nothing is cached.',
      headers,
    };
  }
  if (hop.fromCache) {
    return {
      verdict: 'from-cache',
      reason: 'Served from the browser cache: the server was not contacted for this hop.',
      headers,
    };
  }
  if (code === 0) return { verdict: 'not-applicable', reason: 'No response was received.', headers };
  const method = (hop.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') {
    // RFC 9110 §9.3.3: a cached POST response could only answer a later GET; browsers never
    // answer a new POST (or PUT, DELETE, …) from the HTTP cache.
    return {
      verdict: 'not-cacheable',
      reason: `A response to a ${method} is not reused: the browser sends the next ${method} to the server again (RFC 9110 §9.3.3).`,
      headers,
    };
  }
  const cc = parseCacheControl(getHeader(hop.responseHeaders, 'cache-control'));
  const pragmaNoCache = /no-cache/i.test(getHeader(hop.responseHeaders, 'pragma') ?? '');
  if (cc.noStore) {
    return { verdict: 'not-cacheable', reason: 'Cache-Control: no-store forbids storing it.', headers };
  }
  if (cc.noCache || (pragmaNoCache && !getHeader(hop.responseHeaders, 'cache-control'))) {
    return {
      verdict: 'not-cacheable',
      reason: 'no-cache: the browser must ask the server again before each reuse.',
      headers,
    };
  }
  const age = Number(getHeader(hop.responseHeaders, 'age') ?? 0) || 0;
  if (cc.maxAge !== undefined) {
    const left = cc.maxAge - age;
    if (left > 0) {
      return {
        verdict: 'cacheable-explicit',
        reason: `Cache-Control: max-age=${cc.maxAge}${age ? ` (Age ${age})` : ''} lets the browser reuse it for ${formatDuration(left)} without asking the server.`,
        headers,
        lifetime: left,
      };
    }
    return {
      verdict: 'not-cacheable',
      reason: `Cache-Control: max-age=${cc.maxAge} leaves it already stale.`,
      headers,
    };
  }
  const expires = getHeader(hop.responseHeaders, 'expires');
  if (expires !== undefined) {
    const expiresAt = Date.parse(expires);
    const dateHeader = getHeader(hop.responseHeaders, 'date');
    const now = (dateHeader ? Date.parse(dateHeader) : Number.NaN) || hop.endTime;
    if (Number.isFinite(expiresAt) && expiresAt > now) {
      return {
        verdict: 'cacheable-explicit',
        reason: `Expires lets the browser reuse it for ${formatDuration(Math.round((expiresAt - now) / 1000))} without asking the server.`,
        headers,
        lifetime: Math.round((expiresAt - now) / 1000),
      };
    }
    return { verdict: 'not-cacheable', reason: 'Expires is in the past or invalid: already stale.', headers };
  }
  if ((code === 301 || code === 308) && browser === 'firefox') {
    // Verified on Firefox ESR 153: the second visit of a header-less 301/308 reaches the server.
    return {
      verdict: 'not-cacheable',
      reason: `A ${code} is cacheable by default (RFC 9110 §15.4.${code === 301 ? 2 : 9}), but Firefox does not store one without caching headers: the next visit asks the server again (Chromium keeps it with no expiry).`,
      headers,
    };
  }
  if (code === 301 || code === 308) {
    return {
      verdict: 'cacheable-by-default',
      reason: `A ${code} is cacheable by default (RFC 9110 §15.4.${code === 301 ? 2 : 9}); without caching headers Chromium keeps it with no expiry, so the next visit goes straight to the target without asking the server.`,
      headers,
    };
  }
  if (isRedirectStatus(code)) {
    return {
      verdict: 'not-cacheable',
      reason: `A ${code} is cached only with explicit freshness (Cache-Control max-age or Expires); this one has none, so the browser asks the server every time.`,
      headers,
    };
  }
  if (getHeader(hop.responseHeaders, 'last-modified') !== undefined) {
    return {
      verdict: 'cacheable-by-default',
      reason: 'No explicit lifetime, but Last-Modified allows heuristic caching (RFC 9111 §4.2.2).',
      headers,
    };
  }
  return {
    verdict: 'not-cacheable',
    reason: 'No caching headers: the browser will ask the server again.',
    headers,
  };
}
