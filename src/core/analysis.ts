/**
 * Hop analysis: what a hop means, decided from the hop alone (and its neighbours).
 * Every rule names the spec it follows.
 */
import { getHeader, pickHeaders } from './headers.ts';
import type { CacheVerdict, Chain, ChainSummary, Header, Hop, MethodChange } from './types.ts';

export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Chromium follows at most 20 redirects (net/url_request: kMaxRedirects), then aborts. */
export const MAX_REDIRECTS = 20;

export function isRedirectStatus(code: number): boolean {
  return REDIRECT_STATUSES.has(code);
}

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

/**
 * The method the browser uses for the next request (Fetch, "HTTP-redirect fetch", step 12):
 * 301/302 turn POST into GET; 303 turns anything but GET/HEAD into GET; 307/308 keep it.
 */
export function methodAfterRedirect(method: string, status: number): string {
  const m = method.toUpperCase();
  if ((status === 301 || status === 302) && m === 'POST') return 'GET';
  if (status === 303 && m !== 'GET' && m !== 'HEAD') return 'GET';
  return m;
}

export function describeMethodChange(
  hop: Pick<Hop, 'method' | 'statusCode' | 'kind'>,
  nextMethod: string,
): MethodChange {
  const from = hop.method.toUpperCase();
  const to = nextMethod.toUpperCase();
  const code = hop.statusCode;
  if (from !== to) {
    const bodyDropped = from !== 'GET' && from !== 'HEAD';
    let reason: string;
    if (code === 303) {
      reason = `303 See Other tells the browser to fetch the target with GET: ${from} became GET${bodyDropped ? ' and the request body was dropped' : ''} (RFC 9110 §15.4.4).`;
    } else if (code === 301 || code === 302) {
      reason = `After a ${code}, browsers turn a POST into a GET and drop the body, for historical reasons (RFC 9110 §15.4.${code === 301 ? 2 : 3}; Fetch, HTTP-redirect fetch). Use 307 or 308 to keep the method.`;
    } else {
      reason = `The method changed from ${from} to ${to}.`;
    }
    return { kind: 'changed', from, to, bodyDropped, reason };
  }
  if (from === 'GET' || from === 'HEAD') {
    return { kind: 'none', from, to, bodyDropped: false, reason: `${from} stays ${to}.` };
  }
  const reason =
    hop.kind === 'internal'
      ? `The browser's internal redirect repeats the request as it was: ${from} with its body.`
      : code === 307 || code === 308
        ? `${code} keeps the method and the body: the browser repeats the ${from} at the new URL (RFC 9110 §15.4.${code === 307 ? 8 : 9}).`
        : `${from} was kept.`;
  return { kind: 'kept', from, to, bodyDropped: false, reason };
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

/** "1 hour", "30 days": for explanations. */
export function formatDuration(seconds: number): string {
  const units: Array<[number, string]> = [
    [365 * 86400, 'year'],
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  for (const [size, name] of units) {
    if (seconds >= size) {
      const n = Math.floor(seconds / size);
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return '0 seconds';
}

/**
 * Whether the browser may reuse this response without asking the server (RFC 9111 §4.2).
 * A browser cache is private, so s-maxage does not apply to it.
 */
export function cacheVerdict(
  hop: Pick<Hop, 'statusCode' | 'responseHeaders' | 'fromCache' | 'kind' | 'endTime'> & Partial<Pick<Hop, 'method'>>,
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
      };
    }
    return { verdict: 'not-cacheable', reason: 'Expires is in the past or invalid: already stale.', headers };
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

function safeUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

export function isCrossOrigin(from: string, to: string): boolean {
  if (!to) return false;
  const a = safeUrl(from);
  const b = safeUrl(to);
  if (!a || !b) return false;
  // An upgrade of the same host to https (HSTS, HttpsUpgrades) is not the kind of origin
  // change a user looks for: it gets its own flags (internal hop, no downgrade).
  if (a.protocol === 'http:' && b.protocol === 'https:' && a.hostname === b.hostname) return false;
  return a.origin !== b.origin;
}

export function isDowngrade(from: string, to: string): boolean {
  if (!to) return false;
  const a = safeUrl(from);
  const b = safeUrl(to);
  return a?.protocol === 'https:' && b?.protocol === 'http:';
}

/** Resolves a Location value against the URL it came from; '' when it cannot be resolved. */
export function resolveUrl(location: string, base: string): string {
  try {
    return new URL(location, base).href;
  } catch {
    return '';
  }
}

export function summarize(chain: Pick<Chain, 'hops' | 'outcome'>): ChainSummary {
  const s: ChainSummary = {
    redirects: 0,
    internal: false,
    methodChanged: false,
    fromCache: false,
    loop: false,
    downgrade: false,
    crossOrigin: false,
    error: chain.outcome.state === 'error',
  };
  for (const hop of chain.hops) {
    if (hop.redirectUrl) s.redirects++;
    if (hop.kind === 'internal') s.internal = true;
    if (hop.methodChange?.kind === 'changed') s.methodChanged = true;
    if (hop.fromCache) s.fromCache = true;
    if (hop.repeatsHop !== undefined) s.loop = true;
    if (hop.downgrade) s.downgrade = true;
    if (hop.crossOrigin) s.crossOrigin = true;
  }
  if (chain.outcome.state === 'error' && chain.outcome.tooManyRedirects) s.loop = true;
  return s;
}
