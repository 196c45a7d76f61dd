/**
 * What a status code means: its reason phrase, and what browsers, caches and search engines do
 * with it, each claim with the section of the spec that says so.
 */
import type { AnalyzedChain as Chain, AnalyzedHop as Hop } from '../../analyze/types.ts';
import { printable } from '../text.ts';

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

/** "301 Moved Permanently": the status text as received, else the standard reason phrase. */
export function statusName(hop: Hop): string {
  const text = hop.statusText ? printable(hop.statusText) : (REASON_PHRASES[hop.statusCode] ?? '');
  return text ? `${hop.statusCode} ${text}` : String(hop.statusCode);
}

const PERMANENT_SEO =
  'Search engines treat it as a strong signal that the target is the canonical URL: they index the target instead and pass the ranking signals on (Google Search Central, "Redirects and Google Search").';
const TEMPORARY_SEO =
  'Search engines keep the original URL indexed and treat the target only as a weak canonical signal (Google Search Central, "Redirects and Google Search").';

/** What the status code means, with what search engines and caches do with it. */
export function statusPoint(chain: Chain, hop: Hop): string | undefined {
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
