/**
 * The words for a hop and a chain, one list for every screen: the panel, the popup, the toolbar
 * badge, `hopscope trace` and the text and Markdown copies. Every untrusted part passes through
 * `printable`.
 */
import type { CacheVerdictKind, AnalyzedChain as Chain, ChainSummary, AnalyzedHop as Hop } from '../analyze/types.ts';
import type { ClientRedirect, ClientRedirectType, Hop as HopFacts } from '../model/chain.ts';
import { MAX_REDIRECTS } from '../model/http.ts';
import { chainDuration, durationLabel } from './duration.ts';
import { plural } from './plural.ts';
import { printable } from './text.ts';

export const CACHE_LABELS: Readonly<Record<CacheVerdictKind, string>> = {
  'from-cache': 'from cache',
  'cacheable-by-default': 'cacheable (default)',
  'cacheable-explicit': 'cacheable (explicit)',
  'not-cacheable': 'not cacheable',
  'not-applicable': '—',
};

/** "301 Moved Permanently"; "failed" for a hop that got no response because of an error. */
export function statusLabel(hop: HopFacts): string {
  if (hop.statusCode === 0) return hop.error ? 'failed' : '—';
  return `${hop.statusCode}${hop.statusText ? ` ${printable(hop.statusText)}` : ''}`;
}

/** "GET", or "POST → GET" when the redirect changed it. */
export function methodLabel(hop: Hop): string {
  const change = hop.methodChange;
  return printable(change?.kind === 'changed' ? `${change.from} → ${change.to}` : hop.method);
}

const CLIENT_TYPES: Readonly<Record<ClientRedirectType, string>> = {
  'meta-refresh': 'meta refresh',
  'refresh-header': 'Refresh header',
  javascript: 'JavaScript',
};

/** "meta refresh, 0 s"; a redirect long after the page loaded says how long. */
export function clientLabel(client: ClientRedirect | undefined): string {
  if (!client) return 'client-side';
  const parts = [CLIENT_TYPES[client.type]];
  if (client.delaySeconds !== undefined) parts.push(`${client.delaySeconds} s`);
  else if (client.afterMs >= 2000) parts.push(`after ${durationLabel(client.afterMs)}`);
  return parts.join(', ');
}

/** "server", "internal (HSTS)", "client (meta refresh, 0 s)". */
export function kindLabel(hop: HopFacts): string {
  if (hop.kind === 'internal') {
    return `internal (${printable(hop.internalReason ?? '?')}${hop.inferred ? ', inferred' : ''})`;
  }
  if (hop.kind === 'client') return `client (${clientLabel(hop.clientRedirect)})`;
  return hop.kind;
}

/**
 * The redirect target relative to the hop's URL when it stays on the same origin (shorter,
 * still exact), else in full; '' when there is none. Not made printable: callers escape it for
 * where it goes.
 */
export function targetLabel(url: string, target: string): string {
  if (!target) return '';
  try {
    const from = new URL(url);
    const to = new URL(target);
    if (from.origin === to.origin) return to.pathname + to.search + to.hash;
  } catch {
    // not absolute: show it as it is
  }
  return target;
}

/** "completed with 200", "failed: net::ERR_CONNECTION_REFUSED", "still under way". */
export function outcomeLabel(chain: Chain): string {
  const o = chain.outcome;
  if (o.state === 'pending') return 'still under way';
  if (o.state === 'completed') return `completed with ${o.statusCode}`;
  if (o.tooManyRedirects) {
    return `redirect loop: the browser gave up after ${plural(chain.summary.redirects, 'redirect')} (${printable(o.error)})`;
  }
  return `failed: ${printable(o.error)}`;
}

// ---------------------------------------------------------------------------------------------
// Badges: what matters about a chain at a glance

/** The flags of a chain's summary that show as a badge. */
export type BadgeKey = Exclude<keyof ChainSummary, 'redirects'>;

export interface ChainBadge {
  key: BadgeKey;
  /** The panel's chip: short. */
  label(chain: Chain): string;
  /** The words in text outputs (terminal table, copy as text, Markdown): a few words more. */
  text: string;
  /** What it means, as one sentence: the chip's tooltip and the `is:` filter's help. */
  title: string;
}

/** Each badge once, in the order they show; the record's type makes each key appear once. */
const BADGES: { readonly [K in BadgeKey]: Omit<ChainBadge, 'key'> } = {
  internal: {
    label: (c) => (c.hops.some((h) => h.internalReason === 'HSTS') ? 'HSTS' : 'internal'),
    text: 'internal redirect',
    title: 'The browser made up a redirect itself (HSTS, an extension, HTTPS-Upgrades)',
  },
  methodChanged: {
    label: () => 'method changed',
    text: 'method changed',
    title: 'A redirect changed the method (POST became GET)',
  },
  fromCache: { label: () => 'cached', text: 'served from cache', title: 'A hop was served from the browser cache' },
  loop: {
    label: () => 'loop',
    text: 'loop',
    title: `A URL repeats, or the browser gave up after ${MAX_REDIRECTS} redirects`,
  },
  downgrade: {
    label: () => 'https → http',
    text: 'HTTPS → HTTP downgrade',
    title: 'A redirect from https to plain http',
  },
  crossOrigin: { label: () => 'cross-origin', text: 'cross-origin', title: 'A redirect to another origin' },
  error: {
    label: () => 'error',
    text: 'error',
    title: 'The chain ended in a network error or with a final 4xx/5xx status',
  },
};

export const CHAIN_BADGES: ReadonlyArray<ChainBadge> = (Object.keys(BADGES) as BadgeKey[]).map((key) => ({
  key,
  ...BADGES[key],
}));

/** What a badge means (its tooltip), for other places that name the same flag. */
export function badgeTitle(key: BadgeKey): string {
  return BADGES[key].title;
}

/** The chain's badges in the words of text outputs: `['method changed', 'served from cache']`. */
export function badges(chain: Chain): string[] {
  return CHAIN_BADGES.filter((b) => chain.summary[b.key]).map((b) => b.text);
}

/** The last line of a text or Markdown copy: "2 redirects, completed with 200, 35 ms · loop". */
export function chainSummaryLabel(chain: Chain): string {
  const tags = badges(chain);
  return `${plural(chain.summary.redirects, 'redirect')}, ${outcomeLabel(chain)}, ${durationLabel(chainDuration(chain))}${tags.length ? ` · ${tags.join(' · ')}` : ''}`;
}
