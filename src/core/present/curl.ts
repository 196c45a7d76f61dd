/**
 * "Copy as cURL": one hop as a command that sends the same request again, meant to be pasted
 * somewhere public (an issue, a chat, a terminal), so it is sanitized by default like the HAR
 * export: credential headers left out, secret-looking URL parameters redacted. Every untrusted
 * string passes through `printable` and then a single-quoted shell word.
 */

import type { AnalyzedHop as Hop } from '../analyze/types.ts';
import type { HarExportOptions } from '../har/export.ts';
import { redactUrl, SENSITIVE_HEADERS, sanitizeHeaders } from '../har/redact.ts';
import type { Header } from '../model/chain.ts';
import { printable } from './text.ts';

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

/** Keep Cookie/Authorization headers and secret URL parameters with `includeSensitive`; off by default. */
export function hopAsCurl(hop: Hop, options: Pick<HarExportOptions, 'includeSensitive'> = {}): string {
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
