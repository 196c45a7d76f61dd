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
  // No query, no parameters: most hops, and parsing the URL is the dearest step of an entry.
  if (!url.includes('?')) return [];
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

/**
 * A URL as the file writes it (redacted when sanitized, then RFC 3986), once per distinct URL
 * of an export: a hop's URL is also the previous hop's redirect target and is quoted by the
 * findings, so most URLs are written three times or more.
 */
function urlWriter(sanitize: boolean): (url: string) => string {
  const written = new Map<string, string>();
  return (url) => {
    let out = written.get(url);
    if (out === undefined) {
      out = uriForHar(sanitize ? redactUrl(url) : url);
      written.set(url, out);
    }
    return out;
  };
}

function iso(ms: number): string {
  return new Date(Number.isFinite(ms) ? ms : 0).toISOString();
}

/** The hop's headers as they are: the model's headers are already `{ name, value }`, nothing to copy. */
function harHeaders(headers: readonly Header[], sanitize: boolean): HarHeader[] {
  return sanitize ? sanitizeHeaders(headers) : (headers as Header[]);
}

/**
 * The findings of a chain as written to the file: their sentences quote the chain's URLs, so
 * they quote them as the entries do (RFC 3986, redacted when sanitized).
 */
function findingsForHar(
  chain: AnalyzedChain,
  rules: RuleSettings | undefined,
  write: (url: string) => string,
): Finding[] {
  const findings = rules ? findingsOf(chain, rules) : chain.findings;
  if (!findings.length) return findings;
  const urls = new Map<string, string>();
  for (const h of chain.hops) {
    for (const url of [h.url, h.redirectUrl]) {
      const written = write(url);
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

/** What an entry says about one hop, computed once for either form of the entry (object, text). */
interface EntryFacts {
  pageref: string | undefined;
  startedDateTime: string;
  time: number;
  method: string;
  url: string;
  httpVersion: string;
  requestHeaders: HarHeader[];
  queryString: QueryString[];
  status: number;
  statusText: string;
  responseHeaders: HarHeader[];
  mimeType: string;
  redirectURL: string;
  error: string | undefined;
  resourceType: ReturnType<typeof resourceTypeForHar>;
  hopscope: HarHopscopeEntry;
  ip: string | undefined;
  fromCache: boolean;
  initiator: string | undefined;
}

function entryFacts(
  chain: AnalyzedChain,
  hop: AnalyzedHop,
  sanitize: boolean,
  findings: Finding[],
  write: (url: string) => string,
  pageref: string | undefined,
): EntryFacts {
  const url = write(hop.url);
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
  if (findings.length) {
    const mine = findings.filter((f) => f.hop === hop.index);
    if (mine.length) hopscope.findings = mine;
  }
  return {
    pageref,
    startedDateTime: iso(hop.startTime),
    time: Math.max(0, hop.endTime - hop.startTime),
    method: hop.method,
    url,
    httpVersion: hop.httpVersion || 'unknown',
    requestHeaders: harHeaders(hop.requestHeaders, sanitize),
    queryString: queryString(url),
    status: hop.statusCode,
    statusText: hop.statusText,
    responseHeaders: harHeaders(hop.responseHeaders, sanitize),
    mimeType: getHeader(hop.responseHeaders, 'content-type') ?? 'x-unknown',
    redirectURL: write(hop.redirectUrl),
    error: hop.error || undefined,
    resourceType: resourceTypeForHar(chain.type),
    hopscope,
    ip: hop.ip ? hop.ip.replace(/^\[|\]$/g, '') : undefined,
    fromCache: Boolean(hop.fromCache),
    initiator: chain.initiator ? (sanitize ? redactUrl(chain.initiator) : chain.initiator) : undefined,
  };
}

function entryObject(f: EntryFacts): HopscopeHarEntry {
  const entry: HopscopeHarEntry = {
    ...(f.pageref ? { pageref: f.pageref } : {}),
    startedDateTime: f.startedDateTime,
    time: f.time,
    request: {
      method: f.method,
      url: f.url,
      httpVersion: f.httpVersion,
      cookies: [],
      headers: f.requestHeaders,
      queryString: f.queryString,
      headersSize: -1,
      bodySize: f.method === 'GET' || f.method === 'HEAD' ? 0 : -1,
    },
    response: {
      status: f.status,
      statusText: f.statusText,
      httpVersion: f.httpVersion,
      cookies: [],
      headers: f.responseHeaders,
      content: { size: 0, mimeType: f.mimeType },
      redirectURL: f.redirectURL,
      headersSize: -1,
      bodySize: -1,
      ...(f.error ? { _error: f.error } : {}),
    },
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: f.time, receive: 0 },
    _resourceType: f.resourceType,
    _hopscope: f.hopscope,
  };
  if (f.ip) entry.serverIPAddress = f.ip;
  if (f.fromCache) entry._fromCache = 'disk';
  if (f.initiator) entry._initiator = { type: 'other', url: f.initiator };
  return entry;
}

// ——— The entry as text: exactly JSON.stringify(entryObject(f), null, 2) at its depth in the file ———
//
// Text goes into one list of small flat strings per batch, joined once: strings grown with `+`
// or templates are trees of pieces, and flattening those cost more than writing them.

const str = JSON.stringify;
/** A number as JSON writes it (non-finite numbers are null). */
const num = (n: number): string => (Number.isFinite(n) ? String(n) : 'null');

const P = '\n        '; // a key of the entry
const Q = '\n          '; // a key of an object in the entry
const R = '\n            '; // an item of a list in such an object

/** `[ { name, value }, … ]` as the value of a key at depth Q. */
function namedList(out: string[], list: readonly { name: string; value: string }[]): void {
  if (!list.length) {
    out.push('[]');
    return;
  }
  out.push('[');
  for (let i = 0; i < list.length; i++) {
    const h = list[i] as { name: string; value: string };
    out.push(i ? ',' : '', R, '{', R, '  "name": ', str(h.name), ',', R, '  "value": ', str(h.value), R, '}');
  }
  out.push(Q, ']');
}

/** Any JSON value as the value of a key at depth `pad` (a newline and the key's indent). */
function nested(value: unknown, pad: string): string {
  return str(value, null, 2).replaceAll('\n', pad);
}

/** `_hopscope`: the keys entryFacts sets, in the order it sets them. */
function hopscopeText(out: string[], h: HarHopscopeEntry, chainText: Map<object, string>): void {
  // The outcome is the chain's, shared by its hops: serialized once a chain.
  let outcome = chainText.get(h.chainOutcome);
  if (outcome === undefined) {
    outcome = nested(h.chainOutcome, Q);
    chainText.set(h.chainOutcome, outcome);
  }
  out.push(
    '{',
    Q,
    '"chainId": ',
    str(h.chainId),
    ',',
    Q,
    '"hopIndex": ',
    num(h.hopIndex),
    ',',
    Q,
    '"hopCount": ',
    num(h.hopCount),
    ',',
    Q,
    '"kind": ',
    str(h.kind),
    ',',
    Q,
    '"cache": {',
    Q,
    '  "verdict": ',
    str(h.cache.verdict),
    ',',
    Q,
    '  "reason": ',
    str(h.cache.reason),
    Q,
    '},',
    Q,
    '"crossOrigin": ',
    String(h.crossOrigin),
    ',',
    Q,
    '"downgrade": ',
    String(h.downgrade),
    ',',
    Q,
    '"chainOutcome": ',
    outcome,
    ',',
    Q,
    '"tabId": ',
    num(h.tabId),
    ',',
    Q,
    '"frameId": ',
    num(h.frameId),
  );
  if (h.internalReason !== undefined) out.push(',', Q, '"internalReason": ', str(h.internalReason));
  if (h.methodChange !== undefined) out.push(',', Q, '"methodChange": ', nested(h.methodChange, Q));
  if (h.repeatsHop !== undefined) out.push(',', Q, '"repeatsHop": ', num(h.repeatsHop));
  if (h.clientRedirect !== undefined) out.push(',', Q, '"clientRedirect": ', nested(h.clientRedirect, Q));
  if (h.inferred !== undefined) out.push(',', Q, '"inferred": true');
  if (h.findings !== undefined) out.push(',', Q, '"findings": ', nested(h.findings, Q));
  out.push(P, '}');
}

/** One entry of the file (entries sit at depth 3: their keys are indented by 8 spaces). */
function entryText(out: string[], f: EntryFacts, chainText: Map<object, string>): void {
  out.push('      {');
  if (f.pageref) out.push(P, '"pageref": ', str(f.pageref), ',');
  const time = num(f.time);
  out.push(P, '"startedDateTime": ', str(f.startedDateTime), ',', P, '"time": ', time, ',');
  out.push(P, '"request": {', Q, '"method": ', str(f.method), ',', Q, '"url": ', str(f.url), ',');
  out.push(Q, '"httpVersion": ', str(f.httpVersion), ',', Q, '"cookies": [],', Q, '"headers": ');
  namedList(out, f.requestHeaders);
  out.push(',', Q, '"queryString": ');
  namedList(out, f.queryString);
  out.push(',', Q, '"headersSize": -1,', Q, '"bodySize": ', f.method === 'GET' || f.method === 'HEAD' ? '0' : '-1');
  out.push(P, '},', P, '"response": {', Q, '"status": ', num(f.status), ',', Q, '"statusText": ', str(f.statusText));
  out.push(',', Q, '"httpVersion": ', str(f.httpVersion), ',', Q, '"cookies": [],', Q, '"headers": ');
  namedList(out, f.responseHeaders);
  out.push(',', Q, '"content": {', Q, '  "size": 0,', Q, '  "mimeType": ', str(f.mimeType), Q, '},');
  out.push(Q, '"redirectURL": ', str(f.redirectURL), ',', Q, '"headersSize": -1,', Q, '"bodySize": -1');
  if (f.error) out.push(',', Q, '"_error": ', str(f.error));
  out.push(P, '},', P, '"cache": {},', P, '"timings": {', Q, '"blocked": -1,', Q, '"dns": -1,', Q, '"connect": -1,');
  out.push(Q, '"ssl": -1,', Q, '"send": 0,', Q, '"wait": ', time, ',', Q, '"receive": 0', P, '},');
  out.push(P, '"_resourceType": ', str(f.resourceType), ',', P, '"_hopscope": ');
  hopscopeText(out, f.hopscope, chainText);
  if (f.ip) out.push(',', P, '"serverIPAddress": ', str(f.ip));
  if (f.fromCache) out.push(',', P, '"_fromCache": "disk"');
  if (f.initiator) out.push(',', P, '"_initiator": {', Q, '"type": "other",', Q, '"url": ', str(f.initiator), P, '}');
  out.push('\n      }');
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

/** The log without its entries, in the key order of the file, and the entries, made on demand. */
function harParts(chains: readonly Chain[], options: HarExportOptions) {
  const sanitize = !options.includeSensitive;
  const analyzed = chains.map(analyze);
  const write = urlWriter(sanitize);
  const browser = options.browser ?? browserOfChains(chains);
  const { pages, pageOf } = pagesOf(analyzed, sanitize ? redactUrl : (u) => u);
  function* entries(): Generator<EntryFacts> {
    for (const chain of analyzed) {
      const findings = findingsForHar(chain, options.rules, write);
      const pageref = pageOf(chain);
      for (const hop of chain.hops) yield entryFacts(chain, hop, sanitize, findings, write, pageref);
    }
  }
  const head = {
    version: '1.2',
    creator: { name: 'Hopscope', version: options.creatorVersion ?? HOPSCOPE_VERSION },
    ...(browser ? { browser: { ...browser } } : {}),
    pages,
  };
  const tail: { comment: string; _hopscope?: { httpsUpgrades: boolean } } = {
    comment: sanitize
      ? 'Sanitized by Hopscope: Cookie, Set-Cookie, Authorization and Proxy-Authorization headers removed; secret-looking URL parameters redacted.'
      : 'Exported by Hopscope with sensitive data included.',
  };
  if (options.httpsUpgrades !== undefined) tail._hopscope = { httpsUpgrades: options.httpsUpgrades };
  return { head, entries, tail };
}

/** One entry per hop, chains in the order given, hops of a chain in order; one page per journey. */
export function chainsToHar(chains: readonly Chain[], options: HarExportOptions = {}): Har {
  const { head, entries, tail } = harParts(chains, options);
  const list: Entry[] = [];
  for (const facts of entries()) list.push(entryObject(facts));
  return { log: { ...head, entries: list, ...tail } };
}

/** Entries per piece of text: a few hundred kB, so that a caller may write each as it comes. */
const ENTRY_BATCH = 256;
const ENTRIES_SLOT = '\u0000hopscope-entries\u0000';

/**
 * The HAR file's text in pieces, exactly `JSON.stringify(chainsToHar(chains, options), null, 2)`
 * and a newline, without making the entry objects: each entry is written as text straight from
 * the hop (a large export spent most of its time making objects only to serialize them).
 */
export function* harChunks(chains: readonly Chain[], options: HarExportOptions = {}): Generator<string> {
  const { head, entries, tail } = harParts(chains, options);
  const frame = JSON.stringify({ log: { ...head, entries: ENTRIES_SLOT, ...tail } }, null, 2);
  const slot = frame.indexOf(JSON.stringify(ENTRIES_SLOT));
  yield frame.slice(0, slot);
  // Each piece is joined into one flat string: text grown by `+=` is a tree of small strings
  // that all live until the end, and the garbage collector then spent more than the writing.
  let batch: string[] = [];
  let count = 0;
  const chainText = new Map<object, string>();
  for (const facts of entries()) {
    batch.push(count ? ',\n' : '[\n');
    entryText(batch, facts, chainText);
    if (++count % ENTRY_BATCH === 0) {
      yield batch.join('');
      batch = [];
    }
  }
  if (batch.length) yield batch.join('');
  yield count ? '\n    ]' : '[]';
  yield `${frame.slice(slot + JSON.stringify(ENTRIES_SLOT).length)}\n`;
}

/** The HAR file's text, as every export writes it (panel, popup, `hopscope trace --har`). */
export function harText(chains: readonly Chain[], options: HarExportOptions = {}): string {
  let text = '';
  for (const chunk of harChunks(chains, options)) text += chunk;
  return text;
}
