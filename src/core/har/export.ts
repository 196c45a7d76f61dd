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
import { redactUrl, sanitizeHeaders } from './redact.ts';
import type { HarHopscopeEntry } from './schema.ts';
import { uriForHar } from './uri.ts';

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

export type HopscopeHarEntry = Entry & { _hopscope: HarHopscopeEntry };

function queryString(url: string): QueryString[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

function iso(ms: number): string {
  return new Date(Number.isFinite(ms) ? ms : 0).toISOString();
}

function harHeaders(headers: readonly Header[], sanitize: boolean): HarHeader[] {
  const list = sanitize ? sanitizeHeaders(headers) : headers;
  return list.map((h) => ({ name: h.name, value: h.value }));
}

/**
 * The findings of a chain as written to the file: their sentences quote the chain's URLs, so
 * they quote them as the entries do (RFC 3986, redacted when sanitized).
 */
function findingsForHar(chain: AnalyzedChain, rules: RuleSettings | undefined, sanitize: boolean): Finding[] {
  const findings = rules ? findingsOf(chain, rules) : chain.findings;
  const urls = new Map<string, string>();
  for (const h of chain.hops) {
    for (const url of [h.url, h.redirectUrl]) {
      const written = uriForHar(sanitize ? redactUrl(url) : url);
      if (url && written !== url) urls.set(url, written);
    }
  }
  if (!urls.size) return findings;
  const longestFirst = [...urls].sort((a, b) => b[0].length - a[0].length);
  return findings.map((f) => ({
    ...f,
    message: longestFirst.reduce((text, [raw, written]) => text.split(raw).join(written), f.message),
  }));
}

function hopEntry(chain: AnalyzedChain, hop: AnalyzedHop, sanitize: boolean, findings: Finding[]): HopscopeHarEntry {
  const clean = sanitize ? redactUrl : (u: string) => u;
  const url = uriForHar(clean(hop.url));
  const httpVersion = hop.httpVersion || 'unknown';
  const time = Math.max(0, hop.endTime - hop.startTime);
  const mimeType = getHeader(hop.responseHeaders, 'content-type') ?? 'x-unknown';
  const hopscope: HarHopscopeEntry = {
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
  };
  if (hop.internalReason) hopscope.internalReason = hop.internalReason;
  if (hop.methodChange) hopscope.methodChange = hop.methodChange;
  if (hop.repeatsHop !== undefined) hopscope.repeatsHop = hop.repeatsHop;
  if (hop.clientRedirect) hopscope.clientRedirect = hop.clientRedirect;
  if (hop.inferred) hopscope.inferred = true;
  const mine = findings.filter((f) => f.hop === hop.index);
  if (mine.length) hopscope.findings = mine;
  const entry: HopscopeHarEntry = {
    startedDateTime: iso(hop.startTime),
    time,
    request: {
      method: hop.method,
      url,
      httpVersion,
      cookies: [],
      headers: harHeaders(hop.requestHeaders, sanitize),
      queryString: queryString(url),
      headersSize: -1,
      bodySize: hop.method === 'GET' || hop.method === 'HEAD' ? 0 : -1,
    },
    response: {
      status: hop.statusCode,
      statusText: hop.statusText,
      httpVersion,
      cookies: [],
      headers: harHeaders(hop.responseHeaders, sanitize),
      content: { size: 0, mimeType },
      redirectURL: uriForHar(clean(hop.redirectUrl)),
      headersSize: -1,
      bodySize: -1,
      ...(hop.error ? { _error: hop.error } : {}),
    },
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: time, receive: 0 },
    _resourceType: resourceTypeForHar(chain.type),
    _hopscope: hopscope,
  };
  if (hop.ip) entry.serverIPAddress = hop.ip.replace(/^\[|\]$/g, '');
  if (hop.fromCache) entry._fromCache = 'disk';
  if (chain.initiator) entry._initiator = { type: 'other', url: clean(chain.initiator) };
  return entry;
}

/** The HAR file's text, as every export writes it (panel, popup, `hopscope trace --har`). */
export function harText(chains: readonly Chain[], options: HarExportOptions = {}): string {
  return `${JSON.stringify(chainsToHar(chains, options), null, 2)}\n`;
}

/** The file's pages: one per journey (main-frame chain), as DevTools writes one per navigation. */
function pagesOf(chains: readonly AnalyzedChain[], clean: (url: string) => string) {
  const journeys = chains.filter((c) => c.type === 'main_frame').sort((a, b) => a.startTime - b.startTime);
  const pages: Page[] = [];
  const pageOfChain = new Map<string, string>();
  for (const chain of journeys) {
    const id = `page_${pages.length + 1}`;
    const last = chain.hops.at(-1)?.url ?? chain.pending?.url ?? '';
    pages.push({
      id,
      startedDateTime: iso(chain.startTime),
      title: uriForHar(clean(last)),
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
  const names = new Set(chains.map((c) => c.browser));
  const [only] = names;
  if (names.size !== 1 || !only) return undefined;
  return { name: only === 'firefox' ? 'Firefox' : 'Chromium', version: '' };
}

/** One entry per hop, chains in the order given, hops of a chain in order; one page per journey. */
export function chainsToHar(chains: readonly Chain[], options: HarExportOptions = {}): Har {
  const sanitize = !options.includeSensitive;
  const analyzed = chains.map(analyze);
  const browser = options.browser ?? browserOfChains(chains);
  const { pages, pageOf } = pagesOf(analyzed, sanitize ? redactUrl : (u) => u);
  const entries: Entry[] = [];
  for (const chain of analyzed) {
    const findings = findingsForHar(chain, options.rules, sanitize);
    const pageref = pageOf(chain);
    for (const hop of chain.hops) {
      const entry = hopEntry(chain, hop, sanitize, findings);
      entries.push(pageref ? { pageref, ...entry } : entry);
    }
  }
  const log: Har['log'] & { _hopscope?: { httpsUpgrades: boolean } } = {
    version: '1.2',
    creator: { name: 'Hopscope', version: options.creatorVersion ?? HOPSCOPE_VERSION },
    ...(browser ? { browser: { ...browser } } : {}),
    pages,
    entries,
    comment: sanitize
      ? 'Sanitized by Hopscope: Cookie, Set-Cookie, Authorization and Proxy-Authorization headers removed; secret-looking URL parameters redacted.'
      : 'Exported by Hopscope with sensitive data included.',
  };
  if (options.httpsUpgrades !== undefined) log._hopscope = { httpsUpgrades: options.httpsUpgrades };
  return { log };
}
