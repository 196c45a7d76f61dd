/** Rules about how the chain travels: plain http, downgrades, HSTS and the browser's upgrades. */
import { getHeader } from '../../model/headers.ts';
import { isPublicHost, parseUrl } from '../../model/url.ts';
import type { AnalyzedChain, AnalyzedHop } from '../types.ts';
import type { Rule } from './rule.ts';
import { SOURCES } from './sources.ts';

const isHttp = (url: string) => url.startsWith('http:');
/** Chrome asks before http and the HSTS preload list takes only public sites; a private one is not a finding. */
const isPublic = (url: string) => {
  const host = parseUrl(url)?.hostname;
  return host !== undefined && isPublicHost(host);
};
const isHttps = (url: string) => url.startsWith('https:');
/** The hop reached a server or the cache (the browser's own hops send nothing). */
const answered = (h: AnalyzedHop) => h.kind !== 'internal' && (h.statusCode > 0 || h.fromCache);
/** HSTS preload rules are about a site: its pages. */
const isPage = (chain: AnalyzedChain) => chain.type === 'main_frame';

/** One year: the least max-age the HSTS preload list accepts (hstspreload header.go). */
const PRELOAD_MAX_AGE = 31_536_000;

export const insecureHop: Rule = {
  id: 'insecure-hop',
  severity: 'warning',
  source: SOURCES.askBeforeHttp,
  check: (chain) =>
    chain.hops
      .filter((h) => answered(h) && isHttp(h.url) && isPublic(h.url))
      .map((h) => ({
        hop: h.index,
        message: `${h.url} was loaded over plain http: anyone on the network can read or change this step, and Chrome 154+ asks before loading a site when a redirect step lacks HTTPS.`,
      })),
};

export const downgrade: Rule = {
  id: 'downgrade',
  severity: 'error',
  source: SOURCES.rfc9110Redirects,
  check: (chain) =>
    chain.hops
      .filter((h) => h.downgrade)
      .map((h) => {
        const next = chain.hops[h.index + 1];
        const rescued = next?.kind === 'internal' && isHttps(next.redirectUrl);
        return {
          hop: h.index,
          message: `${h.url} sends the browser from https to http (${h.redirectUrl})${rescued ? '; this browser upgraded it again itself, a crawler or another browser will not' : ': everything after it travels unencrypted'}.`,
        };
      }),
};

export const hstsFirstRedirect: Rule = {
  id: 'hsts-first-redirect',
  severity: 'warning',
  source: SOURCES.hstsPreloadRedirects,
  check: (chain) => {
    const first = firstServerRedirectFromHttp(chain);
    if (!first) return [];
    const { from, to } = first;
    if (to.protocol === 'https:' && to.hostname === from.hostname) return [];
    if (to.hostname === `www.${from.hostname}`) return []; // hsts-www-first says it
    return [
      {
        hop: first.hop.index,
        message: `${from.href} first redirects to ${to.href}; its first redirect should go to https on the same host (https://${from.host}/…), so that HSTS is recorded for this host.`,
      },
    ];
  },
};

export const hstsWwwFirst: Rule = {
  id: 'hsts-www-first',
  severity: 'warning',
  source: SOURCES.hstsPreloadRedirects,
  check: (chain) => {
    const first = firstServerRedirectFromHttp(chain);
    if (!first || first.to.hostname !== `www.${first.from.hostname}`) return [];
    return [
      {
        hop: first.hop.index,
        message: `${first.from.href} adds www before going to https (${first.to.href}): redirect to https://${first.from.host}/ first, then to www, so browsers record HSTS for ${first.from.hostname} itself, not only its www subdomain.`,
      },
    ];
  },
};

export const hstsHeader: Rule = {
  id: 'hsts-header',
  severity: 'info',
  source: SOURCES.hstsPreloadHeader,
  check: (chain) => {
    const start = chain.hops[0]?.url ?? '';
    if (!isPage(chain) || !isHttp(start) || !isPublic(start)) return [];
    const hop = chain.hops.find((h) => answered(h) && isHttps(h.url));
    if (!hop) return [];
    const missing = missingHstsParts(getHeader(hop.responseHeaders, 'strict-transport-security'));
    if (!missing.length) return [];
    return [
      {
        hop: hop.index,
        message: `The first https answer of this chain from http (${hop.url}) lacks in Strict-Transport-Security: ${missing.join(', ')}. Browsers then keep using http for the first request of the next visit, and the host cannot join the HSTS preload list.`,
      },
    ];
  },
};

export const browserUpgraded: Rule = {
  id: 'browser-upgraded',
  severity: 'info',
  source: SOURCES.rfc6797,
  check: (chain) =>
    chain.hops
      .filter((h) => h.kind === 'internal' && isHttp(h.url) && isHttps(h.redirectUrl))
      .map((h) => ({
        hop: h.index,
        message: `The browser upgraded ${h.url} to https itself (${h.internalReason}): the server's own answer over http was never asked for; ${
          h.internalReason === 'HttpsUpgrades'
            ? '`hopscope trace --no-https-upgrades` shows it.'
            : `a client outside the browser shows it (\`curl -sI ${h.url}\`): the browser upgrades this host for as long as its HSTS policy lasts, which no switch turns off.`
        }`,
      })),
};

/** The chain's first hop, when it is a server's redirect of an http URL. */
function firstServerRedirectFromHttp(chain: AnalyzedChain): { hop: AnalyzedHop; from: URL; to: URL } | undefined {
  const hop = chain.hops[0];
  if (!isPage(chain) || !hop || hop.kind !== 'server' || !hop.redirectUrl || !isHttp(hop.url) || !isPublic(hop.url)) {
    return undefined;
  }
  const from = parseUrl(hop.url);
  const to = parseUrl(hop.redirectUrl);
  return from && to ? { hop, from, to } : undefined;
}

/** What a Strict-Transport-Security value lacks for the preload list; [] when nothing. */
export function missingHstsParts(value: string | undefined): string[] {
  if (value === undefined) return ['the header itself'];
  const directives = value.split(';').map((d) => d.trim().toLowerCase());
  const maxAge = directives.map((d) => /^max-age\s*=\s*"?(\d+)"?$/.exec(d)?.[1]).find((v) => v !== undefined);
  const missing: string[] = [];
  if (maxAge === undefined) missing.push('max-age');
  else if (Number(maxAge) < PRELOAD_MAX_AGE) missing.push(`a max-age of a year or more (it says ${maxAge})`);
  if (!directives.includes('includesubdomains')) missing.push('includeSubDomains');
  if (!directives.includes('preload')) missing.push('preload');
  return missing;
}
