/**
 * "Copy as …" formats: a GitHub Markdown table of a chain, and one hop as a cURL command.
 * Both are meant to be pasted somewhere public (an issue, a chat, a terminal), so they are
 * sanitized by default like the HAR export: credential headers left out, secret-looking URL
 * parameters redacted. Every untrusted string passes through `printable` first.
 */

import { analyze } from '../analyze/index.ts';
import type { AnalyzedHop as Hop } from '../analyze/types.ts';
import { redactUrl, SENSITIVE_HEADERS, sanitizeHeaders } from '../har/redact.ts';
import type { Chain as ChainFacts, Header } from '../model/chain.ts';
import { durationLabel } from './duration.ts';
import { badges, CACHE_LABELS, kindLabel, methodLabel, outcomeLabel, printable, statusLabel } from './text-table.ts';

export { formatChainTable as formatChainText } from './text-table.ts';

export interface CopyOptions {
  /** Keep Cookie/Authorization headers and secret URL parameters. Off by default. */
  includeSensitive?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Markdown

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

/** The target relative to the hop when it stays on the same origin, like the text table. */
function targetOf(url: string, target: string): string {
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

export function formatChainMarkdown(facts: ChainFacts, options: CopyOptions = {}): string {
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
      markdownCode(targetOf(url(hop.url), url(hop.redirectUrl))),
      markdownText(kindLabel(hop)),
      markdownText(CACHE_LABELS[hop.cache.verdict]),
    ];
    out.push(`| ${cells.join(' | ')} |`);
  }
  const total = (chain.endTime ?? chain.hops.at(-1)?.endTime ?? chain.startTime) - chain.startTime;
  const tags = badges(chain);
  const redirects = chain.summary.redirects;
  out.push('');
  out.push(
    markdownText(
      `${redirects} redirect${redirects === 1 ? '' : 's'}, ${outcomeLabel(chain)}, ${durationLabel(total)}${tags.length ? ` · ${tags.join(' · ')}` : ''}`,
    ),
  );
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// cURL

/** One POSIX shell word: single quotes keep everything literal; a `'` becomes `'\''`. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * Request headers cURL sets itself or that belong to one connection (RFC 9110 §7.6.1), and
 * HTTP/2 pseudo-headers. Accept-Encoding becomes `--compressed`, as in DevTools' "Copy as
 * cURL", so the output is readable.
 */
const CURL_SKIPPED_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'accept-encoding',
]);

const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);

export function hopAsCurl(hop: Hop, options: CopyOptions = {}): string {
  const sensitive = options.includeSensitive === true;
  const comments: string[] = [];
  const args: string[] = [];
  const method = hop.method.toUpperCase();

  const url = sensitive ? hop.url : redactUrl(hop.url);
  args.push(shellQuote(printable(url)));

  const hasBody = BODY_METHODS.has(method);
  if (method === 'HEAD') args.push('--head');
  else if (method !== 'GET' && !(method === 'POST' && hasBody)) args.push(`-X ${shellQuote(printable(method))}`);

  const headers: Header[] = sensitive ? hop.requestHeaders : sanitizeHeaders(hop.requestHeaders);
  let compressed = false;
  for (const h of headers) {
    const name = h.name.toLowerCase();
    if (name === 'accept-encoding') compressed = true;
    if (name.startsWith(':') || CURL_SKIPPED_HEADERS.has(name)) continue;
    args.push(`-H ${shellQuote(printable(`${h.name}: ${h.value}`))}`);
  }
  if (hasBody) {
    comments.push('# request body not recorded: put it in the empty --data-raw below');
    args.push(`--data-raw ''`);
  }
  if (compressed) args.push('--compressed');
  args.push('-i --max-redirs 0');

  if (!sensitive) {
    const dropped = [
      ...new Set(
        hop.requestHeaders.filter((h) => SENSITIVE_HEADERS.has(h.name.toLowerCase())).map((h) => printable(h.name)),
      ),
    ];
    if (dropped.length) comments.push(`# left out (sensitive): ${dropped.join(', ')}`);
    if (url !== hop.url) comments.push('# secret-looking URL parameters replaced by REDACTED');
  }
  if (hop.kind === 'internal') {
    comments.push(
      `# this hop was made by the browser itself (${printable(hop.internalReason ?? 'internal')}): no server saw it`,
    );
  }
  if (hop.requestHeaders.length === 0 && hop.kind !== 'internal') {
    comments.push('# request headers not recorded');
  }
  return [...comments, `curl ${args.join(' \\\n  ')}`].join('\n');
}
