/**
 * Chains as plain text: the table `hopscope trace` prints and "copy as text".
 * Every untrusted string (URLs, status text, header values) passes through `printable`, so no
 * terminal escape sequence from a server reaches the user's terminal.
 */
import { analyze } from '../analyze/index.ts';
import type { CacheVerdictKind, AnalyzedChain as Chain, AnalyzedHop as Hop } from '../analyze/types.ts';
import type { Chain as ChainFacts, ClientRedirect, ClientRedirectType, Hop as HopFacts } from '../model/chain.ts';
import { durationLabel } from './duration.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Replaces control characters (ESC, CR, bidi overrides, …) with a visible placeholder. */
export function printable(text: string): string {
  return text.replace(CONTROL, '\uFFFD');
}

export const CACHE_LABELS: Record<CacheVerdictKind, string> = {
  'from-cache': 'from cache',
  'cacheable-by-default': 'cacheable (default)',
  'cacheable-explicit': 'cacheable (explicit)',
  'not-cacheable': 'not cacheable',
  'not-applicable': '—',
};

export function statusLabel(hop: HopFacts): string {
  if (hop.statusCode === 0) return hop.error ? 'failed' : '—';
  return `${hop.statusCode}${hop.statusText ? ` ${printable(hop.statusText)}` : ''}`;
}

export function methodLabel(hop: Hop): string {
  const change = hop.methodChange;
  return change?.kind === 'changed' ? `${change.from} → ${change.to}` : hop.method;
}

const CLIENT_TYPES: Record<ClientRedirectType, string> = {
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

export function kindLabel(hop: HopFacts): string {
  if (hop.kind === 'internal') return `internal (${printable(hop.internalReason ?? '?')})`;
  if (hop.kind === 'client') return `client (${clientLabel(hop.clientRedirect)})`;
  return hop.kind;
}

/** The target relative to the hop when it stays on the same origin: shorter, still exact. */
function targetLabel(hop: Hop): string {
  if (!hop.redirectUrl) return '';
  try {
    const from = new URL(hop.url);
    const to = new URL(hop.redirectUrl);
    if (from.origin === to.origin) return to.pathname + to.search + to.hash;
  } catch {
    // fall through to the full value
  }
  return hop.redirectUrl;
}

export function outcomeLabel(chain: Chain): string {
  const o = chain.outcome;
  if (o.state === 'pending') return 'still under way';
  if (o.state === 'completed') return `completed with ${o.statusCode}`;
  if (o.tooManyRedirects)
    return `redirect loop: the browser gave up after ${chain.summary.redirects} redirects (${o.error})`;
  return `failed: ${printable(o.error)}`;
}

export function badges(chain: Chain): string[] {
  const s = chain.summary;
  const out: string[] = [];
  if (s.internal) out.push('internal redirect');
  if (s.methodChanged) out.push('method changed');
  if (s.fromCache) out.push('served from cache');
  if (s.loop) out.push('loop');
  if (s.downgrade) out.push('HTTPS → HTTP downgrade');
  if (s.crossOrigin) out.push('cross-origin');
  if (s.error) out.push('error');
  return out;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** A readable table of one chain, one row per hop, the redirect target on the line below. */
export function formatChainTable(facts: ChainFacts, title?: string): string {
  const chain = analyze(facts);
  const rows = chain.hops.map((hop) => ({
    n: String(hop.index + 1),
    status: statusLabel(hop),
    method: methodLabel(hop),
    kind: kindLabel(hop),
    cache: CACHE_LABELS[hop.cache.verdict],
    time: durationLabel(hop.endTime - hop.startTime),
    url: printable(hop.url),
    target: printable(targetLabel(hop)),
  }));
  const head = { n: '#', status: 'STATUS', method: 'METHOD', kind: 'KIND', cache: 'CACHE', time: 'TIME', url: 'URL' };
  const cols = ['n', 'status', 'method', 'kind', 'cache', 'time'] as const;
  const width = Object.fromEntries(
    cols.map((c) => [c, Math.max(head[c].length, ...rows.map((r) => r[c].length))]),
  ) as Record<(typeof cols)[number], number>;
  const indent = cols.reduce((sum, c) => sum + width[c] + 2, 2);
  const line = (r: Record<(typeof cols)[number] | 'url', string>) =>
    `  ${cols.map((c) => pad(r[c], width[c])).join('  ')}  ${r.url}`.trimEnd();
  const first = chain.hops[0];
  const out: string[] = [];
  out.push(printable(title ?? `${first?.method ?? ''} ${first?.url ?? chain.pending?.url ?? ''}`.trim()));
  out.push(line(head));
  for (const r of rows) {
    out.push(line(r));
    if (r.target) out.push(`${' '.repeat(indent)}→ ${r.target}`);
  }
  const total = (chain.endTime ?? chain.hops.at(-1)?.endTime ?? chain.startTime) - chain.startTime;
  const tags = badges(chain);
  out.push(
    `  ${chain.summary.redirects} redirect${chain.summary.redirects === 1 ? '' : 's'}, ${outcomeLabel(chain)}, ${durationLabel(total)}${tags.length ? ` · ${tags.join(' · ')}` : ''}`,
  );
  return out.join('\n');
}
