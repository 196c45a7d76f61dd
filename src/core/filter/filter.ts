/**
 * The panel's filter box: `status:3xx -is:cached "login?next" host:example.com`.
 * Parsed once into compiled predicates, then matched against thousands of chains per
 * keystroke, so matching parses no URL and allocates nothing.
 */
import { isRuleId, RULE_IDS, type Severity } from '../analyze/findings/types.ts';
import type { AnalyzedChain as Chain, AnalyzedHop as Hop } from '../analyze/types.ts';
import { type BadgeKey, badgeTitle } from '../present/labels.ts';
import { RESOURCE_TYPE_WORDS } from '../present/resource-types.ts';
import { lowerFirst } from '../present/text.ts';

export interface Predicate {
  /** `status`, `method`, `is`, `finding`, `host`, `type` or `hops`. */
  key: string;
  /** The value as typed. */
  value: string;
  /** Written with a leading `-`: the chain must not match. */
  negated: boolean;
  /** Whether the chain matches, before negation. */
  test: (chain: Chain) => boolean;
}

export interface ChainFilter {
  /** Words and quoted phrases that must all appear (lower-cased). */
  text: string[];
  /** Words and phrases that must not appear (lower-cased). */
  negText: string[];
  predicates: Predicate[];
  /** Messages for the user about parts that were ignored. */
  errors: string[];
}

/** An `is:` filter that finds the chains showing a badge means what the badge means. */
const badgeMeaning = (key: BadgeKey) => lowerFirst(badgeTitle(key));

export const FILTER_HELP: Array<{ syntax: string; meaning: string }> = [
  { syntax: 'word', meaning: 'a hop URL or redirect target contains it (any case)' },
  { syntax: '"two words"', meaning: 'a phrase, spaces included' },
  { syntax: '-word', meaning: 'no hop URL or target contains it' },
  { syntax: 'status:307', meaning: 'some hop has this status (status:307,308 for either)' },
  { syntax: 'status:3xx', meaning: 'some hop has a status in that class (1xx … 5xx)' },
  { syntax: 'status:>=400', meaning: 'some hop has a status in that range (>, >=, <, <=)' },
  { syntax: 'method:POST', meaning: 'some hop used this method' },
  { syntax: 'is:redirect', meaning: 'at least one redirect' },
  { syntax: 'is:internal', meaning: badgeMeaning('internal') },
  { syntax: 'is:hsts', meaning: 'an HSTS upgrade made by the browser' },
  { syntax: 'is:cached', meaning: badgeMeaning('fromCache') },
  { syntax: 'is:loop', meaning: badgeMeaning('loop') },
  { syntax: 'is:error', meaning: 'a finding of severity error (the chain ends in an error, a loop, a downgrade…)' },
  { syntax: 'is:warning', meaning: 'a finding of severity warning' },
  { syntax: 'is:info', meaning: 'a finding of severity info' },
  { syntax: 'finding:long-chain', meaning: 'a finding of this rule (finding:loop,downgrade for either)' },
  { syntax: 'is:downgrade', meaning: badgeMeaning('downgrade') },
  { syntax: 'is:cross-origin', meaning: badgeMeaning('crossOrigin') },
  { syntax: 'is:method-changed', meaning: badgeMeaning('methodChanged') },
  { syntax: 'is:pending', meaning: 'still under way' },
  { syntax: 'host:example.com', meaning: 'some URL is on this host or a subdomain of it' },
  { syntax: 'type:document', meaning: 'request type: document, xhr, script, stylesheet, image, font, media, …' },
  { syntax: 'hops:>3', meaning: 'number of hops (hops:3, >, >=, <, <=)' },
  { syntax: '-is:cached', meaning: 'a leading - negates any filter' },
];

// ---------------------------------------------------------------------------------------------
// Tokenizing

interface Token {
  text: string;
  negated: boolean;
  /** Any part was quoted: never a key:value filter unless the quote came after the colon. */
  quotedWhole: boolean;
}

/** Splits on whitespace; double quotes group (an unclosed quote runs to the end). */
function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = input.length;
  while (i < n) {
    while (i < n && /\s/.test(input[i] as string)) i++;
    if (i >= n) break;
    let negated = false;
    if (input[i] === '-' && i + 1 < n && !/\s/.test(input[i + 1] as string)) {
      negated = true;
      i++;
    }
    let text = '';
    let quotedWhole = false;
    let first = true;
    while (i < n && !/\s/.test(input[i] as string)) {
      if (input[i] === '"') {
        if (first) quotedWhole = true;
        const end = input.indexOf('"', i + 1);
        const stop = end < 0 ? n : end;
        text += input.slice(i + 1, stop);
        i = end < 0 ? n : end + 1;
      } else {
        text += input[i];
        i++;
      }
      first = false;
    }
    // A lone `-` (or an empty "") asks for nothing.
    if (text !== '' && !(text === '-' && !quotedWhole)) tokens.push({ text, negated, quotedWhole });
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Compiling predicates

type Compare = (n: number) => boolean;

/** `3`, `>3`, `>=3`, `<3`, `<=3`, `=3`; undefined when not that shape. */
function numberComparison(value: string): Compare | undefined {
  const m = /^(>=|<=|>|<|=)?(\d+)$/.exec(value);
  if (!m) return undefined;
  const k = Number(m[2]);
  switch (m[1]) {
    case '>':
      return (n) => n > k;
    case '>=':
      return (n) => n >= k;
    case '<':
      return (n) => n < k;
    case '<=':
      return (n) => n <= k;
    default:
      return (n) => n === k;
  }
}

function anyHop(test: (hop: Hop) => boolean): (chain: Chain) => boolean {
  return (chain) => {
    for (const hop of chain.hops) if (test(hop)) return true;
    return false;
  };
}

function statusTest(value: string): Compare | undefined {
  const alternatives: Compare[] = [];
  for (const part of value.split(',')) {
    const v = part.trim().toLowerCase();
    const cls = /^([1-5])xx$/.exec(v);
    let test: Compare | undefined;
    if (cls) {
      const lo = Number(cls[1]) * 100;
      test = (n) => n >= lo && n < lo + 100;
    } else if (/^(>=|<=|>|<|=)?\d{1,3}$/.test(v)) {
      test = numberComparison(v);
    }
    if (!test) return undefined;
    alternatives.push(test);
  }
  if (alternatives.length === 1) return alternatives[0];
  return (n) => alternatives.some((t) => t(n));
}

function hsts(hop: Hop): boolean {
  return hop.kind === 'internal' && hop.internalReason === 'HSTS';
}

/** The chain has a finding of this severity. */
function withSeverity(severity: Severity): (chain: Chain) => boolean {
  return (c) => c.findings.some((f) => f.severity === severity);
}

const IS_TESTS: Readonly<Record<string, (chain: Chain) => boolean>> = {
  redirect: (c) => c.summary.redirects > 0,
  internal: (c) => c.summary.internal,
  hsts: anyHop(hsts),
  cached: (c) => c.summary.fromCache,
  loop: (c) => c.summary.loop,
  error: withSeverity('error'),
  warning: withSeverity('warning'),
  info: withSeverity('info'),
  downgrade: (c) => c.summary.downgrade,
  'cross-origin': (c) => c.summary.crossOrigin,
  'method-changed': (c) => c.summary.methodChanged,
  pending: (c) => c.outcome.state === 'pending',
};

const IS_ALIASES: Readonly<Record<string, string>> = {
  redirected: 'redirect',
  cache: 'cached',
  'from-cache': 'cached',
  looping: 'loop',
  failed: 'error',
  crossorigin: 'cross-origin',
  cors: 'cross-origin',
  'method-change': 'method-changed',
  methodchanged: 'method-changed',
};

const KEYS = ['status', 'method', 'is', 'finding', 'host', 'type', 'hops'] as const;
type Key = (typeof KEYS)[number];

/** URL schemes and the like: `https://x` typed into the box is text, not an unknown filter. */
const NOT_A_KEY = /^(https?|wss?|ftp|file|data|blob|about|chrome|chrome-extension|moz-extension|view-source)$/;

/**
 * Whether the URL's host is `wanted` (lower-case) or a subdomain of it. Compares in place,
 * ASCII case-folded, without slicing: this runs for every URL of every chain on a keystroke.
 */
export function urlHostMatches(url: string, wanted: string): boolean {
  const scheme = url.indexOf('://');
  if (scheme < 0) return false;
  let start = scheme + 3;
  let authorityEnd = url.length;
  for (let i = start; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */ || c === 92 /* \ */) {
      authorityEnd = i;
      break;
    }
    if (c === 64 /* @ */) start = i + 1;
  }
  let end = authorityEnd;
  if (url.charCodeAt(start) === 91 /* [ */) {
    const close = url.indexOf(']', start);
    if (close >= 0 && close < authorityEnd) end = close + 1;
  } else {
    const colon = url.indexOf(':', start);
    if (colon >= 0 && colon < authorityEnd) end = colon;
  }
  const length = end - start;
  const n = wanted.length;
  if (length < n || (length > n && url.charCodeAt(end - n - 1) !== 46) /* . */) return false;
  for (let k = 0; k < n; k++) {
    let c = url.charCodeAt(end - n + k);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== wanted.charCodeAt(k)) return false;
  }
  return true;
}

/** `quick` finds `wanted` anywhere in the URL: most URLs fail it, and it is cheaper than the full check. */
function hostIn(url: string, wanted: string, quick: RegExp): boolean {
  return quick.test(url) && urlHostMatches(url, wanted);
}

function chainHasHost(chain: Chain, wanted: string, quick: RegExp): boolean {
  const hops = chain.hops;
  for (let i = 0; i < hops.length; i++) {
    const hop = hops[i] as Hop;
    if (hostIn(hop.url, wanted, quick)) return true;
    if (hop.redirectUrl && hop.redirectUrl !== hops[i + 1]?.url && hostIn(hop.redirectUrl, wanted, quick)) return true;
  }
  return chain.pending !== undefined && hostIn(chain.pending.url, wanted, quick);
}

const IS_LIST =
  'is:redirect, is:internal, is:hsts, is:cached, is:loop, is:error, is:warning, is:info, is:downgrade, is:cross-origin, is:method-changed, is:pending';

/** Compiles one key:value into a test, or returns the message to show. */
function compile(key: Key, value: string): ((chain: Chain) => boolean) | string {
  if (value === '')
    return `${key}: needs a value, for example ${FILTER_HELP.find((h) => h.syntax.startsWith(`${key}:`))?.syntax ?? `${key}:…`}.`;
  switch (key) {
    case 'status': {
      const test = statusTest(value);
      if (!test) return `Unknown filter status:${value}. Try status:404, status:3xx or status:>=400.`;
      return anyHop((hop) => test(hop.statusCode));
    }
    case 'method': {
      const methods = value.split(',').map((m) => m.trim().toUpperCase());
      if (methods.some((m) => !/^[A-Z][A-Z0-9_-]*$/.test(m))) {
        return `Unknown filter method:${value}. Try method:POST or method:GET.`;
      }
      const wanted = new Set(methods);
      return (chain) => {
        for (const hop of chain.hops) if (wanted.has(hop.method)) return true;
        return chain.pending !== undefined && wanted.has(chain.pending.method.toUpperCase());
      };
    }
    case 'is': {
      const name = value.toLowerCase();
      const test = IS_TESTS[IS_ALIASES[name] ?? name];
      if (!test) return `Unknown filter is:${value}. Try ${IS_LIST}.`;
      return test;
    }
    case 'finding': {
      const rules = value.split(',').map((r) => r.trim().toLowerCase());
      const unknown = rules.filter((r) => !isRuleId(r));
      if (unknown.length)
        return `Unknown rule ${unknown.join(', ')} in finding:${value}. The rules: ${RULE_IDS.join(', ')}.`;
      const wanted = new Set(rules);
      return (c) => c.findings.some((f) => wanted.has(f.rule));
    }
    case 'host': {
      const wanted = value
        .toLowerCase()
        .replace(/^\*?\./, '')
        .replace(/\.$/, '');
      if (!/^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)$/.test(wanted)) {
        return `Unknown filter host:${value}. Give a host name such as host:example.com (subdomains match too).`;
      }
      const quick = literal(wanted);
      return (chain) => chainHasHost(chain, wanted, quick);
    }
    case 'type': {
      const types = new Set<string>();
      for (const part of value.split(',')) {
        const mapped = RESOURCE_TYPE_WORDS[part.trim().toLowerCase()];
        if (!mapped) {
          return `Unknown filter type:${part}. Try type:document, type:xhr, type:script, type:stylesheet, type:image, type:font, type:media, type:other.`;
        }
        for (const t of mapped) types.add(t);
      }
      return (chain) => types.has(chain.type);
    }
    case 'hops': {
      const test = numberComparison(value);
      if (!test) return `Unknown filter hops:${value}. Give a number, for example hops:>3 or hops:2.`;
      return (chain) => test(chain.hops.length);
    }
  }
}

export function parseFilter(input: string): ChainFilter {
  const filter: ChainFilter = { text: [], negText: [], predicates: [], errors: [] };
  for (const token of tokenize(input)) {
    const colon = token.quotedWhole ? -1 : token.text.indexOf(':');
    const rawKey = colon > 0 ? token.text.slice(0, colon) : '';
    const key = rawKey.toLowerCase();
    if ((KEYS as readonly string[]).includes(key)) {
      const value = token.text.slice(colon + 1).trim();
      const compiled = compile(key as Key, value);
      if (typeof compiled === 'string') filter.errors.push(compiled);
      else filter.predicates.push({ key, value, negated: token.negated, test: compiled });
      continue;
    }
    // `foo:bar` looks like a filter the user mistyped; `localhost:8080`, `https://…` and
    // `a.b:c` are text to look for.
    const value = colon > 0 ? token.text.slice(colon + 1) : '';
    if (/^[a-z][a-z-]*$/i.test(rawKey) && !NOT_A_KEY.test(key) && !/^\d*$/.test(value) && !value.startsWith('/')) {
      filter.errors.push(
        `Unknown filter ${token.negated ? '-' : ''}${token.text}. Filters: ${KEYS.map((k) => `${k}:`).join(', ')}.`,
      );
      continue;
    }
    (token.negated ? filter.negText : filter.text).push(token.text.toLowerCase());
  }
  return filter;
}

/**
 * Case-insensitive search for a literal, for a host and for a word `chainSearchText` cannot
 * serve: it lower-cases nothing (lower-casing every URL on every keystroke costs more than the
 * search itself).
 */
function literal(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
}

/**
 * A word of the filter, compiled once. An ASCII word without a line break is looked for with
 * `includes` in the chain's search text; any other word with a case-insensitive search per URL.
 */
interface Word {
  plain: string | undefined;
  search: RegExp;
}

const NOT_ASCII = /\P{ASCII}/u;

/** The compiled words of a filter, keyed by its arrays: a parsed filter is not changed afterwards. */
const compiledWords = new WeakMap<readonly string[], Word[]>();

function wordsOf(words: readonly string[]): Word[] {
  let compiled = compiledWords.get(words);
  if (!compiled) {
    compiled = words.map((word) => ({
      plain: word.includes('\n') || NOT_ASCII.test(word) ? undefined : word,
      search: literal(word),
    }));
    compiledWords.set(words, compiled);
  }
  return compiled;
}

const searchTexts = new WeakMap<Chain, string>();

/**
 * Every URL a word is looked for in (hop, redirect target, request under way), one a line, with
 * ASCII letters lower-cased: made once per chain (the panel makes it as it analyzes), so a
 * keystroke over 50,000 chains is one `includes` each instead of a search per URL. Exactly what
 * the per-URL search finds for an ASCII word: a case-insensitive search (without the u flag)
 * folds no other character to an ASCII letter, and a word without a line break cannot match
 * across two URLs.
 */
export function chainSearchText(chain: Chain): string {
  let text = searchTexts.get(chain);
  if (text === undefined) {
    const joined = chainUrls(chain).join('\n');
    text = NOT_ASCII.test(joined) ? joined.replace(/[A-Z]+/g, (s) => s.toLowerCase()) : joined.toLowerCase();
    searchTexts.set(chain, text);
  }
  return text;
}

/**
 * Whether any URL of the chain (hop, redirect target, request under way) contains the word;
 * `text`: the chain's search text, when the caller keeps it at hand.
 */
function chainHasWord(chain: Chain, word: Word, text: string | undefined): boolean {
  if (word.plain !== undefined) return (text ?? chainSearchText(chain)).includes(word.plain);
  return chainUrls(chain).some((url) => word.search.test(url));
}

/** The URLs a chain is searched by: each hop's, its redirect target when not the next hop's, the request under way. */
function chainUrls(chain: Chain): string[] {
  const urls: string[] = [];
  const hops = chain.hops;
  for (let i = 0; i < hops.length; i++) {
    const hop = hops[i] as Hop;
    urls.push(hop.url);
    // A redirect target is normally the next hop's URL, already there.
    if (hop.redirectUrl && hop.redirectUrl !== hops[i + 1]?.url) urls.push(hop.redirectUrl);
  }
  if (chain.pending !== undefined) urls.push(chain.pending.url);
  return urls;
}

/**
 * The filter as one test, its words compiled once, for a loop over many chains; it takes each
 * chain's `chainSearchText` when the caller keeps them at hand (a list of 50,000 chains does).
 */
export function chainMatcher(filter: ChainFilter): (chain: Chain, searchText?: string) => boolean {
  const { predicates } = filter;
  const words = wordsOf(filter.text);
  const negWords = wordsOf(filter.negText);
  return (chain, text) => {
    for (const p of predicates) if (p.test(chain) === p.negated) return false;
    for (const word of words) if (!chainHasWord(chain, word, text)) return false;
    for (const word of negWords) if (chainHasWord(chain, word, text)) return false;
    return true;
  };
}

export function matchesChain(filter: ChainFilter, chain: Chain): boolean {
  return chainMatcher(filter)(chain);
}
