/**
 * Plain-words explanations of a hop and of a whole chain, for the panel's detail view and
 * `hopscope trace --explain`. Every claim that follows a spec names it. Output is plain text:
 * every untrusted value (URLs, header values, status text, reasons read back from storage)
 * passes through `printable`.
 */
import { analyze } from '../analyze/index.ts';
import type { AnalyzedChain as Chain, AnalyzedHop as Hop } from '../analyze/types.ts';
import type { Chain as ChainFacts } from '../model/chain.ts';
import { getHeader } from '../model/headers.ts';
import { MAX_REDIRECTS } from '../model/http.ts';
import { durationLabel } from './duration.ts';
import { clientLabel, printable } from './text-table.ts';

export interface Explanation {
  /** One line: what happened. */
  headline: string;
  /** The details worth knowing, one or two sentences each. */
  points: string[];
}

/** Reason phrases for HTTP/2 and HTTP/3, whose status lines carry none (RFC 9110 §15). */
const REASON_PHRASES: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  203: 'Non-Authoritative Information',
  204: 'No Content',
  206: 'Partial Content',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function statusName(hop: Hop): string {
  const text = hop.statusText ? printable(hop.statusText) : (REASON_PHRASES[hop.statusCode] ?? '');
  return text ? `${hop.statusCode} ${text}` : String(hop.statusCode);
}

// ---------------------------------------------------------------------------------------------
// Network errors

export interface NetError {
  /** A few words for headlines: "connection refused". */
  short: string;
  /** What it means and what to check. */
  long: string;
}

const NET_ERRORS: Readonly<Record<string, NetError>> = {
  ERR_CONNECTION_REFUSED: {
    short: 'connection refused',
    long: 'The host name resolved, but nothing accepted the connection: no server is listening on that port, or a firewall rejected it.',
  },
  ERR_NAME_NOT_RESOLVED: {
    short: 'host name not found',
    long: 'The host name could not be resolved (DNS): a typo, a domain that does not exist (any more), or a DNS problem on this network.',
  },
  ERR_NAME_RESOLUTION_FAILED: {
    short: 'DNS lookup failed',
    long: 'The DNS lookup itself failed: the resolver could not be reached or gave no usable answer.',
  },
  ERR_ABORTED: {
    short: 'aborted',
    long: `The request was cancelled before it finished: the user navigated away or pressed stop, the page or an extension cancelled it, or the response turned into a download. Chromium also reports a redirect loop this way when it gives up after ${MAX_REDIRECTS} redirects.`,
  },
  // Not a network error: how the recorder ends a chain whose tab was closed under way.
  'tab closed': {
    short: 'tab closed',
    long: 'The tab was closed while this chain was under way: the browser stopped following it, so its last hop has no response.',
  },
  ERR_TOO_MANY_REDIRECTS: {
    short: 'too many redirects',
    long: `Chromium gives up after ${MAX_REDIRECTS} redirects; this is almost always a redirect loop.`,
  },
  ERR_CONNECTION_RESET: {
    short: 'connection reset',
    long: 'The connection was cut (TCP reset) before a full response arrived: the server crashed or a proxy or firewall in between dropped it.',
  },
  ERR_CONNECTION_CLOSED: {
    short: 'connection closed',
    long: 'The server closed the connection without sending a complete response.',
  },
  ERR_EMPTY_RESPONSE: {
    short: 'empty response',
    long: 'The server closed the connection without sending any response.',
  },
  ERR_CONNECTION_TIMED_OUT: {
    short: 'connection timed out',
    long: 'No answer to the connection attempt in time: the host is down, unreachable, or a firewall silently drops the packets.',
  },
  ERR_TIMED_OUT: {
    short: 'timed out',
    long: 'The operation took too long and the browser gave up waiting.',
  },
  ERR_ADDRESS_UNREACHABLE: {
    short: 'address unreachable',
    long: 'There is no network route to the server address.',
  },
  ERR_INTERNET_DISCONNECTED: {
    short: 'offline',
    long: 'The device was offline: the request never left the machine.',
  },
  ERR_NETWORK_CHANGED: {
    short: 'network changed',
    long: 'The network changed while the request was under way (Wi-Fi switch, VPN up or down).',
  },
  ERR_BLOCKED_BY_CLIENT: {
    short: 'blocked by an extension',
    long: 'An extension blocked the request (an ad or content blocker, or a declarativeNetRequest block rule).',
  },
  ERR_BLOCKED_BY_RESPONSE: {
    short: 'blocked by a response header',
    long: 'The response arrived but a security header forbade using it here (Cross-Origin-Resource-Policy, Cross-Origin-Embedder-Policy or X-Frame-Options).',
  },
  ERR_BLOCKED_BY_ADMINISTRATOR: {
    short: 'blocked by policy',
    long: 'An enterprise policy of this browser blocks the URL.',
  },
  ERR_SSL_PROTOCOL_ERROR: {
    short: 'TLS error',
    long: 'The TLS handshake failed: the server does not speak TLS on that port, or its TLS setup is broken.',
  },
  ERR_SSL_VERSION_OR_CIPHER_MISMATCH: {
    short: 'no common TLS version or cipher',
    long: 'Browser and server share no TLS version or cipher suite: the server only offers outdated ones.',
  },
  ERR_UNSAFE_REDIRECT: {
    short: 'unsafe redirect',
    long: 'The browser refused to follow the redirect: its target is a scheme a web page may not redirect to (data:, file:, chrome:, …).',
  },
  ERR_INVALID_REDIRECT: {
    short: 'invalid redirect',
    long: 'The Location header could not be turned into a valid URL.',
  },
  ERR_INVALID_RESPONSE: {
    short: 'invalid response',
    long: 'The server sent something that is not a valid HTTP response.',
  },
  ERR_CONTENT_DECODING_FAILED: {
    short: 'content decoding failed',
    long: 'The body claimed a Content-Encoding (gzip, br, …) it was not actually encoded with.',
  },
  ERR_CACHE_MISS: {
    short: 'cache miss',
    long: 'The browser needed a cached copy that is not there, typically a POST result revisited with back/forward.',
  },
  ERR_FAILED: {
    short: 'failed',
    long: 'A generic failure: Chromium gives no more detail.',
  },
};

const CERT_ERRORS: Readonly<Record<string, string>> = {
  ERR_CERT_AUTHORITY_INVALID: 'it was not issued by an authority this browser trusts (self-signed, or a private CA)',
  ERR_CERT_COMMON_NAME_INVALID: 'it was issued for another host name',
  ERR_CERT_DATE_INVALID: 'it has expired or is not valid yet (check the clock of this machine too)',
  ERR_CERT_REVOKED: 'its issuer has revoked it',
  ERR_CERT_WEAK_SIGNATURE_ALGORITHM: 'it is signed with a weak algorithm (such as SHA-1)',
  ERR_CERT_INVALID: 'it is malformed',
};

/** `net::ERR_X` → words; anything unknown (including Firefox's NS_ERROR_*) is kept raw. */
export function describeNetError(error: string): NetError {
  const raw = printable(error);
  const code = error.replace(/^net::/, '').trim();
  const known = NET_ERRORS[code];
  if (known) return known;
  if (code.startsWith('ERR_CERT_')) {
    const why = CERT_ERRORS[code] ?? `the browser reports ${raw}`;
    return {
      short: 'certificate rejected',
      long: `The browser rejected the server's TLS certificate: ${why}. The connection stopped during the TLS handshake, before any HTTP request was sent. On a host with HSTS the user cannot click through this error (RFC 6797 §12.1).`,
    };
  }
  return { short: raw, long: `The network error ${raw} ended the request.` };
}

// ---------------------------------------------------------------------------------------------
// URL helpers (no throwing, no allocation beyond what is needed)

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** The target relative to the hop when it stays on the same origin: shorter, still exact. */
function shortTarget(hop: Hop): string {
  const from = parseUrl(hop.url);
  const to = parseUrl(hop.redirectUrl);
  if (from && to && from.origin === to.origin) return printable(to.pathname + to.search + to.hash);
  return printable(hop.redirectUrl);
}

function hostOf(url: string): string {
  return parseUrl(url)?.hostname ?? '';
}

function originOf(url: string): string {
  const u = parseUrl(url);
  return u && u.origin !== 'null' ? u.origin : '';
}

// ---------------------------------------------------------------------------------------------
// One hop

const PERMANENT_SEO =
  'Search engines treat it as a strong signal that the target is the canonical URL: they index the target instead and pass the ranking signals on (Google Search Central, "Redirects and Google Search").';
const TEMPORARY_SEO =
  'Search engines keep the original URL indexed and treat the target only as a weak canonical signal (Google Search Central, "Redirects and Google Search").';

/** What the status code means, with what search engines and caches do with it. */
function statusPoint(chain: Chain, hop: Hop): string | undefined {
  const code = hop.statusCode;
  const method = printable(hop.method);
  const bodyMethod = method !== 'GET' && method !== 'HEAD';
  // The method-change point says it when the next request is known.
  const warnPost = bodyMethod && !hop.methodChange;
  switch (code) {
    case 301:
      return `301 Moved Permanently: the resource has a new URL for good (RFC 9110 §15.4.2). ${PERMANENT_SEO} Browsers cache it by default, so later visits may skip this server.${warnPost ? ' Browsers turn a POST into a GET after a 301; use 308 to keep the method.' : ''}`;
    case 302:
      return `302 Found: a temporary redirect; the original URL stays the one to use (RFC 9110 §15.4.3). ${TEMPORARY_SEO} Caches store it only when it carries explicit freshness (Cache-Control max-age or Expires).${warnPost ? ' Browsers turn a POST into a GET after a 302; use 307 to keep the method.' : ''}`;
    case 303:
      return `303 See Other: the answer is at another URL, to be fetched with GET (RFC 9110 §15.4.4). It is the usual reply to a form submission (Post/Redirect/Get), so reloading the result page does not submit the form again. It says nothing about this URL's permanence; search engines treat it as temporary.`;
    case 307:
      return `307 Temporary Redirect: like 302, but the browser must repeat the same method and body at the target (RFC 9110 §15.4.8)${bodyMethod ? `: the ${method} is sent again with its body` : ''}. ${TEMPORARY_SEO} Caches store it only with explicit freshness.`;
    case 308:
      return `308 Permanent Redirect: like 301, but the browser must repeat the same method and body at the target (RFC 9110 §15.4.9)${bodyMethod ? `: the ${method} is sent again with its body` : ''}. ${PERMANENT_SEO} Browsers cache it by default.`;
    case 300:
      return '300 Multiple Choices: the server offers several representations (RFC 9110 §15.4.1); browsers follow the Location header when there is one.';
    case 304:
      return '304 Not Modified: the copy the browser already has is still valid, so the server sent no body and the browser used its stored copy (RFC 9110 §15.4.5).';
    case 200:
      return hop.redirectUrl
        ? undefined
        : `200 OK: the server answered with the content (RFC 9110 §15.3.1)${hop.index === chain.hops.length - 1 ? '; the chain ends here' : ''}.`;
    case 204:
      return '204 No Content: success, with no body (RFC 9110 §15.3.5).';
    case 400:
      return '400 Bad Request: the server could not make sense of the request (RFC 9110 §15.5.1).';
    case 401:
      return '401 Unauthorized: the server wants credentials; its WWW-Authenticate header says which kind (RFC 9110 §15.5.2).';
    case 403:
      return '403 Forbidden: the server understood the request and refuses it; sending it again will not help (RFC 9110 §15.5.4).';
    case 404:
      return '404 Not Found: there is nothing at this URL, or the server will not say (RFC 9110 §15.5.5). Search engines drop a URL that keeps answering 404 from their index.';
    case 405: {
      const previous = chain.hops[hop.index - 1]?.methodChange;
      const hint =
        previous?.kind === 'changed'
          ? ` The redirect before turned ${printable(previous.from)} into ${printable(previous.to)}, which is a likely cause.`
          : '';
      return `405 Method Not Allowed: this URL does not accept ${method}; the Allow header lists the methods it takes (RFC 9110 §15.5.6).${hint}`;
    }
    case 410:
      return '410 Gone: the resource was removed on purpose and will not come back (RFC 9110 §15.5.11). Search engines drop it from their index, a little faster than after a 404.';
    case 429:
      return '429 Too Many Requests: the client is being rate limited; Retry-After says when to try again (RFC 6585 §4). Search engines slow down their crawling when they see it.';
    case 500:
      return '500 Internal Server Error: the server failed while handling the request (RFC 9110 §15.6.1).';
    case 502:
      return '502 Bad Gateway: a proxy or gateway got an invalid answer from the server behind it (RFC 9110 §15.6.3).';
    case 503:
      return '503 Service Unavailable: the server is overloaded or down for maintenance; Retry-After may say for how long (RFC 9110 §15.6.4). Search engines retry later and slow down their crawling.';
    case 504:
      return '504 Gateway Timeout: a proxy or gateway waited too long for the server behind it (RFC 9110 §15.6.5).';
  }
  if (code >= 100 && code < 200) return `${code}: an informational response (RFC 9110 §15.2).`;
  if (code >= 200 && code < 300) return `${statusName(hop)}: success (RFC 9110 §15.3).`;
  if (code >= 300 && code < 400) return `${statusName(hop)}: a redirection status (RFC 9110 §15.4).`;
  if (code >= 400 && code < 500)
    return `${statusName(hop)}: a client error: the server will not answer this request as sent (RFC 9110 §15.5).`;
  if (code >= 500 && code < 600)
    return `${statusName(hop)}: a server error (RFC 9110 §15.6). Search engines retry later and, if it lasts, drop the URL.`;
  return undefined;
}

/** Why the browser itself made this hop. */
function internalPoints(hop: Hop): { headline: string; points: string[] } {
  const reason = hop.internalReason ?? '';
  const made = `The ${hop.statusCode} ${hop.statusText ? `"${printable(hop.statusText)}" ` : ''}was made up by the browser; no server sent it. Like any ${hop.statusCode === 307 ? '307' : 'internal redirect'}, it keeps the method and the body.`;
  switch (reason) {
    case 'HSTS':
      return {
        headline: `HSTS: the browser upgraded the request to https itself → ${shortTarget(hop)}`,
        points: [
          'The browser itself upgraded the request to https because the host is on the HSTS preload list or sent Strict-Transport-Security earlier (RFC 6797 §8.3, §12.3); the server was not contacted; nothing crossed the network.',
          made,
        ],
      };
    case 'WebRequest API':
    case 'Delegate':
      return {
        headline: `An extension redirected this request → ${shortTarget(hop)}`,
        points: [
          `An extension or a declarativeNetRequest rule redirected it before it was sent (Non-Authoritative-Reason: ${printable(reason)}); the server at the original URL was not contacted. If you did not expect it, check the extensions in chrome://extensions.`,
          made,
        ],
      };
    case 'HttpsUpgrades':
      return {
        headline: `HTTPS-Upgrades: the browser tried https first → ${shortTarget(hop)}`,
        points: [
          "Chrome's HTTPS-Upgrades (or HTTPS-First Mode) tried https first: the browser rewrote the http URL before contacting anyone, and falls back to http only if the https load fails. The server was not contacted for the http URL.",
          made,
        ],
      };
    default:
      return {
        headline: `Internal redirect by the browser (${printable(reason || 'no reason given')}) → ${shortTarget(hop)}`,
        points: [
          `The browser redirected this request itself (Non-Authoritative-Reason: ${printable(reason || 'none')}); no server sent this redirect.`,
          made,
        ],
      };
  }
}

/** A page that answered and then navigated on by itself: how, and what it costs. */
function clientPoints(hop: Hop): string[] {
  const c = hop.clientRedirect;
  const how =
    c?.type === 'meta-refresh'
      ? `a <meta http-equiv="refresh"> tag in the page${c.delaySeconds !== undefined ? ` asked for it after ${c.delaySeconds} s` : ''} (HTML, "Refresh" state of the meta element)`
      : c?.type === 'refresh-header'
        ? `the response's Refresh header${c.delaySeconds !== undefined ? ` asked for it after ${c.delaySeconds} s` : ''} (HTML, "shared declarative refresh steps")`
        : c?.type === 'javascript'
          ? 'a script in the page changed location (location.href, location.replace, …)'
          : 'the page navigated by itself';
  const points = [
    `Not an HTTP redirect: the page loaded with ${hop.statusCode || 'no'} status and then moved on because ${how}.`,
    'The user waits for the first page to load, and search engines follow such redirects less reliably than a 301 or 308 (Google Search Central, "Redirects and Google Search").',
  ];
  if (c && c.afterMs >= 2000) {
    points.push(`The next navigation started ${durationLabel(c.afterMs)} after this page had loaded.`);
  }
  return points;
}

function headlineOf(hop: Hop): string {
  const code = hop.statusCode;
  if (hop.kind === 'client') {
    return `${statusName(hop)}, then the page moved on by itself (${clientLabel(hop.clientRedirect)}) → ${shortTarget(hop)}`;
  }
  if (code === 0) {
    if (hop.error) return `Failed: ${describeNetError(hop.error).short}`;
    if (hop.redirectUrl) return `Redirect without a response → ${shortTarget(hop)}`;
    return 'No response';
  }
  const name = statusName(hop);
  const change = hop.methodChange?.kind === 'changed' ? hop.methodChange : undefined;
  const methodNote = change ? `; ${printable(change.from)} became ${printable(change.to)}` : '';
  if (hop.redirectUrl) {
    const kind =
      code === 301 || code === 308
        ? 'permanent redirect'
        : code === 302 || code === 307
          ? 'temporary redirect'
          : code === 303
            ? 'redirect to be fetched with GET'
            : 'redirect';
    return `${name}: ${kind} → ${shortTarget(hop)}${methodNote}`;
  }
  if (hop.error) return `${name}, then failed: ${describeNetError(hop.error).short}`;
  if (code >= 200 && code < 300) return `${name}: success`;
  if (code >= 400 && code < 500) return `${name}: client error`;
  if (code >= 500 && code < 600) return `${name}: server error`;
  return name;
}

function methodPoint(hop: Hop): string | undefined {
  const change = hop.methodChange;
  if (!change || change.kind === 'none') return undefined;
  let text = printable(change.reason);
  if (change.kind === 'changed' && change.bodyDropped && !/\bbody\b/i.test(text)) {
    text += ' The request body was dropped.';
  }
  return text;
}

/** What the cache verdict means for the next visit. */
function cachePoint(hop: Hop): string | undefined {
  const reason = printable(hop.cache.reason);
  switch (hop.cache.verdict) {
    case 'from-cache':
      return `${reason} The next visit gets the same stored answer until it expires or the cache is cleared, so a change on the server does not show here until then (RFC 9111 §4).`;
    case 'cacheable-by-default':
      return `${reason} Browsers that stored it keep following it even after the server changes it; test new redirects with 302/307 first.`;
    case 'cacheable-explicit':
      return `${reason} Within that time the next visit follows it from the cache; after that the browser asks the server again (RFC 9111 §4.2).`;
    case 'not-cacheable':
      return `${reason} A change on the server takes effect on the next visit.`;
    case 'not-applicable':
      // Internal hops and failures already say that nothing was fetched.
      return undefined;
  }
}

function crossOriginPoints(chain: Chain, hop: Hop): string[] {
  const from = parseUrl(hop.url);
  const to = parseUrl(hop.redirectUrl);
  if (!from || !to) return [];
  const out: string[] = [];
  const fromHost = printable(from.host);
  const toHost = printable(to.host);
  if (from.hostname === to.hostname) {
    out.push(
      `The target is another origin (${printable(from.origin)} → ${printable(to.origin)}) on the same host. Cookies ignore ports, so the same cookies go along; scripts and storage of the two origins are kept apart.`,
    );
  } else {
    out.push(
      `The request leaves ${fromHost} for ${toHost}: another origin (RFC 6454). Cookies are stored per host, so the next request carries ${printable(to.hostname)}'s cookies, not ${printable(from.hostname)}'s; if ${printable(to.hostname)} is another site (another registrable domain), SameSite=Strict cookies are withheld and SameSite=Lax ones are sent only on top-level GET navigations (RFC 6265bis §5.2).`,
    );
  }
  const pageOrigin = chain.initiator ? originOf(chain.initiator) : '';
  if (pageOrigin && pageOrigin !== from.origin) {
    out.push(
      `This redirect leaves an origin that is not the page's own (${printable(pageOrigin)}), so from here on a request that carries an Origin header (a POST, fetch/XHR) sends "Origin: null" (Fetch, HTTP-redirect fetch: tainted origin).`,
    );
  }
  if (chain.type === 'xmlhttprequest' && pageOrigin && pageOrigin !== to.origin) {
    out.push(
      `For fetch/XHR the target must allow the page's origin with CORS headers (Access-Control-Allow-Origin), or the page cannot read the response (Fetch, CORS check).`,
    );
  }
  return out;
}

function downgradePoint(hop: Hop): string {
  const from = hostOf(hop.url);
  const to = hostOf(hop.redirectUrl);
  const hsts =
    from === to
      ? `HSTS on ${printable(from)} would prevent it: the browser would rewrite the http URL to https itself (RFC 6797 §8.3).`
      : `HSTS on ${printable(to)} would make the browser upgrade the target to https itself (RFC 6797 §8.3); HSTS on ${printable(from)} does not cover another host.`;
  return `Downgrade from https to http: everything after this hop travels unencrypted, so anyone on the network can read and change it; cookies without the Secure attribute are exposed (RFC 6265bis §4.1.2.5). ${hsts}`;
}

/** A server redirect from http to https on the same host: the job HSTS does without a round trip. */
function upgradePoint(hop: Hop): string | undefined {
  if (hop.kind !== 'server' || !hop.redirectUrl) return undefined;
  const from = parseUrl(hop.url);
  const to = parseUrl(hop.redirectUrl);
  if (from?.protocol !== 'http:' || to?.protocol !== 'https:' || from.hostname !== to.hostname) return undefined;
  return `The server upgrades http to https. This first request still went out unencrypted; a Strict-Transport-Security header on the https response (or the HSTS preload list) lets the browser skip it next time (RFC 6797 §8.3).`;
}

/** The Location header as sent, when it is not literally the target the browser used. */
function locationPoint(hop: Hop): string | undefined {
  if (!hop.redirectUrl || hop.kind === 'internal') return undefined;
  const location = getHeader(hop.responseHeaders, 'location');
  if (location === undefined || location === hop.redirectUrl) return undefined;
  const shown = printable(location);
  const target = printable(hop.redirectUrl);
  if (!/^[a-z][a-z0-9+.-]*:/i.test(location)) {
    return `The Location header was relative ("${shown}"); the browser resolved it against this hop's URL to ${target} (RFC 9110 §10.2.2, RFC 3986 §5).`;
  }
  return `The Location header said "${shown}"; the browser normalized it to ${target} (percent-encoding, IDN host, or the original fragment carried over: RFC 9110 §10.2.2).`;
}

function loopPoints(chain: Chain, hop: Hop): string[] {
  const out: string[] = [];
  if (hop.repeatsHop !== undefined) {
    out.push(
      `This URL was already requested at hop ${hop.repeatsHop + 1}: the chain goes in a circle. Common causes: http and https (or www and bare host) redirecting to each other, a proxy that hides the original scheme from the app, or a login redirect that sets no cookie.`,
    );
  }
  const o = chain.outcome;
  if (o.state === 'error' && o.tooManyRedirects && hop.index === chain.hops.length - 1) {
    out.push(
      `Chromium gives up after ${MAX_REDIRECTS} redirects: it stopped here instead of following this Location. The page shows ERR_TOO_MANY_REDIRECTS; webRequest reports ${printable(o.error)}.`,
    );
  }
  return out;
}

export function explainHop(chain: Chain, hop: Hop): Explanation {
  const points: string[] = [];
  let headline: string;
  if (hop.kind === 'internal') {
    const internal = internalPoints(hop);
    headline = internal.headline;
    points.push(...internal.points);
  } else if (hop.kind === 'client') {
    headline = headlineOf(hop);
    points.push(...clientPoints(hop));
  } else {
    headline = headlineOf(hop);
    if (hop.statusCode === 0 && hop.redirectUrl && !hop.error) {
      points.push(
        'The browser redirected without any response from a server (status 0). Firefox reports its HSTS upgrades this way.',
      );
    }
    const status = statusPoint(chain, hop);
    if (status) points.push(status);
  }
  if (hop.error) {
    const raw = printable(hop.error);
    const words = describeNetError(hop.error).long;
    const named = words.includes(raw) ? words : `${words} (${raw})`;
    points.push(
      hop.statusCode === 0 ? named : `The response had started, then the request failed: ${lowerFirst(named)}`,
    );
  }
  const method = methodPoint(hop);
  if (method) points.push(method);
  const location = locationPoint(hop);
  if (location) points.push(location);
  if (hop.crossOrigin) points.push(...crossOriginPoints(chain, hop));
  if (hop.downgrade) points.push(downgradePoint(hop));
  const upgrade = upgradePoint(hop);
  if (upgrade) points.push(upgrade);
  points.push(...loopPoints(chain, hop));
  const cache = cachePoint(hop);
  if (cache) points.push(cache);
  return { headline, points };
}

// ---------------------------------------------------------------------------------------------
// The whole chain

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function internalShort(hop: Hop): string {
  switch (hop.internalReason) {
    case 'HSTS':
      return 'the browser upgraded to https itself (HSTS); the server was not contacted';
    case 'WebRequest API':
    case 'Delegate':
      return 'an extension or declarativeNetRequest rule redirected it';
    case 'HttpsUpgrades':
      return 'HTTPS-Upgrades tried https first';
    default:
      return `the browser redirected it itself (${printable(hop.internalReason ?? 'no reason given')})`;
  }
}

export function explainChain(facts: ChainFacts): Explanation {
  const chain = analyze(facts);
  const hops = chain.hops;
  const s = chain.summary;
  const o = chain.outcome;
  const total = (chain.endTime ?? hops.at(-1)?.endTime ?? chain.startTime) - chain.startTime;

  const parts: string[] = [];
  const internalCount = hops.filter((h) => h.kind === 'internal' && h.redirectUrl).length;
  parts.push(
    s.redirects === 0
      ? 'No redirect'
      : `${plural(s.redirects, 'redirect')}${internalCount ? ` (${internalCount} by the browser itself)` : ''}`,
  );
  const changes = new Set<string>();
  for (const h of hops) {
    if (h.methodChange?.kind === 'changed') {
      changes.add(`${printable(h.methodChange.from)} became ${printable(h.methodChange.to)}`);
    }
  }
  parts.push(...changes);
  if (o.state === 'pending') parts.push('still under way');
  else if (o.state === 'completed') parts.push(`ended at ${o.statusCode} in ${durationLabel(total)}`);
  else if (o.tooManyRedirects) parts.push(`gave up in a redirect loop after ${durationLabel(total)}`);
  else parts.push(`failed (${describeNetError(o.error).short}) after ${durationLabel(total)}`);
  const headline = parts.join(', ');

  const points: string[] = [];
  const first = hops[0];
  const last = hops.at(-1);
  if (first && last && s.redirects > 0) {
    const end = o.state === 'pending' ? chain.pending?.url || last.redirectUrl || last.url : last.url;
    points.push(
      `Started at ${printable(first.url)}, ${o.state === 'pending' ? 'now at' : o.state === 'error' ? 'stopped at' : 'ended at'} ${printable(end)}.`,
    );
  }
  let loopTold = false;
  let crossTold = false;
  for (const h of hops) {
    const n = `Hop ${h.index + 1}`;
    if (h.kind === 'internal') points.push(`${n}: ${internalShort(h)}.`);
    if (h.kind === 'client') points.push(`${n}: the page moved on by itself (${clientLabel(h.clientRedirect)}).`);
    const change = h.methodChange;
    if (change?.kind === 'changed') {
      points.push(
        `${n}: ${printable(change.from)} became ${printable(change.to)} after the ${h.statusCode}${change.bodyDropped ? '; the request body was dropped' : ''}.`,
      );
    }
    if (h.fromCache) points.push(`${n} came from the browser cache: the server was not contacted for it.`);
    if (h.downgrade) points.push(`${n} goes from https to http: everything after it travels unencrypted.`);
    if (h.crossOrigin && !crossTold) {
      crossTold = true;
      const from = parseUrl(h.url);
      const to = parseUrl(h.redirectUrl);
      if (from && to) {
        points.push(
          `${n} leaves ${printable(from.origin)} for ${printable(to.origin)}: from there on other cookies apply, and a request's Origin header may become null.`,
        );
      }
    }
    if (h.repeatsHop !== undefined && !loopTold) {
      loopTold = true;
      points.push(`Redirect loop: hop ${h.index + 1} requests the URL of hop ${h.repeatsHop + 1} again.`);
    }
    if (h.error && !(o.state === 'error' && o.tooManyRedirects)) {
      points.push(`${n} failed (${printable(h.error)}): ${lowerFirst(describeNetError(h.error).long)}`);
    }
  }
  if (o.state === 'error' && o.tooManyRedirects) {
    points.push(`Chromium gives up after ${MAX_REDIRECTS} redirects; webRequest reports it as ${printable(o.error)}.`);
  } else if (o.state === 'error' && !hops.some((h) => h.error)) {
    points.push(`Failed (${printable(o.error)}): ${lowerFirst(describeNetError(o.error).long)}`);
  }
  const serverRedirects = hops.filter((h) => h.redirectUrl && h.kind === 'server').length;
  if (serverRedirects >= 2 && last && o.state === 'completed' && !s.loop) {
    points.push(
      `${serverRedirects} server redirects in a row: each costs a round trip, and Googlebot follows at most 10 (Google Search Central). Link straight to ${printable(last.url)}.`,
    );
  }
  if (o.state === 'completed' && last && last.statusCode >= 400) {
    points.push(`The chain ends in an error page: ${statusName(last)}.`);
  }
  return { headline, points };
}
