/**
 * Shared helpers for the unit tests: recorded webRequest fixtures in, recorder chains out.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AnalyzedChain, analyze } from '../../src/core/analyze/index.ts';
import { type HarImportOptions, type HarImportResult, importHar } from '../../src/core/har/import/index.ts';
import type { Chain } from '../../src/core/model/chain.ts';
import type { RawHeader, RequestEvent } from '../../src/core/record/events.ts';
import { Recorder, type RecorderOptions } from '../../src/core/record/recorder.ts';

export const FIXTURES = [
  'burst-small',
  'cache-301',
  'cache-302',
  'cache-307-max-age',
  'cache-308',
  'chain-3xx',
  'cross-host',
  'downgrade',
  'hsts-header',
  'hsts-midchain',
  'hsts-preload',
  'loop',
  'ok',
  'post-301',
  'post-302',
  'post-303',
  'post-307',
  'post-308',
  'unreachable',
] as const;

export type FixtureName = (typeof FIXTURES)[number];

const cache = new Map<string, RequestEvent[]>();

/** The recorded events of one scenario; a fresh deep copy each call, so tests may mutate it. */
export function loadFixture(name: FixtureName): RequestEvent[] {
  let events = cache.get(name);
  if (!events) {
    // Strings only: under jsdom (component tests) the global URL is not Node's.
    const path = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/events', `${name}.json`);
    events = JSON.parse(readFileSync(path, 'utf8')) as RequestEvent[];
    cache.set(name, events);
  }
  return structuredClone(events);
}

export function feed(recorder: Recorder, events: readonly RequestEvent[]): Recorder {
  for (const e of events) recorder.handle(e);
  return recorder;
}

/** A new recorder fed with the events (a fixture name or a list). */
export function record(source: FixtureName | readonly RequestEvent[], options?: RecorderOptions): Recorder {
  return feed(new Recorder(options), typeof source === 'string' ? loadFixture(source) : source);
}

/** The chains a fixture produces, oldest first. */
export function chainsOf(source: FixtureName | readonly RequestEvent[], options?: RecorderOptions): AnalyzedChain[] {
  return record(source, options).list().map(analyze);
}

/** The chains a fixture produces as stored: facts only, oldest first. */
export function factsOf(source: FixtureName | readonly RequestEvent[], options?: RecorderOptions): Chain[] {
  return record(source, options).list();
}

/** The only chain a recording holds; fails the test when there is not exactly one. */
export function onlyChain(source: FixtureName | readonly RequestEvent[]): AnalyzedChain {
  const chains = chainsOf(source);
  if (chains.length !== 1) throw new Error(`expected one chain, got ${chains.length}`);
  return chains[0] as AnalyzedChain;
}

/** A HAR import with its chains analyzed: what the panel shows of a file. */
export function importAnalyzed(
  text: string,
  options?: HarImportOptions,
): Omit<HarImportResult, 'chains'> & { chains: AnalyzedChain[] } {
  const result = importHar(text, options);
  return { ...result, chains: result.chains.map(analyze) };
}

/** Hop at an index, failing loudly instead of returning undefined. */
export function hopAt<C extends Chain>(chain: C, index: number): C['hops'][number] {
  const hop = chain.hops[index];
  if (!hop) throw new Error(`chain ${chain.id} has no hop ${index} (it has ${chain.hops.length})`);
  return hop;
}

/** A chain as persisted and read back: what storage.session gives after a worker restart. */
export function roundTrip<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * The HSTS-preload upgrade this Chromium build did not record (see the fixtures README): the
 * internal hop of `hsts-header`, moved to `http://hsts.dev:47801/`, then the https load.
 */
export function syntheticHstsPreload(): RequestEvent[] {
  const events = loadFixture('hsts-header').filter((e) => e.details.requestId === '4');
  const text = JSON.stringify(events).replaceAll('sts.test:47801/sts/page', 'hsts.dev:47801/');
  return JSON.parse(text) as RequestEvent[];
}

export interface SyntheticHop {
  url: string;
  method?: string;
  /** Omitted on the last hop of a failed request. */
  status?: number;
  statusLine?: string;
  /** Absolute target; makes this hop a redirect. */
  redirectUrl?: string;
  /** As the browser hands them over: `value`, or `binaryValue` for bytes that are not UTF-8. */
  requestHeaders?: RawHeader[];
  responseHeaders?: RawHeader[];
  fromCache?: boolean;
  ip?: string;
  /** A browser-made hop (HSTS): only onBeforeRequest → onBeforeRedirect, like Chromium with extraHeaders. */
  internal?: boolean;
}

export interface SyntheticRequest {
  requestId: string;
  type?: string;
  tabId?: number;
  initiator?: string;
  /** Epoch ms of the first event; each later event is 1 ms after the one before. */
  start?: number;
  hops: SyntheticHop[];
  /** Ends the request with onErrorOccurred on its last hop. */
  error?: string;
}

/** The webRequest events Chromium fires for one request, in order, built from a short description. */
export function requestEvents(req: SyntheticRequest): RequestEvent[] {
  const out: RequestEvent[] = [];
  let t = req.start ?? 1_800_000_000_000;
  const base = () => ({
    requestId: req.requestId,
    tabId: req.tabId ?? 7,
    frameId: 0,
    type: req.type ?? 'main_frame',
    timeStamp: t++,
    ...(req.initiator ? { initiator: req.initiator } : {}),
  });
  req.hops.forEach((hop, i) => {
    const method = hop.method ?? 'GET';
    const last = i === req.hops.length - 1;
    out.push({ event: 'onBeforeRequest', details: { ...base(), url: hop.url, method } });
    const status = hop.status ?? 200;
    const response = {
      url: hop.url,
      method,
      statusCode: status,
      statusLine: hop.statusLine ?? `HTTP/1.1 ${status}`,
      responseHeaders: hop.responseHeaders ?? [],
    };
    if (hop.internal) {
      out.push({
        event: 'onBeforeRedirect',
        details: { ...base(), ...response, fromCache: false, redirectUrl: hop.redirectUrl ?? '' },
      });
      return;
    }
    const requestHeaders = hop.requestHeaders ?? [{ name: 'Accept', value: '*/*' }];
    out.push({ event: 'onBeforeSendHeaders', details: { ...base(), url: hop.url, method, requestHeaders } });
    out.push({ event: 'onSendHeaders', details: { ...base(), url: hop.url, method, requestHeaders } });
    if (last && req.error && hop.status === undefined) {
      out.push({ event: 'onErrorOccurred', details: { ...base(), url: hop.url, method, error: req.error } });
      return;
    }
    out.push({ event: 'onHeadersReceived', details: { ...base(), ...response } });
    const ended = { ...response, fromCache: hop.fromCache ?? false, ip: hop.ip ?? '127.0.0.1' };
    if (hop.redirectUrl) {
      out.push({ event: 'onBeforeRedirect', details: { ...base(), ...ended, redirectUrl: hop.redirectUrl } });
    } else if (req.error) {
      out.push({ event: 'onErrorOccurred', details: { ...base(), url: hop.url, method, error: req.error } });
    } else {
      out.push({ event: 'onResponseStarted', details: { ...base(), ...ended } });
      out.push({ event: 'onCompleted', details: { ...base(), ...ended } });
    }
  });
  return out;
}

/** A GET that goes through a 302 to a 200: the common redirected subresource. */
export function redirectedRequest(requestId: string, n: number, type = 'xmlhttprequest'): RequestEvent[] {
  return requestEvents({
    requestId,
    type,
    start: 1_800_000_000_000 + n * 10,
    hops: [
      {
        url: `https://app.test/r/${n}`,
        status: 302,
        statusLine: 'HTTP/1.1 302 Found',
        redirectUrl: `https://app.test/done/${n}`,
        responseHeaders: [{ name: 'Location', value: `/done/${n}` }],
      },
      { url: `https://app.test/done/${n}`, statusLine: 'HTTP/1.1 200 OK' },
    ],
  });
}

/** The events with every requestId replaced (one recorded scenario replayed as another request). */
export function withRequestId(events: readonly RequestEvent[], requestId: string, shiftMs = 0): RequestEvent[] {
  return events.map(
    (e) => ({ ...e, details: { ...e.details, requestId, timeStamp: e.details.timeStamp + shiftMs } }) as RequestEvent,
  );
}

/** What a terminal, a Markdown renderer or a bidi-aware editor must never receive raw. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
export const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** The same, with line feeds allowed (multi-line outputs join their lines with `\n`). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
export const UNSAFE_EXCEPT_LF = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
