/**
 * From the fields of one input line to a check: the source made absolute, `--base` applied, the
 * expected target resolved against the source, `status` and `max_hops` parsed. A line that
 * cannot be checked becomes an `InvalidItem` saying why, never an exception.
 */
import { parseUrl } from '../model/url.ts';
import type { CheckItem, Expectation, InputKind, InvalidItem, StatusExpectation } from './types.ts';

/** The columns (CSV/TSV) and keys (JSON Lines) a list may have. */
export const FIELDS = ['source', 'expected', 'status', 'max_hops'] as const;
export type Field = (typeof FIELDS)[number];
export type Fields = Partial<Record<Field, string>>;

/**
 * What the user typed, as an absolute http(s) URL: a bare host such as `example.com/path` is
 * taken as http://, as the address bar does. A problem sentence when it is not one.
 */
export function parseSourceUrl(input: string): { url: string } | { problem: string } {
  const text = input.trim();
  if (!text) return { problem: 'the source is empty' };
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(text)
    ? text
    : /^[\w.-]+(:\d+)?(\/|$)/.test(text)
      ? `http://${text}`
      : text;
  const url = parseUrl(withScheme);
  if (!url) return { problem: `'${text}' is not a URL` };
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { problem: `'${text}' is not an http(s) URL` };
  }
  url.hash = '';
  return { url: url.href };
}

function parseRelative(text: string, base: string): URL | undefined {
  try {
    return new URL(text, base);
  } catch {
    return undefined;
  }
}

/** `--base`: an http(s) origin. Throws with a plain sentence otherwise (a usage problem). */
export function parseBase(base: string): string {
  const url = parseUrl(base.trim());
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new Error(`--base '${base}' is not an http(s) URL such as https://staging.example.com`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new Error(`--base '${base}' has a path or query: give the origin only, e.g. ${url.origin}`);
  }
  return url.origin;
}

/** The same URL on another origin (scheme, host and port from `origin`). */
export function withOrigin(url: string, origin: string): string {
  const u = new URL(url);
  const o = new URL(origin);
  u.protocol = o.protocol;
  u.host = o.host;
  return u.href;
}

/** `status`: a code, `permanent`, `temporary`, `any` or empty (any). */
export function parseStatus(text: string): StatusExpectation | { problem: string } {
  const t = text.trim().toLowerCase();
  if (t === '' || t === 'any') return { kind: 'any' };
  if (t === 'permanent') return { kind: 'permanent' };
  if (t === 'temporary') return { kind: 'temporary' };
  if (/^[2-5]\d\d$/.test(t)) return { kind: 'code', code: Number(t) };
  return { problem: `status '${text.trim()}' is not an HTTP status code, permanent, temporary or any` };
}

/** `max_hops`: a whole number of redirects, or empty (no limit). */
export function parseMaxHops(text: string): number | undefined | { problem: string } {
  const t = text.trim();
  if (t === '') return undefined;
  if (/^\d{1,4}$/.test(t)) return Number(t);
  return { problem: `max_hops '${t}' is not a whole number of redirects` };
}

export interface ItemContext {
  line: number;
  kind: InputKind;
  /** `--base` origin, already checked by parseBase. */
  base?: string;
}

/**
 * One line's fields as a check. A sitemap URL must answer itself: 200, no redirect. A plain
 * list asks nothing but an answer (the findings threshold still applies).
 */
export function itemFromFields(fields: Fields, ctx: ItemContext): CheckItem | InvalidItem {
  const rawSource = fields.source ?? '';
  const rawExpected = (fields.expected ?? '').trim();
  const invalid = (problem: string): InvalidItem => ({
    line: ctx.line,
    source: rawSource.trim(),
    expected: rawExpected,
    problem,
  });
  const parsed = parseSourceUrl(rawSource);
  if ('problem' in parsed) return invalid(parsed.problem);
  const original = parsed.url;
  const source = ctx.base ? withOrigin(original, ctx.base) : original;

  if (ctx.kind === 'sitemap') {
    return {
      line: ctx.line,
      source,
      expected: source,
      expect: { target: source, status: { kind: 'code', code: 200 }, maxHops: 0 },
    };
  }

  let target: string | undefined;
  if (rawExpected) {
    // Relative to the source as written, so `/new` stays on the source's origin.
    const resolved = parseRelative(rawExpected, original);
    if (!resolved || (resolved.protocol !== 'http:' && resolved.protocol !== 'https:')) {
      return invalid(`expected '${rawExpected}' is not an http(s) URL or a path`);
    }
    resolved.hash = '';
    target =
      ctx.base && resolved.origin === new URL(original).origin ? withOrigin(resolved.href, ctx.base) : resolved.href;
  }
  const status = parseStatus(fields.status ?? '');
  if ('problem' in status) return invalid(status.problem);
  const maxHops = parseMaxHops(fields.max_hops ?? '');
  if (typeof maxHops === 'object') return invalid(maxHops.problem);
  const expect: Expectation = { status };
  if (target !== undefined) expect.target = target;
  if (maxHops !== undefined) expect.maxHops = maxHops;
  return { line: ctx.line, source, expected: target ?? '', expect };
}

export function isInvalid(item: CheckItem | InvalidItem): item is InvalidItem {
  return 'problem' in item;
}

/** How an expectation reads in a sentence: "301 or 308", "a 2xx answer", "410". */
export function describeStatus(status: StatusExpectation): string {
  switch (status.kind) {
    case 'any':
      return 'any status';
    case 'permanent':
      return 'permanent (301/308)';
    case 'temporary':
      return 'temporary (302/303/307)';
    case 'code':
      return String(status.code);
  }
}
