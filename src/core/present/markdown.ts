/**
 * "Copy as Markdown": a GitHub Markdown table of a chain, meant to be pasted somewhere public
 * (an issue, a chat), so it is sanitized by default like the HAR export: secret-looking URL
 * parameters redacted. Every untrusted string passes through `printable` first.
 */

import { analyze } from '../analyze/index.ts';
import type { HarExportOptions } from '../har/export.ts';
import { redactUrl } from '../har/redact.ts';
import type { Chain as ChainFacts } from '../model/chain.ts';
import { CACHE_LABELS, chainSummaryLabel, kindLabel, methodLabel, statusLabel, targetLabel } from './labels.ts';
import { printable } from './text.ts';

/**
 * Text for a table cell: Markdown punctuation that could start emphasis, links, HTML, math or
 * strike-through is backslash-escaped, and so is `|`, which would end the cell.
 */
export function markdownText(text: string): string {
  return printable(text).replace(/[\\`*_[\]<>~&$|]/g, '\\$&');
}

/**
 * A code span that shows `text` exactly (CommonMark §6.1): the fence is one backtick longer
 * than the longest run inside, padded with a space when the text starts or ends with a
 * backtick. Backslashes do not escape in code spans, but a GFM table removes the backslash of
 * `\|` before it parses the cell (GFM §4.10), so `|` is escaped there too.
 */
export function markdownCode(text: string): string {
  const t = printable(text);
  if (t === '') return '';
  let longest = 0;
  for (const run of t.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  const pad = t.startsWith('`') || t.endsWith('`') || (t.startsWith(' ') && t.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`.replaceAll('|', '\\|');
}

/** Keep secret URL parameters with `includeSensitive`; off by default, as in the HAR export. */
export function formatChainMarkdown(
  facts: ChainFacts,
  options: Pick<HarExportOptions, 'includeSensitive'> = {},
): string {
  const chain = analyze(facts);
  const url = (u: string) => (options.includeSensitive ? u : redactUrl(u));
  const first = chain.hops[0];
  const out: string[] = [];
  const startUrl = first?.url ?? chain.pending?.url ?? '';
  const startMethod = first?.method ?? chain.pending?.method ?? '';
  out.push(`**${markdownText(startMethod)}** ${markdownCode(url(startUrl))}`.trim());
  out.push('');
  out.push('| # | Status | Method | URL | Target | Kind | Cache |');
  out.push('| --: | --- | --- | --- | --- | --- | --- |');
  for (const hop of chain.hops) {
    const cells = [
      String(hop.index + 1),
      markdownText(statusLabel(hop)),
      markdownText(methodLabel(hop)),
      markdownCode(url(hop.url)),
      markdownCode(targetLabel(url(hop.url), url(hop.redirectUrl))),
      markdownText(kindLabel(hop)),
      markdownText(CACHE_LABELS[hop.cache.verdict]),
    ];
    out.push(`| ${cells.join(' | ')} |`);
  }
  out.push('');
  out.push(markdownText(chainSummaryLabel(chain)));
  return out.join('\n');
}
