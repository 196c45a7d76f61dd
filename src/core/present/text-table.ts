/**
 * Chains as plain text: the table `hopscope trace` prints and "copy as text".
 * Every untrusted string (URLs, status text, header values) passes through `printable`, so no
 * terminal escape sequence from a server reaches the user's terminal.
 */
import { analyze } from '../analyze/index.ts';
import type { Chain as ChainFacts } from '../model/chain.ts';
import { durationLabel } from './duration.ts';
import { CACHE_LABELS, chainSummaryLabel, kindLabel, methodLabel, statusLabel, targetLabel } from './labels.ts';
import { printable } from './text.ts';

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
    target: printable(targetLabel(hop.url, hop.redirectUrl)),
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
  out.push(`  ${chainSummaryLabel(chain)}`);
  return out.join('\n');
}
