/**
 * When two URLs are "the same": one definition for the recorder, the HAR importer and the
 * analysis. The fragment never reaches the server, so it does not make another resource; the
 * URL parser lower-cases scheme and host, drops the default port and gives an empty path '/'.
 */

export function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

export function withoutFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash < 0 ? url : url.slice(0, hash);
}

/** The resource a URL names, as the browser requests it; the text itself when it does not parse. */
export function resourceKey(url: string): string {
  const u = parseUrl(url);
  if (!u) return withoutFragment(url);
  u.hash = '';
  return u.href;
}

/** Same resource apart from the fragment and the spelling the parser normalizes. */
export function sameResource(a: string, b: string): boolean {
  return a === b || withoutFragment(a) === withoutFragment(b) || resourceKey(a) === resourceKey(b);
}

export function isHttpUrl(url: string): boolean {
  return url.startsWith('http://') || url.startsWith('https://');
}

/** Resolves a Location value against the URL it came from; '' when it cannot be resolved. */
export function resolveUrl(location: string, base: string): string {
  try {
    return new URL(location, base).href;
  } catch {
    return '';
  }
}
