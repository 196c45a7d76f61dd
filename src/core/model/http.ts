/** HTTP facts the whole core agrees on: which statuses redirect, how a status line reads. */

export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * Chromium follows at most 20 redirects (net/url_request: kMaxRedirects), then aborts; Firefox
 * too (network.http.redirection-limit 20: the 21st request's redirect ends in
 * NS_ERROR_REDIRECT_LOOP, verified on Firefox ESR 153).
 */
export const MAX_REDIRECTS = 20;

export function isRedirectStatus(code: number): boolean {
  return REDIRECT_STATUSES.has(code);
}

/**
 * A browser or tool gave up following redirects: Chromium's net error (its webRequest reports
 * ERR_ABORTED instead, see the recorder), Firefox's, and what HAR tools write (capture-har's
 * MAXREDIRECTS).
 */
export function isTooManyRedirects(error: string): boolean {
  return /ERR_TOO_MANY_REDIRECTS|NS_ERROR_REDIRECT_LOOP|MAXREDIRECTS|too many redirects/i.test(error);
}

export interface StatusLine {
  httpVersion: string;
  statusCode: number;
  statusText: string;
}

/**
 * Splits a status line such as `HTTP/1.1 307 Internal Redirect` or `HTTP/2 301`.
 * Chromium gives `HTTP/1.1 200` style lines for HTTP/2 and HTTP/3 too (no reason phrase).
 */
export function parseStatusLine(line: string | undefined, fallbackCode = 0): StatusLine {
  const m = /^\s*(\S+)\s+(\d{3})(?:\s+(.*))?$/.exec(line ?? '');
  if (!m) return { httpVersion: '', statusCode: fallbackCode, statusText: '' };
  return {
    httpVersion: m[1] ?? '',
    statusCode: Number(m[2]),
    statusText: (m[3] ?? '').trim(),
  };
}
