/**
 * What one visit may have left in the browser for the next (state that can change another
 * URL's verdict), and what in a visit's own chains shows that it met state another visit left.
 * Read from the recorded hops: the CLI uses it to decide when to clean the profile and which
 * visits to check again on their own (src/cli/check/isolation.ts).
 */
import type { Chain, Header, Hop } from '../model/chain.ts';
import { parseUrl } from '../model/url.ts';

function headerValues(headers: readonly Header[], name: string): string[] {
  const lower = name.toLowerCase();
  // A HAR or a proxy may fold several Set-Cookie headers into one value, one per line.
  return headers.filter((h) => h.name.toLowerCase() === lower).flatMap((h) => h.value.split('\n'));
}

function cookieNamesSent(hop: Hop): string[] {
  return headerValues(hop.requestHeaders, 'cookie')
    .flatMap((v) => v.split(';'))
    .map((pair) => pair.split('=')[0]?.trim() ?? '')
    .filter(Boolean);
}

function cookieNamesSet(hop: Hop): string[] {
  return headerValues(hop.responseHeaders, 'set-cookie')
    .map((v) => v.split(';')[0]?.split('=')[0]?.trim() ?? '')
    .filter(Boolean);
}

/** max-age of a Strict-Transport-Security value, undefined when it has none. */
function stsMaxAge(value: string): number | undefined {
  const m = /(?:^|;)\s*max-age\s*=\s*"?(\d+)"?/i.exec(value);
  return m ? Number(m[1]) : undefined;
}

function hostOf(url: string): string | undefined {
  return parseUrl(url)?.hostname.toLowerCase();
}

/**
 * The hosts that told the browser to remember HSTS during this visit: an https answer with a
 * Strict-Transport-Security header and a max-age above 0 (the browser keeps that host, and its
 * subdomains with includeSubDomains, https-only from then on).
 */
export function hstsHostsSet(chains: readonly Chain[]): string[] {
  const hosts = new Set<string>();
  for (const c of chains) {
    for (const h of c.hops) {
      if (h.kind !== 'server' || !h.url.startsWith('https://')) continue;
      for (const v of headerValues(h.responseHeaders, 'strict-transport-security')) {
        const host = hostOf(h.url);
        if (host && (stsMaxAge(v) ?? 0) > 0) hosts.add(host);
      }
    }
  }
  return [...hosts];
}

/** Whether the visit set cookies through its recorded answers (JavaScript and subresources aside). */
export function setsCookies(chains: readonly Chain[]): boolean {
  return chains.some((c) => c.hops.some((h) => cookieNamesSet(h).length > 0));
}

/** Why a visit may have met state another visit left, or undefined when nothing shows it. */
export interface Contamination {
  /** Cookies a hop sent that no earlier answer of the same visit set. */
  cookies: string[];
  /** Hosts the browser upgraded by HSTS without an earlier answer of the visit asking for it. */
  hstsHosts: string[];
}

/**
 * Signs in a visit's chains that it used state it did not make itself: a cookie sent that no
 * earlier answer of the visit set, an HSTS upgrade of a host no earlier answer of the visit sent
 * Strict-Transport-Security for: a 307 Internal Redirect with reason HSTS, or a redirect to
 * http:// followed straight by its https:// URL (the browser upgrades a redirect's target
 * without a hop of its own). `preloaded` hosts (the
 * browser's built-in HSTS list) are expected to be upgraded and do not count.
 *
 * Cookies a page's own script or subresources set are not in the recorded headers: a visit that
 * sends one is reported too, and the caller checks it again on its own, where it is safe.
 */
export function contamination(
  chains: readonly Chain[],
  preloaded: (host: string) => boolean = () => false,
): Contamination | undefined {
  const cookiesSet = new Set<string>();
  const stsSet = new Set<string>();
  const cookies = new Set<string>();
  const hstsHosts = new Set<string>();
  const upgradedBy = (host: string | undefined) => {
    if (host && !stsSet.has(host) && !preloaded(host) && ![...stsSet].some((s) => host.endsWith(`.${s}`))) {
      hstsHosts.add(host);
    }
  };
  for (const c of chains) {
    c.hops.forEach((h, i) => {
      for (const name of cookieNamesSent(h)) if (!cookiesSet.has(name)) cookies.add(name);
      if (h.kind === 'internal' && h.internalReason === 'HSTS') upgradedBy(hostOf(h.url));
      // A Location to http:// followed straight by the https:// URL: the browser upgraded the
      // redirect target itself (HSTS applies to a redirect without a hop of its own).
      const next = c.hops[i + 1];
      if (
        next &&
        next.kind !== 'internal' &&
        h.redirectUrl.startsWith('http://') &&
        next.url.startsWith('https://') &&
        hostOf(h.redirectUrl) === hostOf(next.url)
      ) {
        upgradedBy(hostOf(next.url));
      }
      for (const name of cookieNamesSet(h)) cookiesSet.add(name);
      for (const host of hstsHostsSet([{ ...c, hops: [h] }])) stsSet.add(host);
    });
  }
  if (!cookies.size && !hstsHosts.size) return undefined;
  return { cookies: [...cookies], hstsHosts: [...hstsHosts] };
}

/** The origins a visit's chains reached (to clear their storage). */
export function originsOf(chains: readonly Chain[]): string[] {
  const out = new Set<string>();
  for (const c of chains) {
    for (const h of c.hops) {
      const u = parseUrl(h.url);
      if (u && (u.protocol === 'http:' || u.protocol === 'https:')) out.add(u.origin);
    }
  }
  return [...out];
}
