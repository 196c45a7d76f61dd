/** Rules about the redirects themselves: how many, which status, what they keep and drop. */
import { parseUrl } from '../../model/url.ts';
import type { AnalyzedChain, AnalyzedHop } from '../types.ts';
import type { Rule } from './rule.ts';
import { SOURCES } from './sources.ts';

const TEMPORARY = new Set([302, 303, 307]);
/** Parameters that carry campaign attribution: losing them loses the campaign. */
const TRACKING = /^(utm_.+|gclid|fbclid|msclkid)$/i;

/** The redirects a crawler or any client follows: the browser's own hops are not the site's. */
function siteRedirects(chain: AnalyzedChain): AnalyzedHop[] {
  return chain.hops.filter((h) => h.redirectUrl && h.kind !== 'internal');
}

export const longChain: Rule = {
  id: 'long-chain',
  severity: 'warning',
  source: SOURCES.googleHops,
  check: (chain, { limit }) => {
    const redirects = siteRedirects(chain);
    const over = redirects[limit];
    if (!over) return [];
    return [
      {
        hop: over.index,
        message: `${redirects.length} redirects before the page, more than ${limit}: each costs the user a round trip, Google follows at most 10, and the HSTS preload list allows 3.`,
      },
    ];
  },
};

/** What makes `to` the canonical form of `from`: https, www or not, a trailing slash. */
function canonicalization(from: string, to: string): string[] {
  const a = parseUrl(from);
  const b = parseUrl(to);
  if (!a || !b || a.href === b.href) return [];
  const bare = (u: URL) => {
    const host = u.hostname.replace(/^www\./, '');
    const path = u.pathname.length > 1 ? u.pathname.replace(/\/$/, '') : u.pathname;
    return `${host}:${u.port}${path}${u.search}`;
  };
  if (bare(a) !== bare(b)) return [];
  const kinds: string[] = [];
  if (a.protocol !== b.protocol) kinds.push(`${a.protocol.slice(0, -1)} → ${b.protocol.slice(0, -1)}`);
  if (a.hostname !== b.hostname) kinds.push(b.hostname.startsWith('www.') ? 'adding www' : 'removing www');
  if (a.pathname !== b.pathname)
    kinds.push(b.pathname.endsWith('/') ? 'adding the trailing slash' : 'removing the trailing slash');
  return kinds;
}

export const temporaryForPermanent: Rule = {
  id: 'temporary-for-permanent',
  severity: 'warning',
  source: SOURCES.googleRedirects,
  check: (chain) =>
    chain.hops.flatMap((h) => {
      if (h.kind !== 'server' || !TEMPORARY.has(h.statusCode) || !h.redirectUrl) return [];
      const kinds = canonicalization(h.url, h.redirectUrl);
      if (!kinds.length) return [];
      return [
        {
          hop: h.index,
          message: `${h.url} → ${h.redirectUrl} is a permanent canonicalization (${kinds.join(', ')}) sent as a temporary ${h.statusCode}: use 301 or 308, so browsers and search engines keep the target.`,
        },
      ];
    }),
};

export const lostQueryParam: Rule = {
  id: 'lost-query-param',
  severity: 'warning',
  check: (chain) =>
    siteRedirects(chain).flatMap((h) => {
      const from = parseUrl(h.url);
      const to = parseUrl(h.redirectUrl);
      if (!from || !to) return [];
      const kept = new Set(to.searchParams.keys());
      const lost = [...new Set(from.searchParams.keys())].filter((name) => !kept.has(name));
      if (!lost.length) return [];
      const tracking = lost.filter((name) => TRACKING.test(name));
      const names = lost.map((n) => (TRACKING.test(n) ? `${n} (tracking)` : n)).join(', ');
      return [
        {
          hop: h.index,
          message: `The redirect from ${h.url} drops ${lost.length === 1 ? 'the query parameter' : 'the query parameters'} ${names}${tracking.length ? ': campaign attribution is lost' : ': the next page never receives them'}.`,
        },
      ];
    }),
};

export const methodChanged: Rule = {
  id: 'method-changed',
  severity: 'warning',
  source: SOURCES.fetchRedirect,
  check: (chain) =>
    chain.hops
      .filter((h) => h.methodChange?.kind === 'changed' && (h.statusCode === 301 || h.statusCode === 302))
      .map((h) => ({
        hop: h.index,
        message: `The ${h.statusCode} turned ${h.methodChange?.from} into ${h.methodChange?.to} and dropped the request body: use 307 or 308 to keep the method, or 303 if the change is meant.`,
      })),
};

export const clientRedirect: Rule = {
  id: 'client-redirect',
  severity: 'info',
  source: SOURCES.googleRedirects,
  check: (chain) =>
    chain.hops
      .filter((h) => h.kind === 'client')
      .map((h) => {
        const how =
          h.clientRedirect?.type === 'meta-refresh'
            ? 'a meta refresh'
            : h.clientRedirect?.type === 'refresh-header'
              ? 'a Refresh header'
              : 'JavaScript';
        return {
          hop: h.index,
          message: `${h.url} moves on by ${how}, not an HTTP redirect: the page loads first, and not every crawler or client follows it.`,
        };
      }),
};

export const refreshDelay: Rule = {
  id: 'refresh-delay',
  severity: 'warning',
  source: SOURCES.wcagTiming,
  check: (chain) =>
    chain.hops
      .filter((h) => h.kind === 'client' && (h.clientRedirect?.delaySeconds ?? 0) > 0)
      .map((h) => ({
        hop: h.index,
        message: `${h.url} waits ${h.clientRedirect?.delaySeconds} s before moving on: a timed refresh the user cannot stop or extend fails WCAG 2.2.1, and the wait is lost time.`,
      })),
};
