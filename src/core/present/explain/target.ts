/**
 * What a redirect's target means for what follows: another origin (cookies, Origin, CORS), a
 * switch between http and https, and a Location header the browser had to resolve.
 */
import type { AnalyzedChain as Chain, AnalyzedHop as Hop } from '../../analyze/types.ts';
import { getHeader } from '../../model/headers.ts';
import { parseUrl } from '../../model/url.ts';
import { printable } from '../text.ts';

function hostOf(url: string): string {
  return parseUrl(url)?.hostname ?? '';
}

function originOf(url: string): string {
  const u = parseUrl(url);
  return u && u.origin !== 'null' ? u.origin : '';
}

/** A redirect to another origin: which cookies go along, and what happens to Origin and CORS. */
export function crossOriginPoints(chain: Chain, hop: Hop): string[] {
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

/** A redirect from https to http: what is exposed, and how HSTS would have prevented it. */
export function downgradePoint(hop: Hop, next?: Hop): string {
  const from = hostOf(hop.url);
  const to = hostOf(hop.redirectUrl);
  const hsts =
    from === to
      ? `HSTS on ${printable(from)} would prevent it: the browser would rewrite the http URL to https itself (RFC 6797 §8.3).`
      : `HSTS on ${printable(to)} would make the browser upgrade the target to https itself (RFC 6797 §8.3); HSTS on ${printable(from)} does not cover another host.`;
  if (next?.kind === 'internal' && next.redirectUrl.startsWith('https:')) {
    return `Downgrade in the Location: it points to http. This browser upgraded it to https itself (${printable(next.internalReason ?? 'internal redirect')}), so the next page loaded encrypted here; a browser without that, a crawler or an HTTP client follows it to http, unencrypted. ${hsts}`;
  }
  return `Downgrade from https to http: everything after this hop travels unencrypted, so anyone on the network can read and change it; cookies without the Secure attribute are exposed (RFC 6265bis §4.1.2.5). ${hsts}`;
}

/** A server redirect from http to https on the same host: the job HSTS does without a round trip. */
export function upgradePoint(hop: Hop): string | undefined {
  if (hop.kind !== 'server' || !hop.redirectUrl) return undefined;
  const from = parseUrl(hop.url);
  const to = parseUrl(hop.redirectUrl);
  if (from?.protocol !== 'http:' || to?.protocol !== 'https:' || from.hostname !== to.hostname) return undefined;
  return `The server upgrades http to https. This first request still went out unencrypted; a Strict-Transport-Security header on the https response (or the HSTS preload list) lets the browser skip it next time (RFC 6797 §8.3).`;
}

/** The Location header as sent, when it is not literally the target the browser used. */
export function locationPoint(hop: Hop): string | undefined {
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
