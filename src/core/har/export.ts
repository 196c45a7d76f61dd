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
import { harUri } from './uri.ts';

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

/** The query parameters of a URI; `parsed`, when given, is that URI parsed. */
function queryString(uri: string, parsed?: URL): QueryString[] {
  // No query, no parameters: most hops, and parsing the URL is the dearest step of an entry.
  const q = uri.indexOf('?');
  if (q < 0) return [];
  const hash = uri.indexOf('#', q);
  const query = uri.slice(q + 1, hash < 0 ? undefined : hash);
  // Nothing to decode (no %XX, no + for a space): the pairs as they are, as URLSearchParams reads them.
  if (parsed && !query.includes('%') && !query.includes('+')) {
    const out: QueryString[] = [];
    for (const pair of query.split('&')) {
      if (!pair) continue;
      const eq = pair.indexOf('=');
      out.push(eq < 0 ? { name: pair, value: '' } : { name: pair.slice(0, eq), value: pair.slice(eq + 1) });
    }
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

function exportWriter(sanitize: boolean): ExportWriter {
  const urls = new Map<string, WrittenUrl>();
  const redacted = new Map<string, string>();
  const redact = (url: string): string => {
    if (!sanitize) return url;
    let out = redacted.get(url);
    if (out === undefined) {
      out = redactUrl(url);
      redacted.set(url, out);
    }
    return out;
  };
  // The URL asked for last: a hop's redirect target is, most often, the next hop's URL.
  let lastUrl = '';
  let lastWritten: WrittenUrl = { uri: '', query: [] };
  return {
    url(url) {
      if (url === lastUrl) return lastWritten;
      let written = urls.get(url);
      if (written === undefined) {
        const { uri, parsed } = harUri(redact(url));
        written = { uri, query: queryString(uri, parsed) };
        urls.set(url, written);
      }
      lastUrl = url;
      lastWritten = written;
      return written;
    },
    redact,
    headers: sanitize ? headerSanitizer(redact) : (list) => list as Header[],
  };
}

function iso(ms: number): string {
  return new Date(Number.isFinite(ms) ? ms : 0).toISOString();
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
  // The chain's URLs that the file writes otherwise, longest first: one may start with another.
  const rewritten = new Map<string, string>();
  for (const h of chain.hops) {
    for (const url of [h.url, h.redirectUrl]) {
      const written = url ? write(url) : url;
      if (written !== url) rewritten.set(url, written);
    }
  }
  const longestFirst = [...rewritten].sort(([a], [b]) => b.length - a.length);
  for (const f of findings) {
    let message = f.message;
    for (const [url, written] of longestFirst) if (message.includes(url)) message = message.split(url).join(written);
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
  /** The chain's findings as written, by hop. */
  findings: Array<Finding[] | undefined>;
  pageref: string | undefined;
  resourceType: ReturnType<typeof resourceTypeForHar>;
  initiator: { type: 'other'; url: string } | undefined;
}

function entryOf(c: ChainFacts, hop: AnalyzedHop, write: ExportWriter): HopscopeHarEntry {
  const { chain, findings } = c;
  const url = write.url(hop.url);
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
      redirectURL: write.url(hop.redirectUrl).uri,
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
      findings: findings[hop.index],
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
  }
  /** A subresource's page: the journey its tab was on when it started. */
  const pageOf = (chain: AnalyzedChain): string | undefined => {
    const own = pageOfChain.get(chain.id);
    if (own || chain.tabId < 0) return own;
    let page: string | undefined;
    for (const journey of journeys) {
      if (journey.startTime > chain.startTime) break;
      if (journey.tabId === chain.tabId) page = pageOfChain.get(journey.id);
    }
    return page;
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

/**
 * One entry of the file, made when `JSON.stringify` reaches it (its `toJSON`): the whole file is
 * then one call of the native serializer, and each entry object dies as soon as it is written.
 */
class HopEntry {
  constructor(
    private readonly chain: ChainFacts,
    private readonly hop: AnalyzedHop,
    private readonly write: ExportWriter,
  ) {}
  toJSON(): HopscopeHarEntry {
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
  const entries: HopEntry[] = [];
  for (const chain of analyzed) {
    const initiator = chain.initiator && write.redact(chain.initiator);
    const c: ChainFacts = {
      chain,
      findings: findingsForHar(chain, options.rules, (url) => write.url(url).uri),
      pageref: pageOf(chain),
      resourceType: resourceTypeForHar(chain.type),
      initiator: initiator ? { type: 'other', url: initiator } : undefined,
    };
    for (const hop of chain.hops) entries.push(new HopEntry(c, hop, write));
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
  const log = harLog(chains, options);
  return { log: { ...log, entries: log.entries.map((e) => e.toJSON()) } };
}

/** The HAR file's text, as every export writes it (panel, popup, `hopscope trace --har`). */
export function harText(chains: readonly Chain[], options: HarExportOptions = {}): string {
  return `${JSON.stringify({ log: harLog(chains, options) }, null, 2)}\n`;
}
