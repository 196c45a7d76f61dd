/**
 * HAR 1.2 export (http://www.softwareishard.com/blog/har-12-spec/), following Chrome
 * DevTools' export conventions where they exist (`_fromCache`, `_resourceType`, `_initiator`,
 * `response._error`). Hopscope's own analysis travels in `_hopscope` fields, documented in the
 * README.
 */
import type { Entry, Har, Header as HarHeader, Page, QueryString } from 'har-format';
import {
  type AnalyzedChain,
  type AnalyzedHop,
  analyze,
  type Finding,
  findingsOf,
  type RuleSettings,
} from '../analyze/index.ts';
import type { Chain, Header } from '../model/chain.ts';
import { getHeader } from '../model/headers.ts';
import { resourceTypeForHar } from '../present/resource-types.ts';
import { headerSanitizer, redactUrl } from './redact.ts';
import type { HarHopscopeEntry } from './schema.ts';
import { forEachPair, harUri, memoized } from './uri.ts';

export type { HarHopscopeEntry } from './schema.ts';
export { uriForHar } from './uri.ts';

export const HOPSCOPE_VERSION = '0.1.0';

export interface HarExportOptions {
  /** Keep cookies, credentials and secret-looking URL parameters. Off by default. */
  includeSensitive?: boolean;
  creatorVersion?: string;
  /** Rule settings for the findings written to `_hopscope.findings` (defaults when absent). */
  rules?: RuleSettings;
  /** The browser that recorded the chains: `log.browser`. */
  browser?: { name: string; version: string };
  /** Whether Chrome's HTTPS-Upgrades were on while recording: `log._hopscope.httpsUpgrades`. */
  httpsUpgrades?: boolean;
}

export type HopscopeHarEntry = Entry & {
  /** Chrome DevTools' field for a request that failed: the net error. */
  response: { _error?: string };
  _hopscope: HarHopscopeEntry;
};

/**
 * The query parameters of a URI; `exact` when the URI is its own WHATWG `href` (so it parses),
 * `parsed` that URL when it was parsed.
 */
function queryString(uri: string, exact: boolean, parsed?: URL): QueryString[] {
  // No query, no parameters: most hops, and parsing the URL is the dearest step of an entry.
  const q = uri.indexOf('?');
  if (q < 0) return [];
  let end = uri.indexOf('#', q);
  if (end < 0) end = uri.length;
  // Nothing to decode (no %XX, no + for a space): the pairs as they are, as URLSearchParams reads
  // them, cut straight out of the URI (no copy of the query, no array of its pieces).
  const percent = uri.indexOf('%', q);
  const plus = uri.indexOf('+', q);
  if (exact && (percent < 0 || percent > end) && (plus < 0 || plus > end)) {
    const out: QueryString[] = [];
    forEachPair(uri, q + 1, end, (start, eq, amp) =>
      out.push(
        eq < 0
          ? { name: uri.slice(start, amp), value: '' }
          : { name: uri.slice(start, eq), value: uri.slice(eq + 1, amp) },
      ),
    );
    return out;
  }
  try {
    const out: QueryString[] = [];
    for (const [name, value] of (parsed ?? new URL(uri)).searchParams) out.push({ name, value });
    return out;
  } catch {
    return [];
  }
}

/** A URL as the file writes it (redacted when sanitized, then RFC 3986) and its query parameters. */
interface WrittenUrl {
  uri: string;
  query: QueryString[];
}

/**
 * What the entries of one export write, each worked out once per distinct value: a hop's URL is
 * also the previous hop's redirect target (and its Location header) and may be quoted by the
 * findings, and the same header names and URL-valued headers (Referer) come back on most hops.
 * Entries share what it returns: read-only.
 */
interface ExportWriter {
  url(url: string): WrittenUrl;
  /** A URL redacted when sanitized (`_initiator`, URL-valued headers). */
  redact(url: string): string;
  /** A message's headers, without credentials and with URL-valued ones redacted when sanitized. */
  headers(headers: readonly Header[]): HarHeader[];
}

/**
 * How many distinct URLs a writer remembers. URLs come back close together (a redirect target is
 * the next hop, a Referer the page just written, a finding quotes its own chain): a cache of the
 * whole export kept every URL of it alive to the end, and the garbage collector copied each.
 */
const CACHED_URLS = 4096;

function exportWriter(sanitize: boolean): ExportWriter {
  // The last URL redacted first: a redirect's Location is its target, redacted just before it.
  const redact = sanitize ? memoized(redactUrl, CACHED_URLS) : (url: string) => url;
  return {
    // The last URL first: a hop's redirect target is, most often, the next hop's URL.
    url: memoized((url): WrittenUrl => {
      const { uri, exact, parsed } = harUri(redact(url));
      return { uri, query: queryString(uri, exact === true, parsed) };
    }, CACHED_URLS),
    redact,
    headers: sanitize ? headerSanitizer(redact) : (list) => list as Header[],
  };
}

const DAY_MS = 86_400_000;
/** The last day written by `iso`: hops of one export mostly start on the same day. */
let isoDay = Number.NaN;
let isoDayText = '';
const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/**
 * `new Date(ms).toISOString()` (0 for a time that is not finite), with the date part made once
 * per day and the time of day by arithmetic: one `Date` per day instead of one per hop.
 */
export function iso(ms: number): string {
  const t = Number.isFinite(ms) ? Math.trunc(ms) : 0;
  const day = Math.floor(t / DAY_MS);
  // Outside years 0–9999 toISOString writes a sign and six digits: leave those to it.
  if (day < 0 || day >= 2_932_897) return new Date(t).toISOString();
  if (day !== isoDay) {
    isoDayText = new Date(day * DAY_MS).toISOString().slice(0, 11);
    isoDay = day;
  }
  let rest = t - day * DAY_MS;
  const milli = rest % 1000;
  rest = (rest - milli) / 1000;
  const s = rest % 60;
  rest = (rest - s) / 60;
  const m = rest % 60;
  const h = (rest - m) / 60;
  return `${isoDayText}${pad2(h)}:${pad2(m)}:${pad2(s)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

/**
 * The findings of a chain as written to the file, by hop: their sentences quote the chain's
 * URLs, so they quote them as the entries do (RFC 3986, redacted when sanitized).
 */
function findingsForHar(
  chain: AnalyzedChain,
  rules: RuleSettings | undefined,
  write: (url: string) => string,
): Array<Finding[] | undefined> {
  const byHop: Array<Finding[] | undefined> = [];
  const findings = rules ? findingsOf(chain, rules) : chain.findings;
  if (!findings.length) return byHop;
  for (const f of findings) {
    // The chain's URLs the sentence quotes that the file writes otherwise, longest first: one
    // may start with another. Most sentences quote none.
    const quoted: Array<[string, string]> = [];
    const quote = (url: string): void => {
      if (!url || !f.message.includes(url)) return;
      const written = write(url);
      if (written !== url && !quoted.some((q) => q[0] === url)) quoted.push([url, written]);
    };
    for (const h of chain.hops) {
      quote(h.url);
      if (h.redirectUrl) quote(h.redirectUrl);
    }
    let message = f.message;
    if (quoted.length) {
      quoted.sort((a, b) => b[0].length - a[0].length);
      for (const [url, written] of quoted) if (message.includes(url)) message = message.split(url).join(written);
    }
    const written = message === f.message ? f : { ...f, message };
    const mine = byHop[f.hop];
    if (mine) mine.push(written);
    else byHop[f.hop] = [written];
  }
  return byHop;
}

/** What every entry of one chain shares. */
interface ChainFacts {
  chain: AnalyzedChain;
  /** The rule settings of the export (the chain's own findings when absent). */
  rules: RuleSettings | undefined;
  /** The chain's findings as written, by hop: made when its first entry is written. */
  findings?: Array<Finding[] | undefined>;
  pageref: string | undefined;
  resourceType: ReturnType<typeof resourceTypeForHar>;
  initiator: { type: 'other'; url: string } | undefined;
}

function entryOf(c: ChainFacts, hop: AnalyzedHop, write: ExportWriter): HopscopeHarEntry {
  const { chain } = c;
  c.findings ??= findingsForHar(chain, c.rules, (u) => write.url(u).uri);
  const url = write.url(hop.url);
  // Before the response headers: their Location is this URL, then redacted already.
  const redirectURL = write.url(hop.redirectUrl).uri;
  const time = Math.max(0, hop.endTime - hop.startTime);
  const httpVersion = hop.httpVersion || 'unknown';
  // Every key in one literal, in the order of the file, an absent one as undefined (which
  // JSON.stringify leaves out): objects of one shape, made and serialized on V8's fast paths.
  return {
    pageref: c.pageref,
    startedDateTime: iso(hop.startTime),
    time,
    request: {
      method: hop.method,
      url: url.uri,
      httpVersion,
      cookies: [],
      headers: write.headers(hop.requestHeaders),
      queryString: url.query,
      headersSize: -1,
      bodySize: hop.method === 'GET' || hop.method === 'HEAD' ? 0 : -1,
    },
    response: {
      status: hop.statusCode,
      statusText: hop.statusText,
      httpVersion,
      cookies: [],
      headers: write.headers(hop.responseHeaders),
      content: { size: 0, mimeType: getHeader(hop.responseHeaders, 'content-type') ?? 'x-unknown' },
      redirectURL,
      headersSize: -1,
      bodySize: -1,
      _error: hop.error || undefined,
    },
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: time, receive: 0 },
    _resourceType: c.resourceType,
    _hopscope: {
      chainId: chain.id,
      hopIndex: hop.index,
      hopCount: chain.hops.length,
      kind: hop.kind,
      cache: { verdict: hop.cache.verdict, reason: hop.cache.reason },
      crossOrigin: hop.crossOrigin,
      downgrade: hop.downgrade,
      chainOutcome: chain.outcome,
      tabId: chain.tabId,
      frameId: chain.frameId,
      internalReason: hop.internalReason || undefined,
      methodChange: hop.methodChange || undefined,
      repeatsHop: hop.repeatsHop,
      clientRedirect: hop.clientRedirect || undefined,
      inferred: hop.inferred ? true : undefined,
      findings: c.findings[hop.index],
    },
    serverIPAddress: hop.ip ? ipForHar(hop.ip) : undefined,
    _fromCache: hop.fromCache ? 'disk' : undefined,
    _initiator: c.initiator,
  };
}

/** DevTools writes IPv6 addresses without brackets. */
function ipForHar(ip: string): string {
  return ip.replace(/^\[|\]$/g, '');
}

/** The file's pages: one per journey (main-frame chain), as DevTools writes one per navigation. */
function pagesOf(chains: readonly AnalyzedChain[], write: (url: string) => string) {
  const journeys = chains.filter((c) => c.type === 'main_frame').sort((a, b) => a.startTime - b.startTime);
  const pages: Page[] = [];
  const pageOfChain = new Map<string, string>();
  // Each tab's journeys, in time order: a subresource's page is found by halving, not a scan.
  const byTab = new Map<number, Array<{ startTime: number; page: string }>>();
  for (const chain of journeys) {
    const id = `page_${pages.length + 1}`;
    const last = chain.hops.at(-1)?.url ?? chain.pending?.url ?? '';
    pages.push({
      id,
      startedDateTime: iso(chain.startTime),
      title: write(last),
      pageTimings: { onContentLoad: -1, onLoad: -1 },
    });
    pageOfChain.set(chain.id, id);
    const tab = byTab.get(chain.tabId);
    if (tab) tab.push({ startTime: chain.startTime, page: id });
    else byTab.set(chain.tabId, [{ startTime: chain.startTime, page: id }]);
  }
  /** A subresource's page: the journey its tab was on when it started. */
  const pageOf = (chain: AnalyzedChain): string | undefined => {
    const own = pageOfChain.get(chain.id);
    if (own || chain.tabId < 0) return own;
    const tab = byTab.get(chain.tabId);
    if (!tab) return undefined;
    // The last journey of the tab that started no later than the chain.
    let lo = 0;
    let hi = tab.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((tab[mid] as { startTime: number }).startTime <= chain.startTime) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? tab[lo - 1]?.page : undefined;
  };
  return { pages, pageOf };
}

/**
 * `log.browser` when the caller did not name it: the browser that recorded every chain, by name
 * (its version is not in the chains), or none when they came from several or from elsewhere.
 */
function browserOfChains(chains: readonly Chain[]): { name: string; version: string } | undefined {
  const only = chains[0]?.browser;
  if (!only || chains.some((c) => c.browser !== only)) return undefined;
  return { name: only === 'firefox' ? 'Firefox' : 'Chromium', version: '' };
}

/** One entry of the file, made when it is about to be written. */
class PendingEntry {
  constructor(
    private readonly chain: ChainFacts,
    private readonly hop: AnalyzedHop,
    private readonly write: ExportWriter,
  ) {}
  make(): HopscopeHarEntry {
    return entryOf(this.chain, this.hop, this.write);
  }
}

/** The log in the key order of the file, with its entries made on demand. */
function harLog(chains: readonly Chain[], options: HarExportOptions) {
  const sanitize = !options.includeSensitive;
  const analyzed = chains.map(analyze);
  const write = exportWriter(sanitize);
  const browser = options.browser ?? browserOfChains(chains);
  const { pages, pageOf } = pagesOf(analyzed, (url) => write.url(url).uri);
  const entries: PendingEntry[] = [];
  for (const chain of analyzed) {
    const initiator = chain.initiator && write.redact(chain.initiator);
    const c: ChainFacts = {
      chain,
      rules: options.rules,
      pageref: pageOf(chain),
      resourceType: resourceTypeForHar(chain.type),
      initiator: initiator ? { type: 'other', url: initiator } : undefined,
    };
    for (const hop of chain.hops) entries.push(new PendingEntry(c, hop, write));
  }
  const log = {
    version: '1.2',
    creator: { name: 'Hopscope', version: options.creatorVersion ?? HOPSCOPE_VERSION },
    ...(browser ? { browser: { ...browser } } : {}),
    pages,
    entries,
    comment: sanitize
      ? 'Sanitized by Hopscope: Cookie, Set-Cookie, Authorization and Proxy-Authorization headers removed; secret-looking URL parameters redacted.'
      : 'Exported by Hopscope with sensitive data included.',
  };
  return options.httpsUpgrades === undefined ? log : { ...log, _hopscope: { httpsUpgrades: options.httpsUpgrades } };
}

/**
 * One entry per hop, chains in the order given, hops of a chain in order; one page per journey.
 * The entries share objects with the chains and with each other (read them, do not change
 * them), and an absent optional field is a key whose value is undefined, as JSON leaves it out.
 */
export function chainsToHar(chains: readonly Chain[], options: HarExportOptions = {}): Har {
  return withEntries(harLog(chains, options));
}

/** The HAR of a log, its entries made. */
function withEntries(log: ReturnType<typeof harLog>): Har {
  return { log: { ...log, entries: log.entries.map((e) => e.make()) } };
}

/** How many entries are made and serialized at a time (npm run bench: 32–256 alike). */
const ENTRIES_PER_PIECE = 64;
/** What `JSON.stringify({ log: { entries } }, null, 2)` writes around the entries. */
const PIECE_OPEN = '{\n  "log": {\n    "entries": [\n';
const PIECE_CLOSE = '\n    ]\n  }\n}';

/**
 * The HAR file's text, as every export writes it (panel, popup, `hopscope trace --har`): exactly
 * `JSON.stringify({ log }, null, 2)` and a line break, made in pieces. The log around the entries
 * is serialized once with a placeholder in their place; the entries are made and serialized
 * ENTRIES_PER_PIECE at a time, each piece inside a `{ log: { entries } }` of its own, so they sit
 * at the file's indentation, and cut out of it. Each piece's objects die young, and the native
 * serializer never calls back into JavaScript.
 */
export function harText(chains: readonly Chain[], options: HarExportOptions = {}): string {
  const log = harLog(chains, options);
  const whole = () => `${JSON.stringify(withEntries(log), null, 2)}\n`;
  if (!log.entries.length) return whole();
  const placeholder = `hopscope-entries-${Math.random().toString(36).slice(2)}`;
  const frame = JSON.stringify({ log: { ...log, entries: [placeholder] } }, null, 2);
  const at = frame.indexOf(`"${placeholder}"`);
  // The placeholder stands alone on its line, 6 spaces in; anywhere else (a page title that holds
  // it by chance), the file is made in one go.
  if (at < 0 || frame.lastIndexOf(`"${placeholder}"`) !== at || !frame.startsWith('\n      ', at - 7)) return whole();
  const parts: string[] = [frame.slice(0, at - 6)];
  const pending = log.entries;
  for (let start = 0; start < pending.length; start += ENTRIES_PER_PIECE) {
    const end = Math.min(pending.length, start + ENTRIES_PER_PIECE);
    const piece: HopscopeHarEntry[] = [];
    for (let i = start; i < end; i++) piece.push((pending[i] as PendingEntry).make());
    const text = JSON.stringify({ log: { entries: piece } }, null, 2);
    if (start) parts.push(',\n');
    parts.push(text.slice(PIECE_OPEN.length, text.length - PIECE_CLOSE.length));
  }
  parts.push(frame.slice(at + placeholder.length + 2), '\n');
  return parts.join('');
}
