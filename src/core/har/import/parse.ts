/**
 * Reading a HAR file: JSON and shape checked with messages that say what to do, entries read
 * leniently (only what linking needs is required, everything else falls back), hops built with
 * the recorder's own builder.
 *
 * The file is untrusted: nothing in it is evaluated, strings stay strings, header values are
 * bounded like recorded ones, and no code here recurses on the parsed data.
 */
import * as z from 'zod/mini';
import type { Header, Hop } from '../../model/chain.ts';
import { plural, pluralWord } from '../../present/plural.ts';
import { toHeaders } from '../../record/headers.ts';
import { buildHop } from '../../record/hop.ts';
import { type HopscopeFields, readHopscope } from '../schema.ts';

/** A file the user picked cannot be imported; the message says why and what to do. */
export class HarImportError extends Error {
  override name = 'HarImportError';
}

/** Most entries read from one file; a larger file is refused rather than freezing the panel. */
export const MAX_IMPORT_ENTRIES = 200_000;
/** Skipped entries named one by one in the warnings; the rest are counted. */
const MAX_ENTRY_WARNINGS = 20;
/** Longest error text kept from a file (`response._error`). */
const MAX_ERROR_TEXT = 500;

// ——— Schemas: lenient; only what linking needs is required, everything else falls back ———

const looseString = z.catch(z.string(), '');
const optionalString = z.catch(z.optional(z.string()), undefined);

const HeaderSchema = z.object({ name: z.string(), value: z.string() });
/** Headers that are not `{ name: string, value: string }` are dropped one by one. */
const HeaderListSchema = z.catch(z.array(z.catch(z.nullable(HeaderSchema), null)), []);

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
});

export const HarSchema = z.object({
  log: z.object({
    version: z.catch(z.optional(z.string()), undefined),
    creator: z.catch(z.optional(z.object({ name: looseString, version: looseString })), undefined),
    entries: z.array(z.unknown()).check(z.maxLength(MAX_IMPORT_ENTRIES)),
  }),
});

export type HarEntry = z.output<typeof EntrySchema>;

/** One usable entry. */
export interface Rec {
  entry: HarEntry;
  /** `_hopscope`, when the entry is one of Hopscope's own (HopscopeReadSchema). */
  hopscope: HopscopeFields | undefined;
  /** Epoch ms of startedDateTime; NaN when unreadable. */
  start: number;
  /** Sort key: `start`, or the previous entry's key when unreadable. */
  key: number;
  requestHeaders: Header[];
  responseHeaders: Header[];
  /** Absolute redirect targets (redirectURL, then Location), computed on first use. */
  targets?: Array<{ url: string; exact: string; loose: string }>;
}

// ——— Reading ———

export function parseJson(text: string, subject: string): unknown {
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

export function describeJsonValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'string') return 'a string';
  return `a ${typeof value}`;
}

export function harShapeMessage(issues: readonly z.core.$ZodIssue[], data: object, subject: string): string {
  const issue = issues[0];
  const path = issue?.path.join('.') ?? '';
  if (issue?.code === 'too_big') {
    const entries = (data as { log: { entries: unknown[] } }).log.entries;
    return `${subject} has ${plural(entries.length, 'entry')}, more than the ${MAX_IMPORT_ENTRIES.toLocaleString('en-US')} Hopscope imports at once: save a HAR of fewer requests (for example only the page you need).`;
  }
  if (path === 'log.entries') return `${subject} is JSON but not a HAR: it has no log.entries array.`;
  return `${subject} is JSON but not a HAR: it has no "log" object with an entries array.`;
}

export function readEntries(raw: readonly unknown[], warnings: string[]): Rec[] {
  const recs: Rec[] = [];
  const skipped: string[] = [];
  let undated = 0;
  let lastKey = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < raw.length; i++) {
    let entry = wellFormed(raw[i]);
    if (!entry) {
      const parsed = EntrySchema.safeParse(raw[i]);
      if (!parsed.success) {
        skipped.push(`Entry ${i + 1} was skipped: ${entryProblem(parsed.error.issues)}.`);
        continue;
      }
      entry = parsed.data;
    }
    const start = parseDate(entry.startedDateTime);
    if (Number.isNaN(start)) undated++;
    else lastKey = start;
    recs.push({
      entry,
      hopscope: readHopscope((raw[i] as { _hopscope?: unknown })._hopscope),
      start,
      key: lastKey,
      requestHeaders: headerList(entry.request.headers),
      responseHeaders: headerList(entry.response.headers),
    });
  }
  warnings.push(...skipped.slice(0, MAX_ENTRY_WARNINGS));
  if (skipped.length > MAX_ENTRY_WARNINGS) {
    warnings.push(`${plural(skipped.length - MAX_ENTRY_WARNINGS, 'more entry was', 'more entries were')} skipped.`);
  }
  if (undated > 0) {
    warnings.push(
      `${plural(undated, 'entry has', 'entries have')} no readable startedDateTime: ${pluralWord(undated, 'it keeps its', 'they keep their')} place in the file and ${pluralWord(undated, 'its', 'their')} times show as 0.`,
    );
  }
  return recs;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

function isHeaderList(v: unknown): v is Array<{ name: string; value: string }> {
  if (!Array.isArray(v)) return false;
  for (const h of v) if (!isObject(h) || typeof h.name !== 'string' || typeof h.value !== 'string') return false;
  return true;
}

/**
 * An entry that EntrySchema would take as it is (every field present with its type; no
 * fallback needed), read without copying it: most files are all such entries, and copying every
 * entry and header of a large file cost more than parsing its JSON. Anything else returns
 * undefined and is read by EntrySchema. (`_hopscope` is read on its own: `readHopscope`.)
 */
function wellFormed(raw: unknown): HarEntry | undefined {
  if (!isObject(raw)) return undefined;
  const { request, response } = raw;
  if (!isObject(request) || !isObject(response)) return undefined;
  if (!isNonEmpty(request.method) || !isNonEmpty(request.url) || typeof request.httpVersion !== 'string')
    return undefined;
  const status = response.status;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 0 || status > 999) return undefined;
  if (typeof response.statusText !== 'string' || typeof response.httpVersion !== 'string') return undefined;
  if (typeof response.redirectURL !== 'string') return undefined;
  if (!isHeaderList(request.headers) || !isHeaderList(response.headers)) return undefined;
  for (const key of ['serverIPAddress', '_resourceType'] as const) {
    if (raw[key] !== undefined && typeof raw[key] !== 'string') return undefined;
  }
  const id = raw._requestId;
  if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') return undefined;
  return raw as HarEntry;
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

export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
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
export function errorTextOf(entry: HarEntry): string {
  const e = entry.response._error;
  if (typeof e === 'string') return clip(e.trim(), MAX_ERROR_TEXT);
  if (typeof e !== 'object' || e === null) return '';
  const { message, code } = e as { message?: unknown; code?: unknown };
  const m = typeof message === 'string' ? message.trim() : '';
  const c = typeof code === 'string' ? code.trim() : '';
  return clip(m && c ? `${m} (${c})` : m || c, MAX_ERROR_TEXT);
}

/** The hop as the recorder would have built it: the builder they share. */
export function hopOf(rec: Rec, redirectUrl: string): Hop {
  const { entry } = rec;
  const startTime = Number.isNaN(rec.start) ? 0 : rec.start;
  // DevTools writes IPv6 addresses in brackets; webRequest's `ip` has none.
  const ip = entry.serverIPAddress?.trim().replace(/^\[(.*)\]$/, '$1');
  return buildHop({
    url: entry.request.url,
    method: entry.request.method,
    status: {
      httpVersion: httpVersionOf(entry),
      statusCode: entry.response.status,
      statusText: entry.response.statusText,
    },
    requestHeaders: rec.requestHeaders,
    responseHeaders: rec.responseHeaders,
    redirectUrl,
    fromCache: Boolean(entry._fromCache),
    ip,
    startTime,
    endTime: startTime + durationOf(entry),
  });
}

export function initiatorUrlOf(entry: HarEntry | undefined): string | undefined {
  const i = entry?._initiator;
  if (typeof i === 'string') return i || undefined;
  if (typeof i !== 'object' || i === null) return undefined;
  const url = (i as { url?: unknown }).url;
  return typeof url === 'string' && url ? url : undefined;
}

/** webRequest reports the initiator as an origin; DevTools' `_initiator.url` is a full URL. */
export function initiatorOrigin(entry: HarEntry | undefined): string | undefined {
  const url = initiatorUrlOf(entry);
  if (!url) return undefined;
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}
