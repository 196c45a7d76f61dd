/** URLs as HAR 1.2 wants them: RFC 3986 URIs. */

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
  return harUri(url).uri;
}

/**
 * An http(s) URL that WHATWG URL parsing leaves exactly as it is and that RFC 3986 allows as it
 * is: lower-case host of letter-digit-hyphen labels (the last starting with a letter, so never an
 * IPv4 address), no port, user or fragment, a path and query of characters neither standard
 * escapes (no `'` in the query, which WHATWG escapes there), `%` only as `%XX`. Dot segments,
 * `%2e` and punycode labels are left out by `isCanonicalHttp`, as parsing would change them.
 */
const CANONICAL_HTTP =
  /^https?:\/\/(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z](?:[a-z0-9-]*[a-z0-9])?(?:\/(?:[\w\-.~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})*)+(?:\?(?:[\w\-.~!$&()*+,;=:@/?]|%[0-9a-fA-F]{2})*)?$/;

/** Whether `new URL(url).href === url` and the URL is a plain RFC 3986 URI, known without parsing. */
export function isCanonicalHttp(url: string): boolean {
  return (
    CANONICAL_HTTP.test(url) &&
    !url.includes('/.') &&
    !url.includes('xn--') &&
    (!url.includes('%') || !/%2e/i.test(url))
  );
}

/**
 * `uriForHar`, and whether the URI is exactly its WHATWG `href` (`exact`, the common case; then
 * `parsed` is the parsed URL, unless the URL was known exact without parsing it).
 */
export function harUri(url: string): { uri: string; exact?: boolean; parsed?: URL } {
  // Most URLs a browser records: exact as they are, known without a parse.
  if (isCanonicalHttp(url)) return { uri: url, exact: true };
  let text = url;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
    text = parsed.href;
  } catch {
    parsed = undefined;
  }
  // The common case: a browser's URL with nothing to escape and at most one `#`, kept as it is.
  if (parsed && text === url && URI_PLAIN.test(url)) return { uri: url, exact: true, parsed };
  const m = /^([a-z][a-z0-9+.-]*:)(?:\/\/([^/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?$/is.exec(text);
  if (!m) return { uri: url };
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
  return { uri: out };
}

/**
 * Calls `pair(start, eq, end)` for each non-empty `&`-separated pair of `text` between `from` and
 * `to`, `eq` being the pair's first `=` or -1, without copying anything. The next `=` is looked
 * for again only once passed, so many pairs without one are not each scanned to the end.
 */
export function forEachPair(
  text: string,
  from: number,
  to: number,
  pair: (start: number, eq: number, end: number) => void,
): void {
  let nextEq = -2; // -2: not looked for yet; -1: none left
  for (let start = from; start < to; ) {
    let end = text.indexOf('&', start);
    if (end < 0 || end > to) end = to;
    if (end > start) {
      if (nextEq !== -1 && nextEq < start) nextEq = text.indexOf('=', start);
      pair(start, nextEq >= 0 && nextEq < end ? nextEq : -1, end);
    }
    start = end + 1;
  }
}

/**
 * `compute`, remembered: the last key first (one string comparison, and the most frequent
 * repeat), then a map of up to `size` keys emptied when full. Keys come back close together; a
 * map of every key would keep all of them, and what was made of them, alive.
 */
export function memoized<T>(compute: (key: string) => T, size: number): (key: string) => T {
  const seen = new Map<string, T>();
  let lastKey: string | undefined;
  let last: T | undefined;
  return (key) => {
    if (key === lastKey) return last as T;
    let value = seen.get(key);
    if (value === undefined) {
      value = compute(key);
      if (seen.size >= size) seen.clear();
      seen.set(key, value);
    }
    lastKey = key;
    last = value;
    return value;
  };
}
