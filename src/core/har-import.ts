/**
 * HAR import: a HAR file from any tool in, redirect chains out.
 *
 * Hopscope's own exports carry `_hopscope` fields and are rebuilt exactly as exported, so
 * export → import → export gives the same document. Any other HAR has no field that links the
 * hops of one request, so entries are linked by redirect target: a hop's target is looked up
 * among the later entries. What real files throw at this (see shared/hars/INDEX.md): a
 * `redirectURL` that is empty, relative, resolved or percent-decoded while `Location` is not;
 * protocol-relative and upper-case-scheme targets; a missing trailing slash; URLs visited twice
 * in one chain; chains cut off by the tool; unsorted entries; `time: null`; a UTF-8 BOM.
 *
 * The file is untrusted: nothing in it is evaluated, strings stay strings, header values are
 * bounded like recorded ones, and no code here recurses on the parsed data.
 */
import * as z from 'zod/mini';
import {
  cacheVerdict,
  cachingHeaders,
  describeMethodChange,
  isCrossOrigin,
  isDowngrade,
  isRedirectStatus,
  summarize,
} from './analysis.ts';
import { getHeader, toHeaders } from './headers.ts';
import type { CacheVerdictKind, Chain, ChainOutcome, Header, Hop, HopKind, MethodChange } from './types.ts';

// Extension pages forbid eval (MV3 CSP): without this, zod probes `new Function` when it builds
// an object schema, which the panel reports as a CSP violation.
z.config({ jitless: true });

/** A file the user picked cannot be imported; the message says why and what to do. */
export class HarImportError extends Error {
  override name = 'HarImportError';
}

export interface HarImportResult {
  /** Hopscope's chains first (file order), then chains linked from other entries (by start time). */
  chains: Chain[];
  /** Entries in the file, usable or not. */
  entries: number;
  /** Entries skipped and other things a user should know; one sentence each. */
  warnings: string[];
  /** `log.creator` name and version, e.g. `WebInspector 537.36`; '' when missing. */
  creator: string;
}

export interface HarImportOptions {
  /** The file name, used in error messages. */
  source?: string;
}

/** Most entries read from one file; a larger file is refused rather than freezing the panel. */
export const MAX_IMPORT_ENTRIES = 200_000;
/** The error of a chain whose last redirect target is not among the file's entries. */
export const NOT_IN_HAR = 'not in HAR';
/** Skipped entries named one by one in the warnings; the rest are counted. */
const MAX_ENTRY_WARNINGS = 20;
/** Longest error text kept from a file (`response._error`). */
const MAX_ERROR_TEXT = 500;

// ——— Schemas: lenient; only what linking needs is required, everything else falls back ———

const looseString = z.catch(z.string(), '');
const optionalString = z.catch(z.optional(z.string()), undefined);
const optionalBoolean = z.catch(z.optional(z.boolean()), undefined);

const HeaderSchema = z.object({ name: z.string(), value: z.string() });
/** Headers that are not `{ name: string, value: string }` are dropped one by one. */
const HeaderListSchema = z.catch(z.array(z.catch(z.nullable(HeaderSchema), null)), []);

const CACHE_VERDICTS = [
  'from-cache',
  'cacheable-by-default',
  'cacheable-explicit',
  'not-cacheable',
  'not-applicable',
] as const satisfies readonly CacheVerdictKind[];

const MethodChangeSchema = z.object({
  kind: z.enum(['changed', 'kept', 'none']),
  from: z.string(),
  to: z.string(),
  bodyDropped: z.boolean(),
  reason: z.string(),
});

const OutcomeSchema = z.union([
  z.object({ state: z.literal('pending') }),
  z.object({ state: z.literal('completed'), statusCode: z.int() }),
  z.object({ state: z.literal('error'), error: z.string(), tooManyRedirects: z.optional(z.boolean()) }),
]);

/** What chainsToHar writes under `_hopscope`; anything malformed falls back to re-analysis. */
const HopscopeSchema = z.object({
  chainId: z.string().check(z.minLength(1)),
  hopIndex: z.int().check(z.gte(0)),
  hopCount: z.catch(z.optional(z.int()), undefined),
  kind: z.catch(z.optional(z.enum(['server', 'internal', 'client'])), undefined),
  internalReason: optionalString,
  methodChange: z.catch(z.optional(MethodChangeSchema), undefined),
  cache: z.catch(z.optional(z.object({ verdict: z.enum(CACHE_VERDICTS), reason: z.string() })), undefined),
  crossOrigin: optionalBoolean,
  downgrade: optionalBoolean,
  repeatsHop: z.catch(z.optional(z.int().check(z.gte(0))), undefined),
  clientRedirect: z.catch(
    z.optional(
      z.object({
        type: z.enum(['meta-refresh', 'refresh-header', 'javascript']),
        delaySeconds: z.optional(z.number().check(z.gte(0))),
        afterMs: z.number().check(z.gte(0)),
      }),
    ),
    undefined,
  ),
  chainOutcome: z.catch(z.optional(OutcomeSchema), undefined),
  tabId: z.catch(z.int(), -1),
  frameId: z.catch(z.int(), 0),
});

const EntrySchema = z.object({
  startedDateTime: z.optional(z.unknown()),
  time: z.optional(z.unknown()),
  request: z.object({
    method: z.string().check(z.minLength(1)),
    url: z.string().check(z.minLength(1)),
    httpVersion: looseString,
    headers: HeaderListSchema,
  }),
  response: z.object({
    status: z.int().check(z.gte(0), z.lte(999)),
    statusText: looseString,
    httpVersion: looseString,
    headers: HeaderListSchema,
    redirectURL: looseString,
    _error: z.optional(z.unknown()),
  }),
  serverIPAddress: optionalString,
  _fromCache: z.optional(z.unknown()),
  _resourceType: optionalString,
  _requestId: z.catch(z.optional(z.union([z.string(), z.number()])), undefined),
  _initiator: z.optional(z.unknown()),
  _hopscope: z.catch(z.optional(HopscopeSchema), undefined),
});

const HarSchema = z.object({
  log: z.object({
    version: z.catch(z.optional(z.string()), undefined),
    creator: z.catch(z.optional(z.object({ name: looseString, version: looseString })), undefined),
    entries: z.array(z.unknown()).check(z.maxLength(MAX_IMPORT_ENTRIES)),
  }),
});

type HarEntry = z.output<typeof EntrySchema>;
type HopscopeFields = z.output<typeof HopscopeSchema>;

/** One usable entry. */
interface Rec {
  entry: HarEntry;
  /** Epoch ms of startedDateTime; NaN when unreadable. */
  start: number;
  /** Sort key: `start`, or the previous entry's key when unreadable. */
  key: number;
  requestHeaders: Header[];
  responseHeaders: Header[];
  /** Absolute redirect targets (redirectURL, then Location), computed on first use. */
  targets?: Target[];
}

// ——— Entry point ———

export function importHar(text: string, options: HarImportOptions = {}): HarImportResult {
  const subject = options.source ? `"${options.source}"` : 'This file';
  const data = parseJson(text, subject);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new HarImportError(
      `${subject} is JSON but not a HAR: it holds ${describeJsonValue(data)}, where a HAR holds an object with a "log".`,
    );
  }
  const har = HarSchema.safeParse(data);
  if (!har.success) throw new HarImportError(harShapeMessage(har.error.issues, data, subject));
  const { log } = har.data;
  const creator = [log.creator?.name, log.creator?.version].filter(Boolean).join(' ').trim();
  const warnings: string[] = [];
  if (log.version?.trim() && !/^1\.[0-9]+$/.test(log.version.trim())) {
    warnings.push(`The file says HAR version "${clip(log.version, 40)}"; it was read as HAR 1.2.`);
  }
  const total = log.entries.length;
  if (total === 0) throw new HarImportError(`${subject} is a HAR with no entries: there is nothing to import.`);

  const recs = readEntries(log.entries, warnings);
  if (recs.length === 0) {
    throw new HarImportError(
      `${subject} has no usable entry: none of its ${count(total, 'entry', 'entries')} has a request method, a URL and a response status.`,
    );
  }

  const own = recs.filter((r) => r.entry._hopscope);
  const others = recs.filter((r) => !r.entry._hopscope);
  const chains = [...rebuildHopscopeChains(own, warnings), ...linkChains(others)];
  if (chains.length === 0) {
    warnings.push(
      `No redirect found: the ${count(recs.length, 'request', 'requests')} in this file were all answered without one.`,
    );
  }
  return { chains, entries: total, warnings, creator };
}

// ——— Reading ———

function parseJson(text: string, subject: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!/\S/.test(body)) throw new HarImportError(`${subject} is empty: pick a HAR file (.har) to import.`);
  try {
    return JSON.parse(body);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // V8: "… in JSON at position 12 (line 1 column 13)"; "Unexpected end of JSON input".
    const at = /position (\d+)/.exec(message);
    const position = at ? Number(at[1]) : /end of JSON input/i.test(message) ? body.length : -1;
    if (position >= body.trimEnd().length) {
      throw new HarImportError(
        `${subject} is not complete JSON (unexpected end at character ${position}): it was probably cut off while saving, so export or download it again.`,
      );
    }
    if (position >= 0) {
      const { line, column } = lineAndColumn(body, position);
      throw new HarImportError(
        `${subject} is not JSON (unexpected text at line ${line}, column ${column}): pick a HAR file (.har) as saved by the browser or tool.`,
      );
    }
    // V8 quotes the text around the error after a comma; the quote is the file's, keep it out.
    const what = clip(message.split(/, "|, \.\.\.|\n/, 1)[0] ?? message, 80);
    throw new HarImportError(
      `${subject} is not JSON (${what.charAt(0).toLowerCase()}${what.slice(1)}): pick a HAR file (.har) as saved by the browser or tool.`,
    );
  }
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < position; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: position - lineStart + 1 };
}

function describeJsonValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'string') return 'a string';
  return `a ${typeof value}`;
}

function harShapeMessage(issues: readonly z.core.$ZodIssue[], data: object, subject: string): string {
  const issue = issues[0];
  const path = issue?.path.join('.') ?? '';
  if (issue?.code === 'too_big') {
    const entries = (data as { log: { entries: unknown[] } }).log.entries;
    return `${subject} has ${count(entries.length, 'entry', 'entries')}, more than the ${MAX_IMPORT_ENTRIES.toLocaleString('en-US')} Hopscope imports at once: save a HAR of fewer requests (for example only the page you need).`;
  }
  if (path === 'log.entries') return `${subject} is JSON but not a HAR: it has no log.entries array.`;
  return `${subject} is JSON but not a HAR: it has no "log" object with an entries array.`;
}

function readEntries(raw: readonly unknown[], warnings: string[]): Rec[] {
  const recs: Rec[] = [];
  const skipped: string[] = [];
  let undated = 0;
  let lastKey = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < raw.length; i++) {
    const parsed = EntrySchema.safeParse(raw[i]);
    if (!parsed.success) {
      skipped.push(`Entry ${i + 1} was skipped: ${entryProblem(parsed.error.issues)}.`);
      continue;
    }
    const entry = parsed.data;
    const start = parseDate(entry.startedDateTime);
    if (Number.isNaN(start)) undated++;
    else lastKey = start;
    recs.push({
      entry,
      start,
      key: lastKey,
      requestHeaders: headerList(entry.request.headers),
      responseHeaders: headerList(entry.response.headers),
    });
  }
  warnings.push(...skipped.slice(0, MAX_ENTRY_WARNINGS));
  if (skipped.length > MAX_ENTRY_WARNINGS) {
    warnings.push(`${count(skipped.length - MAX_ENTRY_WARNINGS, 'more entry was', 'more entries were')} skipped.`);
  }
  if (undated > 0) {
    warnings.push(
      `${count(undated, 'entry has', 'entries have')} no readable startedDateTime: ${undated === 1 ? 'it keeps its' : 'they keep their'} place in the file and ${undated === 1 ? 'its' : 'their'} times show as 0.`,
    );
  }
  return recs;
}

function entryProblem(issues: readonly z.core.$ZodIssue[]): string {
  const path = issues[0]?.path.join('.') ?? '';
  switch (path) {
    case '':
      return 'it is not an object';
    case 'request':
      return 'it has no request object';
    case 'request.method':
      return 'it has no request method';
    case 'request.url':
      return 'it has no request URL';
    case 'response':
      return 'it has no response object';
    case 'response.status':
      return 'its response status is not a whole number from 0 to 999';
    default:
      return `its ${clip(path, 80)} is not valid`;
  }
}

/** ISO 8601 with any number of fractional digits (Fiddler writes 7, Splash 6); else Date.parse. */
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function parseDate(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
  if (typeof value !== 'string' || value.length > 64) return Number.NaN;
  const m = ISO_DATE.exec(value.trim());
  if (!m) return Date.parse(value);
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  if (frac) ms += Number(`0.${frac}`) * 1000;
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0)) * 60_000;
  }
  // No zone: local time by ISO 8601, but the file's machine is unknown; read as UTC.
  return ms;
}

function headerList(list: ReadonlyArray<{ name: string; value: string } | null>): Header[] {
  // toHeaders bounds the count and the value sizes exactly as for recorded headers.
  return toHeaders(list.filter((h): h is { name: string; value: string } => h !== null));
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function count(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

// ——— Hops ———

function httpVersionOf(entry: HarEntry): string {
  const v = (entry.response.httpVersion || entry.request.httpVersion).trim();
  // Chrome writes "unknown" for hops it made up; the model says '' for unknown.
  return v.toLowerCase() === 'unknown' ? '' : v;
}

function durationOf(entry: HarEntry): number {
  const t = entry.time;
  return typeof t === 'number' && Number.isFinite(t) && t > 0 ? t : 0;
}

/** `response._error`: Chrome writes a net error string, capture-har `{ code, message }`. */
function errorTextOf(entry: HarEntry): string {
  const e = entry.response._error;
  if (typeof e === 'string') return clip(e.trim(), MAX_ERROR_TEXT);
  if (typeof e !== 'object' || e === null) return '';
  const { message, code } = e as { message?: unknown; code?: unknown };
  const m = typeof message === 'string' ? message.trim() : '';
  const c = typeof code === 'string' ? code.trim() : '';
  return clip(m && c ? `${m} (${c})` : m || c, MAX_ERROR_TEXT);
}

function isTooManyRedirects(error: string): boolean {
  return /MAXREDIRECTS|TOO_MANY_REDIRECTS|too many redirects/i.test(error);
}

/** The hop as the recorder would have built it, before its neighbours are known. */
function baseHop(rec: Rec, index: number, redirectUrl: string): Hop {
  const { entry } = rec;
  const url = entry.request.url;
  const startTime = Number.isNaN(rec.start) ? 0 : rec.start;
  const reason = getHeader(rec.responseHeaders, 'non-authoritative-reason');
  const kind: HopKind = reason ? 'internal' : 'server';
  const hop: Hop = {
    index,
    url,
    method: entry.request.method.toUpperCase(),
    statusCode: entry.response.status,
    httpVersion: httpVersionOf(entry),
    statusText: entry.response.statusText,
    requestHeaders: rec.requestHeaders,
    responseHeaders: rec.responseHeaders,
    redirectUrl,
    fromCache: Boolean(entry._fromCache),
    startTime,
    endTime: startTime + durationOf(entry),
    kind,
    cache: { verdict: 'not-applicable', reason: '', headers: [] },
    crossOrigin: isCrossOrigin(url, redirectUrl),
    downgrade: isDowngrade(url, redirectUrl),
  };
  // DevTools writes IPv6 addresses in brackets; webRequest's `ip` has none.
  const ip = entry.serverIPAddress?.trim().replace(/^\[(.*)\]$/, '$1');
  if (ip) hop.ip = ip;
  if (reason) hop.internalReason = reason;
  return hop;
}

/** DevTools `_resourceType` → webRequest resource type. */
function resourceTypeOf(entry: HarEntry | undefined, frameId = 0): string {
  const t = entry?._resourceType?.trim().toLowerCase();
  if (!t) return 'other';
  if (t === 'document') return frameId === 0 ? 'main_frame' : 'sub_frame';
  if (t === 'xhr' || t === 'fetch') return 'xmlhttprequest';
  if (t === 'csp-violation-report') return 'csp_report';
  return t;
}

function initiatorUrlOf(entry: HarEntry | undefined): string | undefined {
  const i = entry?._initiator;
  if (typeof i === 'string') return i || undefined;
  if (typeof i !== 'object' || i === null) return undefined;
  const url = (i as { url?: unknown }).url;
  return typeof url === 'string' && url ? url : undefined;
}

/** webRequest reports the initiator as an origin; DevTools' `_initiator.url` is a full URL. */
function initiatorOrigin(entry: HarEntry | undefined): string | undefined {
  const url = initiatorUrlOf(entry);
  if (!url) return undefined;
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

function finish(chain: Omit<Chain, 'summary'>): Chain {
  const done = chain as Chain;
  done.summary = summarize(chain);
  return done;
}

// ——— Hopscope's own export ———

function rebuildHopscopeChains(recs: readonly Rec[], warnings: string[]): Chain[] {
  const groups = new Map<string, Rec[]>();
  for (const rec of recs) {
    const id = (rec.entry._hopscope as HopscopeFields).chainId;
    const group = groups.get(id);
    if (group) group.push(rec);
    else groups.set(id, [rec]);
  }
  const chains: Chain[] = [];
  for (const [id, group] of groups) {
    const fields = (rec: Rec) => rec.entry._hopscope as HopscopeFields;
    group.sort((a, b) => fields(a).hopIndex - fields(b).hopIndex);
    const hops = group.map((rec, index) => ownHop(rec, index, fields(rec), group[index + 1]));
    const first = fields(group[0] as Rec);
    const expected = first.hopCount;
    if (expected !== undefined && expected !== group.length) {
      warnings.push(`Chain ${clip(id, 60)} has ${group.length} of its ${expected} hops in this file.`);
    }
    const outcome = group.map(fields).find((f) => f.chainOutcome)?.chainOutcome ?? derivedOutcome(hops, group);
    const firstEntry = group[0]?.entry;
    const chain: Omit<Chain, 'summary'> = {
      id,
      requestId: id.replace(/~\d+$/, ''),
      tabId: first.tabId,
      frameId: first.frameId,
      type: resourceTypeOf(firstEntry, first.frameId),
      startTime: hops[0]?.startTime ?? 0,
      hops,
      outcome: outcome as ChainOutcome,
    };
    const initiator = initiatorUrlOf(firstEntry);
    if (initiator) chain.initiator = initiator;
    if (outcome.state !== 'pending') chain.endTime = hops.at(-1)?.endTime ?? chain.startTime;
    chains.push(finish(chain));
  }
  return chains;
}

function ownHop(rec: Rec, index: number, f: HopscopeFields, next: Rec | undefined): Hop {
  const hop = baseHop(rec, index, rec.entry.response.redirectURL);
  const errorText = errorTextOf(rec.entry);
  if (errorText) hop.error = errorText;
  if (f.kind) hop.kind = f.kind;
  if (f.internalReason) hop.internalReason = f.internalReason;
  else if (f.kind && f.kind !== 'internal') delete hop.internalReason;
  hop.cache = f.cache
    ? { verdict: f.cache.verdict, reason: f.cache.reason, headers: cachingHeaders(hop.responseHeaders) }
    : cacheVerdict(hop);
  if (f.methodChange) hop.methodChange = f.methodChange as MethodChange;
  else if (hop.redirectUrl && next && hop.kind !== 'client') {
    hop.methodChange = describeMethodChange(hop, next.entry.request.method);
  }
  if (f.crossOrigin !== undefined) hop.crossOrigin = f.crossOrigin;
  if (f.downgrade !== undefined) hop.downgrade = f.downgrade;
  if (f.repeatsHop !== undefined && f.repeatsHop < index) hop.repeatsHop = f.repeatsHop;
  if (hop.kind === 'client' && f.clientRedirect) {
    hop.clientRedirect = { type: f.clientRedirect.type, afterMs: f.clientRedirect.afterMs };
    if (f.clientRedirect.delaySeconds !== undefined) hop.clientRedirect.delaySeconds = f.clientRedirect.delaySeconds;
  }
  return hop;
}

/** The outcome when the file does not say: from the last hop. */
function derivedOutcome(hops: readonly Hop[], recs: readonly Rec[]): ChainOutcome {
  const last = hops.at(-1);
  const lastRec = recs.at(-1);
  const error = lastRec ? errorTextOf(lastRec.entry) : '';
  if (!last) return { state: 'error', error: NOT_IN_HAR };
  if (last.redirectUrl) {
    if (error && isTooManyRedirects(error)) return { state: 'error', error, tooManyRedirects: true };
    return { state: 'error', error: error || NOT_IN_HAR };
  }
  if (error) return { state: 'error', error };
  if (last.statusCode === 0) return { state: 'error', error: 'no response' };
  return { state: 'completed', statusCode: last.statusCode };
}

// ——— Any other HAR: link entries by redirect target ———

interface UrlKeys {
  /** The URL as a browser requests it: scheme and host lower-cased, default port and fragment dropped, empty path '/'. */
  exact: string;
  /** Percent-decoded and without a trailing slash: Splash writes `redirectURL` decoded while `Location` is not. */
  loose: string;
}

interface Target extends UrlKeys {
  /** Absolute URL. */
  url: string;
}

function keysOf(u: URL): UrlKeys {
  u.hash = '';
  const path = safeDecode(u.pathname).replace(/\/+$/, '');
  return { exact: u.href, loose: `${u.protocol}//${u.host}${path}${safeDecode(u.search)}` };
}

function normalizedUrl(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

/** Keys of an entry's URL; text that is no URL is compared as it is. */
function urlKeys(url: string): UrlKeys {
  try {
    return keysOf(new URL(url));
  } catch {
    const exact = url.split('#', 1)[0] ?? url;
    return { exact, loose: safeDecode(exact).replace(/\/+$/, '') };
  }
}

function safeDecode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/**
 * Positions (in time order) grouped by URL key, with the positions already in a chain skipped in
 * near-constant time: a "next free" pointer per slot, path-compressed, so a file of many
 * identical URLs stays linear. Flat typed arrays: one list per key, back to back.
 */
class UrlIndex {
  private readonly listOf = new Map<string, number>();
  /** For each list, where it starts in `slots`; one extra entry for the end. */
  private readonly starts: Int32Array;
  /** Positions, list after list, each list in increasing order. */
  private readonly slots: Int32Array;
  /** `next[s] === s`: slot s is free; otherwise a slot at or before the next free one. */
  private readonly next: Int32Array;
  /** Position → its slot. */
  private readonly slotOf: Int32Array;

  constructor(keys: readonly string[]) {
    const list = new Int32Array(keys.length);
    const sizes: number[] = [];
    keys.forEach((key, pos) => {
      let l = this.listOf.get(key);
      if (l === undefined) {
        l = sizes.length;
        this.listOf.set(key, l);
        sizes.push(0);
      }
      list[pos] = l;
      sizes[l] = (sizes[l] as number) + 1;
    });
    this.starts = new Int32Array(sizes.length + 1);
    for (let l = 0; l < sizes.length; l++) this.starts[l + 1] = (this.starts[l] as number) + (sizes[l] as number);
    const fill = this.starts.slice(0, sizes.length);
    this.slots = new Int32Array(keys.length);
    this.slotOf = new Int32Array(keys.length);
    for (let pos = 0; pos < keys.length; pos++) {
      const l = list[pos] as number;
      const slot = fill[l] as number;
      fill[l] = slot + 1;
      this.slots[slot] = pos;
      this.slotOf[pos] = slot;
    }
    this.next = new Int32Array(keys.length);
    for (let s = 0; s < keys.length; s++) this.next[s] = s;
  }

  /** The first unclaimed position after `after` with this key, or -1. */
  firstAfter(key: string, after: number): number {
    const l = this.listOf.get(key);
    if (l === undefined) return -1;
    const end = this.starts[l + 1] as number;
    let lo = this.starts[l] as number;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.slots[mid] as number) <= after) lo = mid + 1;
      else hi = mid;
    }
    const slot = this.findFree(lo, end);
    return slot < end ? (this.slots[slot] as number) : -1;
  }

  claim(pos: number): void {
    const slot = this.slotOf[pos] as number;
    this.next[slot] = slot + 1;
  }

  /** The first free slot at or after `slot`, or `end`; iterative, with path compression. */
  private findFree(slot: number, end: number): number {
    const next = this.next;
    let root = slot;
    while (root < end && next[root] !== root) root = next[root] as number;
    for (let s = slot; s < end && next[s] !== s; ) {
      const up = next[s] as number;
      next[s] = root;
      s = up;
    }
    return root;
  }
}

/** Where a redirect leads, absolute: `redirectURL`, then `Location` when it differs. */
function targetsOf(rec: Rec): Target[] {
  if (rec.targets) return rec.targets;
  const out: Target[] = [];
  const base = rec.entry.request.url;
  // The Location as written, not the bounded copy kept on the hop: a long target must not be cut.
  const location = rec.entry.response.headers.find((h) => h?.name.toLowerCase() === 'location')?.value;
  for (const value of [rec.entry.response.redirectURL, location]) {
    const v = value?.trim();
    if (!v) continue;
    let u: URL;
    try {
      u = new URL(v, base);
    } catch {
      continue;
    }
    const url = u.href;
    if (out.some((t) => t.url === url)) continue;
    out.push({ url, ...keysOf(u) });
  }
  rec.targets = out;
  return out;
}

/** A redirect the browser would follow: a redirect status with a target it can resolve. */
function isRedirect(rec: Rec): boolean {
  return isRedirectStatus(rec.entry.response.status) && targetsOf(rec).length > 0;
}

function linkChains(recs: readonly Rec[]): Chain[] {
  // Array.prototype.sort is stable: equal times keep file order.
  const order = [...recs].sort((a, b) => a.key - b.key);
  const keys = order.map((r) => urlKeys(r.entry.request.url));
  const exact = new UrlIndex(keys.map((k) => k.exact));
  const loose = new UrlIndex(keys.map((k) => k.loose));
  const claimed = new Uint8Array(order.length);
  const claim = (p: number) => {
    claimed[p] = 1;
    exact.claim(p);
    loose.claim(p);
  };
  /** The later entry a redirect leads to: each target exactly first, then loosely. */
  const follow = (p: number): { next: number; target: string } | undefined => {
    const targets = targetsOf(order[p] as Rec);
    for (const t of targets) {
      const next = exact.firstAfter(t.exact, p);
      if (next >= 0) return { next, target: t.url };
    }
    for (const t of targets) {
      const next = loose.firstAfter(t.loose, p);
      if (next >= 0) return { next, target: t.url };
    }
    return undefined;
  };

  const chains: Chain[] = [];
  for (let p = 0; p < order.length; p++) {
    if (claimed[p] || !isRedirect(order[p] as Rec)) continue;
    claim(p);
    const members: Array<{ rec: Rec; target: string; key: string }> = [];
    let cur = p;
    let cutOff = false;
    for (;;) {
      const rec = order[cur] as Rec;
      const key = (keys[cur] as UrlKeys).exact;
      if (!isRedirect(rec)) {
        members.push({ rec, target: '', key });
        break;
      }
      const step = follow(cur);
      if (!step) {
        members.push({ rec, target: (targetsOf(rec)[0] as Target).url, key });
        cutOff = true;
        break;
      }
      members.push({ rec, target: step.target, key });
      claim(step.next);
      cur = step.next;
    }
    chains.push(linkedChain(`import:${chains.length + 1}`, members, cutOff));
  }
  return chains;
}

function linkedChain(
  id: string,
  members: ReadonlyArray<{ rec: Rec; target: string; key: string }>,
  cutOff: boolean,
): Chain {
  const seen = new Map<string, number>();
  const hops = members.map(({ rec, target, key }, index) => {
    const hop = baseHop(rec, index, target);
    // As the browser sent it: some tools (Splash) write URLs percent-decoded, with spaces.
    hop.url = normalizedUrl(hop.url);
    hop.cache = cacheVerdict(hop);
    // The same request again (URL and method), as the recorder counts it.
    const seenKey = `${hop.method} ${key}`;
    const earlier = seen.get(seenKey);
    if (earlier !== undefined) hop.repeatsHop = earlier;
    else seen.set(seenKey, index);
    return hop;
  });
  hops.forEach((hop, i) => {
    const next = hops[i + 1];
    if (hop.redirectUrl && next) hop.methodChange = describeMethodChange(hop, next.method);
  });
  const last = members.at(-1)?.rec as Rec;
  const lastHop = hops.at(-1) as Hop;
  const error = errorTextOf(last.entry);
  let outcome: ChainOutcome;
  if (cutOff) {
    outcome = isTooManyRedirects(error)
      ? { state: 'error', error, tooManyRedirects: true }
      : { state: 'error', error: error || NOT_IN_HAR };
  } else if (error || lastHop.statusCode === 0) {
    if (error) lastHop.error = error;
    outcome = { state: 'error', error: error || 'no response' };
  } else {
    outcome = { state: 'completed', statusCode: lastHop.statusCode };
  }
  const firstEntry = members[0]?.rec.entry;
  const requestId = firstEntry?._requestId;
  const chain: Omit<Chain, 'summary'> = {
    id,
    requestId: requestId === undefined ? '' : String(requestId),
    tabId: -1,
    frameId: 0,
    type: resourceTypeOf(firstEntry),
    startTime: hops[0]?.startTime ?? 0,
    endTime: lastHop.endTime,
    hops,
    outcome,
  };
  const initiator = initiatorOrigin(firstEntry);
  if (initiator) chain.initiator = initiator;
  return finish(chain);
}
