/**
 * The words for a hop and a chain, one list for every screen: the panel, the popup, the toolbar
 * badge, `hopscope trace` and the text and Markdown copies. Every untrusted part passes through
 * `printable`.
 */
import type { Finding, Severity } from '../analyze/findings/types.ts';
import type { CacheVerdictKind, AnalyzedChain as Chain, ChainSummary, AnalyzedHop as Hop } from '../analyze/types.ts';
import type { ClientRedirect, ClientRedirectType, Hop as HopFacts, HopKind, RecordingBrowser } from '../model/chain.ts';
import { isTooManyRedirects, MAX_REDIRECTS } from '../model/http.ts';
import { chainDuration, durationLabel } from './duration.ts';
import { plural } from './plural.ts';
import { printable } from './text.ts';

/** The browser that recorded a chain, by name; 'the browser' when it is not known (a HAR file). */
export function browserLabel(browser: RecordingBrowser | undefined): string {
  return browser === 'firefox' ? 'Firefox' : browser === 'chromium' ? 'Chromium' : 'the browser';
}

/** The browser that gave up on a loop: the recording one, else the one whose error it is. */
export function loopBrowser(chain: {
  browser?: RecordingBrowser;
  outcome: { state: string; error?: string };
}): RecordingBrowser | undefined {
  if (chain.browser) return chain.browser;
  const error = chain.outcome.error ?? '';
  return error.startsWith('NS_') ? 'firefox' : error.startsWith('net::') ? 'chromium' : undefined;
}

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

/**
 * The error a redirect loop ended in, as the browser's error page and DevTools name it.
 * Chromium's webRequest reports the request it gave up on as net::ERR_ABORTED, where the tab and
 * DevTools say net::ERR_TOO_MANY_REDIRECTS: both are said. Firefox's NS_ERROR_REDIRECT_LOOP is
 * its own name already.
 */
export function loopErrorLabel(error: string): string {
  return isTooManyRedirects(error) ? error : `net::ERR_TOO_MANY_REDIRECTS; webRequest: ${error}`;
}

/** "completed with 200", "failed: net::ERR_CONNECTION_REFUSED", "still under way". */
export function outcomeLabel(chain: Chain): string {
  const o = chain.outcome;
  if (o.state === 'pending') return 'still under way';
  if (o.state === 'completed') return `completed with ${o.statusCode}`;
  if (o.tooManyRedirects) {
    return `redirect loop: the browser gave up after ${plural(chain.summary.redirects, 'redirect')} (${printable(loopErrorLabel(o.error))})`;
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

// ---------------------------------------------------------------------------------------------
// Findings: severities and their counts

/** A severity as a word: shown next to its colour, never the colour alone. */
export const SEVERITY_LABELS: Readonly<Record<Severity, string>> = {
  error: 'error',
  warning: 'warning',
  info: 'info',
};

/** The severities, most severe first: the order counts and lists use. */
export const SEVERITY_ORDER: readonly Severity[] = ['error', 'warning', 'info'];

/** What the popup and the badge count: the findings that ask for a fix. */
export const PROBLEM_SEVERITIES: readonly Severity[] = ['error', 'warning'];

/** How many findings of each severity. */
export function severityCounts(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** "1 error", "2 warnings", "3 info" (info is not counted as a noun). */
export function severityCountLabel(n: number, severity: Severity): string {
  return severity === 'info' ? plural(n, 'info', 'info') : plural(n, SEVERITY_LABELS[severity]);
}

/**
 * "2 errors, 1 warning": the findings of the severities asked for (errors and warnings unless
 * told), most severe first; '' when there are none.
 */
export function findingCountLabel(
  findings: readonly Finding[],
  severities: readonly Severity[] = PROBLEM_SEVERITIES,
): string {
  const counts = severityCounts(findings);
  return SEVERITY_ORDER.filter((s) => severities.includes(s) && counts[s] > 0)
    .map((s) => severityCountLabel(counts[s], s))
    .join(', ');
}

/** "warning long-chain (hop 4)": a finding in a few words, for tooltips and lists. */
export function findingShortLabel(finding: Finding): string {
  return `${SEVERITY_LABELS[finding.severity]} ${finding.rule} (hop ${finding.hop + 1})`;
}

// ---------------------------------------------------------------------------------------------
// The hop statuses at a glance: 301 → 307 (HSTS) → 200

export interface HopStatusPart {
  /** "301", "failed", "—"; "…" for hops left out or the request under way. */
  label: string;
  /** The hop's kind; `gap` for hops left out, `pending` for the request under way. */
  kind: HopKind | 'gap' | 'pending';
  /** The hop's index; -1 for a gap or the request under way. */
  index: number;
  /**
   * Who answered when it was not a server, as printable text: "HSTS", "HttpsUpgrades, inferred",
   * "meta refresh, 0 s"; for a gap, how many hops it leaves out; "under way".
   */
  note?: string;
  /** A hop the browser made without telling extensions (Hopscope inferred it). */
  inferred?: boolean;
}

function hopStatusPart(hop: HopFacts, index: number): HopStatusPart {
  const label = hop.statusCode > 0 ? String(hop.statusCode) : hop.error ? 'failed' : '—';
  const part: HopStatusPart = { label, kind: hop.kind, index };
  if (hop.kind === 'internal') {
    part.note = `${printable(hop.internalReason ?? 'internal')}${hop.inferred ? ', inferred' : ''}`;
    if (hop.inferred) part.inferred = true;
  } else if (hop.kind === 'client') {
    part.note = clientLabel(hop.clientRedirect);
  }
  return part;
}

/**
 * The status of each hop, in order, the browser's own hops (internal) and the page's own
 * (client) with a note; a chain under way ends in "…". With `max`, a longer chain keeps its
 * first and last hops around one gap that says how many it leaves out.
 */
export function hopStatusParts(
  chain: { hops: readonly HopFacts[]; outcome: { state: string } },
  max = Number.POSITIVE_INFINITY,
): HopStatusPart[] {
  const n = chain.hops.length;
  let parts: HopStatusPart[];
  if (n <= max || max < 3) {
    parts = chain.hops.map(hopStatusPart);
  } else {
    const head = Math.ceil((max - 1) / 2);
    const tail = max - 1 - head;
    const left = n - head - tail;
    parts = [
      ...chain.hops.slice(0, head).map((h, i) => hopStatusPart(h, i)),
      { label: '…', kind: 'gap', index: -1, note: plural(left, 'more hop') },
      ...chain.hops.slice(n - tail).map((h, i) => hopStatusPart(h, n - tail + i)),
    ];
  }
  if (chain.outcome.state === 'pending') parts.push({ label: '…', kind: 'pending', index: -1, note: 'under way' });
  return parts;
}

/** "301 → 307 (HSTS) → 200", "301 → 302 → 200 (meta refresh, 0 s) → 307 → 200". */
export function hopStatuses(
  chain: { hops: readonly HopFacts[]; outcome: { state: string } },
  max = Number.POSITIVE_INFINITY,
): string {
  return hopStatusParts(chain, max)
    .map((p) => (p.note && p.kind !== 'pending' ? `${p.label} (${p.note})` : p.label))
    .join(' → ');
}
