/**
 * The same visit recorded in two browsers (`hopscope trace --compare`): the two chains side by
 * side, hop by hop, and the differences named in words: cached in one and asked again in the
 * other, an internal hop in one only or in both with each browser's own evidence, another
 * status, another end.
 */
import { analyze } from '../analyze/index.ts';
import type { AnalyzedChain, AnalyzedHop } from '../analyze/types.ts';
import type { Chain } from '../model/chain.ts';
import { getHeader } from '../model/headers.ts';
import { CACHE_LABELS, kindLabel, statusLabel } from './labels.ts';
import { printable } from './text.ts';

/** One side: the browser's name as printed (e.g. `Chromium 156.0.8078.114`) and what it recorded for the visit. */
export interface ComparedSide {
  name: string;
  /** The main-frame chains of the visit, first one first (more than one: a client redirect not joined). */
  chains: readonly Chain[];
}

/** How the browser said that it made this hop up itself: its own evidence. */
export function internalEvidence(chain: Pick<Chain, 'browser'>, hop: AnalyzedHop): string {
  const reason = getHeader(hop.responseHeaders, 'non-authoritative-reason');
  if (reason) {
    return `${hop.statusCode}${hop.statusText ? ` "${printable(hop.statusText)}"` : ''} with Non-Authoritative-Reason: ${printable(reason)}`;
  }
  if (chain.browser === 'firefox') return 'a redirect with status 0, no status line and no headers';
  return `${hop.statusCode} (${printable(hop.internalReason ?? 'internal')})`;
}

function shortName(side: ComparedSide): string {
  return side.name.split(' ')[0] ?? side.name;
}

function hopWords(hop: AnalyzedHop): string {
  return `${statusLabel(hop)} ${printable(hop.url)}`;
}

function endOf(chain: AnalyzedChain | undefined): string {
  if (!chain) return 'nothing recorded';
  const o = chain.outcome;
  if (o.state === 'completed') return `${o.statusCode} at ${printable(chain.hops.at(-1)?.url ?? '')}`;
  if (o.state === 'error') return `error ${printable(o.error)}`;
  return 'still loading';
}

/** The differences between two recordings of one visit, in words; empty when there are none. */
export function compareChains(a: ComparedSide, b: ComparedSide): string[] {
  const [nameA, nameB] = [shortName(a), shortName(b)];
  const [chainA, chainB] = [a.chains[0], b.chains[0]].map((c) => (c ? analyze(c) : undefined));
  const out: string[] = [];
  if (a.chains.length !== b.chains.length) {
    out.push(
      `${a.chains.length} chain${a.chains.length === 1 ? '' : 's'} in ${nameA}, ${b.chains.length} in ${nameB}: a client redirect one browser joined into the journey and the other did not, or a visit that recorded nothing.`,
    );
  }
  const hopsA = chainA?.hops ?? [];
  const hopsB = chainB?.hops ?? [];
  for (let i = 0; i < Math.max(hopsA.length, hopsB.length); i++) {
    const [x, y] = [hopsA[i], hopsB[i]];
    const n = `hop ${i + 1}`;
    if (!x || !y) {
      const [only, hop] = x ? [nameA, x] : [nameB, y as AnalyzedHop];
      out.push(`${n} only in ${only}: ${hopWords(hop)}${hop.kind === 'internal' ? ' (internal)' : ''}.`);
      continue;
    }
    if (x.url !== y.url) out.push(`${n}: ${printable(x.url)} in ${nameA}, ${printable(y.url)} in ${nameB}.`);
    if (x.kind === 'internal' && y.kind === 'internal') {
      out.push(
        `${n} (${printable(x.url)}): internal in both${x.internalReason === y.internalReason ? ` (${printable(x.internalReason ?? '')})` : ''}; ${nameA} said so with ${internalEvidence(a.chains[0] ?? {}, x)}, ${nameB} with ${internalEvidence(b.chains[0] ?? {}, y)}.`,
      );
    } else if (x.kind !== y.kind) {
      out.push(`${n} (${printable(x.url)}): ${kindLabel(x)} in ${nameA}, ${kindLabel(y)} in ${nameB}.`);
    } else if (x.statusCode !== y.statusCode) {
      out.push(`${n} (${printable(x.url)}): ${statusLabel(x)} in ${nameA}, ${statusLabel(y)} in ${nameB}.`);
    }
    if (x.fromCache !== y.fromCache) {
      const [cached, asked] = x.fromCache ? [nameA, nameB] : [nameB, nameA];
      out.push(`${n} (${statusLabel(x)} ${printable(x.url)}): cached in ${cached}, asked again in ${asked}.`);
    }
  }
  const [endA, endB] = [endOf(chainA), endOf(chainB)];
  if (endA !== endB) out.push(`Ends with ${endA} in ${nameA}, ${endB} in ${nameB}.`);
  return out;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** The two chains side by side, one row per hop, then the differences. */
export function formatComparison(title: string, a: ComparedSide, b: ComparedSide): string {
  const [chainA, chainB] = [a.chains[0], b.chains[0]].map((c) => (c ? analyze(c) : undefined));
  const cell = (hop: AnalyzedHop | undefined) =>
    hop ? `${statusLabel(hop)} · ${kindLabel(hop)} · ${CACHE_LABELS[hop.cache.verdict]}` : '';
  const rows: string[][] = [['#', a.name.toUpperCase(), b.name.toUpperCase(), 'URL']];
  const count = Math.max(chainA?.hops.length ?? 0, chainB?.hops.length ?? 0);
  for (let i = 0; i < count; i++) {
    const [x, y] = [chainA?.hops[i], chainB?.hops[i]];
    const url = x && y && x.url !== y.url ? `${x.url} | ${y.url}` : ((x ?? y)?.url ?? '');
    rows.push([String(i + 1), cell(x), cell(y), printable(url)]);
  }
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const lines = rows.map((r) =>
    `  ${r.map((text, c) => (c < 3 ? pad(text, widths[c] ?? 0) : text)).join('  ')}`.trimEnd(),
  );
  const differences = compareChains(a, b);
  return [
    printable(title),
    ...lines,
    differences.length ? 'Differences:' : 'No differences.',
    ...differences.map((d) => `  - ${d}`),
  ].join('\n');
}
