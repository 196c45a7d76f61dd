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

/** Names no public certificate can cover (RFC 6761, 6762, 8375 and common private suffixes). */
const NON_UNIQUE_SUFFIXES = [
  'test',
  'local',
  'example',
  'invalid',
  'localhost',
  'internal',
  'intranet',
  'corp',
  'home',
  'lan',
  'private',
  'home.arpa',
];

function isPrivateIpv4(host: string): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168)
  );
}

/**
 * Whether a host is a public site, as Chrome tells them apart for "Always Use Secure
 * Connections": not localhost, a private or loopback address, a single-label name or a
 * non-unique name (`.test`, `.local`, …).
 */
export function isPublicHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host.startsWith('[')) return !/^\[(::1?|f[cd][0-9a-f]*:|fe[89ab][0-9a-f]*:)/.test(host);
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return !isPrivateIpv4(host);
  if (!host.includes('.')) return false;
  return !NON_UNIQUE_SUFFIXES.some((suffix) => host === suffix || host.endsWith(`.${suffix}`));
}
