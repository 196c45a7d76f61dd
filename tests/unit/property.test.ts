/**
 * Property-based tests of the core (fast-check): hostile and broken webRequest-like input in,
 * the recorder's invariants, a valid HAR and terminal-safe text out.
 *
 * Seeded, so a failure reproduces: HOPSCOPE_PROPERTY_SEED picks another seed and
 * HOPSCOPE_PROPERTY_RUNS the number of runs per property (200 by default; e.g. 5000 for a
 * longer search). A failing run prints its seed, path and shrunk counterexample.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze, type AnalyzedChain as Chain } from '../../src/core/analyze/index.ts';
import { matchesChain, parseFilter } from '../../src/core/filter/filter.ts';
import { chainsToHar, harText } from '../../src/core/har/export.ts';
import { HarImportError, importHar } from '../../src/core/har/import/index.ts';
import type { Chain as ChainFacts } from '../../src/core/model/chain.ts';
import { hopAsCurl } from '../../src/core/present/curl.ts';
import { explainChain, explainHop } from '../../src/core/present/explain/index.ts';
import { formatChainMarkdown } from '../../src/core/present/markdown.ts';
import { formatChainTable } from '../../src/core/present/text-table.ts';
import type {
  CommitDetails,
  MetaRefreshDetails,
  RawHeader,
  RequestEvent,
  RequestEventName,
} from '../../src/core/record/events.ts';
import { Recorder, type RecorderOptions } from '../../src/core/record/recorder.ts';
import { assertValidHar } from '../support/har-validator.ts';
import {
  importAnalyzed,
  requestEvents,
  type SyntheticHop,
  type SyntheticRequest,
  UNSAFE,
  UNSAFE_EXCEPT_LF,
} from './helpers.ts';

const SEED = Number(process.env.HOPSCOPE_PROPERTY_SEED ?? 0x4b0b5c09);
const RUNS = Number(process.env.HOPSCOPE_PROPERTY_RUNS ?? 200);
fc.configureGlobal({ seed: SEED, numRuns: RUNS });
/** Larger run counts need more time than vitest's default 5 s. */
const TIMEOUT = Math.max(30_000, RUNS * 150);

// ---------------------------------------------------------------------------------------------
// Hostile strings, URLs and headers

const HOSTILE_TEXT = [
  '<img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '\u001b[2J\u001b[H',
  '\u001b]8;;https://evil.test/\u0007link\u001b]8;;\u0007',
  '\u009b31m',
  '\r\nX-Injected: 1',
  '\u202eexe.txt',
  '\u2066\u2069',
  '\u2028\u2029',
  '\ud800',
  '\udfff\ud800',
  '😀',
  'ü€',
  '\u0000',
  '%',
  '%zz',
  '"\'`$(rm -rf /)`',
  '| --- |',
  '**bold** _x_ [l](javascript:alert(1))',
];

const PATH_PIECES = [
  '/',
  '//',
  '%',
  '%2',
  '%zz',
  '%41',
  '?',
  '#',
  '&',
  '=',
  '|',
  '^',
  '{',
  '}',
  '<',
  '>',
  '"',
  "'",
  '`',
  ' ',
  '\\',
  '[',
  ']',
  '@',
  ':',
  ';',
  'ü',
  '€',
  '😀',
  '\ud800',
  '\u0000',
  '\u001b',
  '\u009b',
  '\u202e',
  '\n',
  '\t',
  '..',
  '?code=abc',
  '&access_token=t0k',
  ';jsessionid=1',
  '#frag',
];

const HOSTS = [
  'a.test',
  'b.test',
  'example.com',
  'bücher.example',
  'xn--bcher-kva.example',
  '例え.テスト',
  '[::1]',
  '[2001:db8::1]:8443',
  '[::ffff:127.0.0.1]',
  '127.0.0.1',
  '0x7f.1',
  'localhost:47801',
  'hsts.dev:8080',
  'a.test:443',
  'user:pw@a.test',
  'A.TEST',
  'a..test',
  '',
  '[::1',
  'a b.test',
  '\u202eevil.test',
];

const path = fc
  .array(fc.oneof(fc.constantFrom(...PATH_PIECES), fc.string({ maxLength: 3, unit: 'binary' })), { maxLength: 6 })
  .map((parts) => parts.join(''));

/** http(s) URLs as a server or a hostile page may write them: not canonical, maybe not URLs at all. */
const rawHttpUrl = fc
  .tuple(fc.constantFrom('http', 'https'), fc.oneof(fc.constantFrom(...HOSTS), fc.domain()), path)
  .map(([scheme, host, p]) => `${scheme}://${host}${p.startsWith('/') ? '' : '/'}${p}`);

/** The same URLs as the browser hands them to webRequest: parsed and serialized (WHATWG). */
const canonicalHttpUrl = rawHttpUrl.map((u) => {
  try {
    return new URL(u).href;
  } catch {
    return 'https://fallback.test/';
  }
});

/** A URL on a webRequest event. Mostly canonical, like Chromium's; sometimes raw. */
const eventUrl = fc.oneof({ weight: 4, arbitrary: canonicalHttpUrl }, { weight: 1, arbitrary: rawHttpUrl });

const OTHER_URLS = [
  'data:text/html,<script>alert(1)</script>',
  'blob:https://a.test/0f1e2d3c',
  'about:blank',
  'about:srcdoc',
  '/relative?next=/x',
  '../up',
  '//proto.relative/x',
  '?q=1',
  '#frag',
  'javascript:alert(1)',
  'http://[::1',
  'http://',
  'https://a b.test/',
  'chrome-extension://abcdefghijklmnop/panel.html',
  'ftp://a.test/',
  'HTTP://A.TEST/',
  ' https://lead.space/',
  'https://\u202eevil.test/',
  'http://a.test/\u001b[2J',
  'https://a.test/cb?code=secret&state=1#access_token=t',
];

/** Any string where a URL is expected: Location values, redirect targets, initiators. */
const anyUrl = fc.oneof(
  { weight: 3, arbitrary: eventUrl },
  { weight: 2, arbitrary: fc.constantFrom(...OTHER_URLS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
);
const nonEmptyUrl = anyUrl.filter((u) => u !== '');

/** 64 KB, of one character (ASCII, Latin-1, an ESC, an astral one). */
const longValue = fc.constantFrom('x', 'ü', '\u001b', '😀', '\u202e').map((c) => c.repeat(65536 / c.length));

const headerName = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'Location',
      'location',
      'Non-Authoritative-Reason',
      'Cache-Control',
      'Expires',
      'Content-Type',
      'Set-Cookie',
      'Cookie',
      'Authorization',
      'Refresh',
      'Referer',
      'Age',
      'ETag',
      'Vary',
      'Pragma',
      'Accept-Encoding',
      ':authority',
    ),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_TEXT) },
  { weight: 1, arbitrary: fc.constant(`X-${'n'.repeat(400)}`) },
);

const headerValue = fc.oneof(
  { weight: 12, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 8, arbitrary: fc.constantFrom(...HOSTILE_TEXT) },
  { weight: 8, arbitrary: anyUrl },
  {
    weight: 8,
    arbitrary: fc.constantFrom(
      'max-age=0',
      'max-age=31536000',
      'no-store',
      'Thu, 01 Jan 2099 00:00:00 GMT',
      'HSTS',
      'WebRequest API',
      'HttpsUpgrades',
      '0; url=/next',
      'text/html; charset=utf-8',
    ),
  },
  { weight: 1, arbitrary: fc.noShrink(longValue) },
);

const byte = fc.integer({ min: 0, max: 255 });
const rawHeader: fc.Arbitrary<RawHeader> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ name: headerName, value: headerValue }) },
  {
    weight: 1,
    arbitrary: fc.record({
      name: headerName,
      binaryValue: fc.oneof(
        fc.array(byte, { maxLength: 64 }),
        byte.map((b) => new Array<number>(65536).fill(b)),
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ name: headerName }) },
);

/** Header lists: short ones, and the same header repeated past the per-message cap. */
const headerList = fc.oneof(
  { weight: 30, arbitrary: fc.array(rawHeader, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.noShrink(rawHeader.map((h) => new Array<RawHeader>(250).fill(h))) },
);

const METHODS = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'post', 'PATCH', 'OPTIONS'];
const method = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...METHODS) },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 8 }) },
);
const TYPES = ['main_frame', 'sub_frame', 'xmlhttprequest', 'image', 'script', 'other'];
const REDIRECTS = [301, 302, 303, 307, 308];
const statusText = fc.oneof(
  fc.constantFrom('', 'Found', 'Moved Permanently', 'Internal Redirect', 'OK'),
  fc.constantFrom(...HOSTILE_TEXT),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const httpVersion = fc.constantFrom('HTTP/1.1', 'HTTP/2', 'HTTP/1.0', 'HTTP/3');
const statusLineFor = (status: number) =>
  fc.oneof(
    fc.tuple(httpVersion, statusText).map(([v, t]) => `${v} ${status}${t ? ` ${t}` : ''}`),
    fc.constant(undefined),
  );
const ip = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.ipV6().map((a) => `[${a}]`),
  fc.constant(undefined),
);
const timeStamp = fc.double({ min: 0, max: 4e12, noNaN: true });

// ---------------------------------------------------------------------------------------------
// Running a recorder through a sequence of actions, with persistence and worker restarts

type Action =
  | { kind: 'event'; event: RequestEvent }
  | { kind: 'commit'; details: CommitDetails }
  | { kind: 'meta'; details: MetaRefreshDetails }
  | { kind: 'flush' }
  | { kind: 'restart' };

/**
 * The recorder as the service worker holds it: events in; `flush` hands the changes to a store
 * (JSON, like storage.session); `restart` drops the recorder and restores a new one from the
 * store. Invariants are checked after every flush.
 */
class Worker {
  recorder: Recorder;
  readonly store = new Map<string, string>();
  evicted = 0;
  restarts = 0;

  constructor(readonly options: RecorderOptions) {
    this.recorder = new Recorder(options);
  }

  run(actions: readonly Action[]): void {
    for (const action of actions) this.apply(action);
    this.flush();
  }

  apply(action: Action): void {
    switch (action.kind) {
      case 'event':
        this.recorder.handle(action.event);
        return;
      case 'commit':
        this.recorder.onCommitted(action.details);
        return;
      case 'meta':
        this.recorder.noteMetaRefresh(action.details);
        return;
      case 'flush':
        this.flush();
        return;
      case 'restart': {
        this.flush();
        const persisted = [...this.store.values()].map((json) => JSON.parse(json) as Chain);
        this.recorder = new Recorder(this.options);
        this.recorder.restore(persisted, this.evicted);
        this.restarts++;
        return;
      }
    }
  }

  flush(): void {
    const changes = this.recorder.takeChanges();
    for (const id of changes.remove) this.store.delete(id);
    for (const chain of changes.put) this.store.set(chain.id, JSON.stringify(chain));
    expect(changes.evicted).toBeGreaterThanOrEqual(this.evicted);
    this.evicted = changes.evicted;
    checkInvariants(this.recorder, this.options);
    // What was persisted is exactly what the recorder holds: nothing changed without being handed over.
    const live = this.recorder.list();
    expect(new Set(this.store.keys())).toEqual(new Set(live.map((c) => c.id)));
    for (const chain of live) expect(this.store.get(chain.id)).toBe(JSON.stringify(chain));
  }
}

/** What holds for any recorded state right after takeChanges. */
function checkInvariants(recorder: Recorder, options: RecorderOptions): void {
  const chains = recorder.list().map(analyze);
  const ids = new Set<string>();
  let bytes = 0;
  for (const facts of recorder.list()) bytes += JSON.stringify(facts).length;
  for (const chain of chains) {
    expect(ids.has(chain.id), `duplicate chain id ${chain.id}`).toBe(false);
    ids.add(chain.id);
    if (options.maxHops !== undefined) expect(chain.hops.length).toBeLessThanOrEqual(options.maxHops);
    chain.hops.forEach((hop, i) => {
      expect(hop.index, `chain ${chain.id}: hop ${i} has index ${hop.index}`).toBe(i);
      if (i < chain.hops.length - 1) {
        expect(hop.redirectUrl, `chain ${chain.id}: hop ${i} is not the last, yet no redirect`).not.toBe('');
      }
      if (hop.repeatsHop !== undefined) expect(hop.repeatsHop).toBeLessThan(i);
    });
  }
  if (options.maxChains !== undefined) expect(chains.length).toBeLessThanOrEqual(options.maxChains);
  if (options.maxBytes !== undefined) expect(recorder.bytes).toBeLessThanOrEqual(options.maxBytes);
  // The byte count the caps rely on is the real size of what is kept.
  expect(recorder.bytes).toBe(bytes);
}

/** A chain's hops linked by redirect target (hop i leads to hop i+1), allowing for hops dropped by maxHops. */
function expectLinked(chain: Chain, maxHops: number): void {
  const capped = chain.hops.length >= maxHops;
  for (let i = capped ? 1 : 0; i < chain.hops.length - 1; i++) {
    expect(chain.hops[i]?.redirectUrl, `chain ${chain.id}: hop ${i} → ${i + 1}`).toBe(chain.hops[i + 1]?.url);
  }
}

/** Export, validate, import: what any recorded state must survive. */
function checkHar(facts: readonly ChainFacts[]): void {
  const chains = facts.map(analyze);
  for (const includeSensitive of [false, true]) {
    const har = chainsToHar(chains, { includeSensitive });
    assertValidHar(har);
    // The file is written entry by entry as text: it must be exactly the HAR object, serialized.
    const text = harText(chains, { includeSensitive });
    expect(text).toBe(`${JSON.stringify(har, null, 2)}\n`);
    if (har.log.entries.length === 0) {
      expect(() => importHar(text)).toThrow(HarImportError);
      continue;
    }
    const imported = importAnalyzed(text);
    const byId = new Map(imported.chains.map((c) => [c.id, c]));
    for (const chain of chains) {
      if (chain.summary.redirects < 1) continue;
      expect(byId.get(chain.id)?.hops.length, `imported hops of chain ${chain.id}`).toBe(chain.hops.length);
    }
  }
}

/** Every text rendering of every chain: never throws, never lets a control character through. */
function checkText(facts: readonly ChainFacts[]): void {
  for (const chain of facts.map(analyze)) {
    const table = formatChainTable(chain);
    expect(table).not.toMatch(UNSAFE_EXCEPT_LF);
    expect(formatChainMarkdown(chain)).not.toMatch(UNSAFE_EXCEPT_LF);
    expect(formatChainMarkdown(chain, { includeSensitive: true })).not.toMatch(UNSAFE_EXCEPT_LF);
    const whole = explainChain(chain);
    for (const line of [whole.headline, ...whole.points]) expect(line).not.toMatch(UNSAFE);
    for (const hop of chain.hops) {
      const e = explainHop(chain, hop);
      for (const line of [e.headline, ...e.points]) expect(line).not.toMatch(UNSAFE);
      expect(hopAsCurl(hop)).not.toMatch(UNSAFE_EXCEPT_LF);
      expect(hopAsCurl(hop, { includeSensitive: true })).not.toMatch(UNSAFE_EXCEPT_LF);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Consistent sequences: real requests, interleaved, with duplicates, lost starts and restarts

type Ending = 'complete' | 'error-before-response' | 'error-after-response' | 'refused-redirect';

interface RequestSpec {
  req: SyntheticRequest;
  ending: Ending;
  /** Per event: 0 deliver, 1 deliver twice, 2 lose it (when it may be lost). */
  delivery: number[];
}

const hopSpec = (redirect: boolean): fc.Arbitrary<SyntheticHop> =>
  fc
    .record({
      url: eventUrl,
      method,
      status: redirect ? fc.constantFrom(...REDIRECTS) : fc.integer({ min: 100, max: 599 }),
      requestHeaders: headerList,
      responseHeaders: headerList,
      fromCache: fc.boolean(),
      ip,
      internal: redirect ? fc.boolean() : fc.constant(false),
    })
    .chain((h) =>
      statusLineFor(h.status).map((statusLine) => {
        const hop: SyntheticHop = { ...h };
        if (statusLine !== undefined) hop.statusLine = statusLine;
        return hop;
      }),
    );

const requestSpec = (requestId: string): fc.Arbitrary<RequestSpec> =>
  fc
    .record({
      type: fc.constantFrom(...TYPES),
      tabId: fc.integer({ min: -1, max: 3 }),
      start: fc.integer({ min: 0, max: 4e12 }),
      redirects: fc.array(hopSpec(true), { maxLength: 6 }),
      last: hopSpec(false),
      ending: fc.constantFrom<Ending>(
        'complete',
        'complete',
        'error-before-response',
        'error-after-response',
        'refused-redirect',
      ),
      /** Loops: some hops go back to an earlier URL. */
      revisit: fc.array(fc.nat(), { maxLength: 3 }),
      refusedTarget: nonEmptyUrl,
      initiator: fc.option(anyUrl, { nil: undefined }),
      delivery: fc.array(fc.constantFrom(0, 0, 0, 0, 1, 2), { minLength: 64, maxLength: 64 }),
    })
    .map((r) => {
      const hops = [...r.redirects, r.last].map((h) => ({ ...h }));
      for (const n of r.revisit) {
        const from = n % hops.length;
        const to = (n >> 3) % hops.length;
        if (to < from) (hops[from] as SyntheticHop).url = (hops[to] as SyntheticHop).url;
      }
      for (let i = 0; i < hops.length - 1; i++) (hops[i] as SyntheticHop).redirectUrl = hops[i + 1]?.url;
      const last = hops.at(-1) as SyntheticHop;
      let ending = r.ending;
      if (ending === 'refused-redirect') {
        // The browser stopped following: the last hop is a redirect whose target was never requested.
        last.status = 302;
        last.statusLine = 'HTTP/1.1 302 Found';
        last.redirectUrl = r.refusedTarget;
        last.internal = false;
      } else if (ending === 'error-before-response') {
        delete last.status;
        delete last.statusLine;
      }
      if (hops.length === 1 && ending === 'refused-redirect') ending = 'complete';
      if (ending === 'complete' && last.redirectUrl) delete last.redirectUrl;
      const req: SyntheticRequest = { requestId, type: r.type, tabId: r.tabId, start: r.start, hops };
      if (r.initiator !== undefined) req.initiator = r.initiator;
      if (ending !== 'complete') req.error = ending === 'refused-redirect' ? 'net::ERR_ABORTED' : 'net::ERR_FAILED';
      return { req, ending, delivery: r.delivery };
    });

interface Delivery {
  events: RequestEvent[];
  /** The last hop's onBeforeRequest and onHeadersReceived both arrived: its status is known before an error. */
  lastStatusSeen: boolean;
}

/** The events of one request, as delivered: some twice, some lost (only those the recorder can do without). */
function delivered(spec: RequestSpec): Delivery {
  const events = requestEvents(spec.req);
  const lastHop = spec.req.hops.at(-1) as SyntheticHop;
  if (spec.ending === 'refused-redirect') {
    events.push({
      event: 'onErrorOccurred',
      details: {
        requestId: spec.req.requestId,
        url: lastHop.url,
        method: lastHop.method ?? 'GET',
        tabId: spec.req.tabId ?? 7,
        frameId: 0,
        type: spec.req.type ?? 'main_frame',
        timeStamp: (events.at(-1)?.details.timeStamp ?? 0) + 1,
        error: 'net::ERR_ABORTED',
      },
    });
  }
  const out: RequestEvent[] = [];
  const hops = spec.req.hops;
  const lastSeen = new Set<RequestEventName>();
  let hop = -1;
  events.forEach((e, i) => {
    if (e.event === 'onBeforeRequest') hop++;
    const mode = spec.delivery[i % spec.delivery.length] ?? 0;
    const essential: readonly RequestEventName[] = ['onBeforeRedirect', 'onCompleted', 'onErrorOccurred'];
    // Without its start, an error on a request for the URL that just redirected to itself cannot
    // be told from the browser refusing to follow that redirect: the start is not lost there.
    const ambiguous =
      e.event === 'onBeforeRequest' &&
      hop === hops.length - 1 &&
      spec.ending.startsWith('error') &&
      hop > 0 &&
      hops[hop - 1]?.url === hops[hop]?.url;
    if (mode === 2 && !essential.includes(e.event) && !ambiguous) return;
    if (hop === hops.length - 1) lastSeen.add(e.event);
    out.push(e);
    if (mode === 1) out.push(structuredClone(e));
  });
  return { events: out, lastStatusSeen: lastSeen.has('onBeforeRequest') && lastSeen.has('onHeadersReceived') };
}

/** Events of many requests merged in an arbitrary order that keeps each request's own order. */
function interleave(streams: RequestEvent[][], picks: readonly number[], breaks: readonly number[]): Action[] {
  const queues = streams.map((s) => [...s]);
  const actions: Action[] = [];
  const breakAt = new Map(breaks.map((b, i) => [b, i % 3 === 2 ? 'flush' : 'restart'] as const));
  for (let step = 0; ; step++) {
    const open = queues.filter((q) => q.length > 0);
    if (open.length === 0) break;
    const queue = open[(picks[step % Math.max(1, picks.length)] ?? 0) % open.length] as RequestEvent[];
    actions.push({ kind: 'event', event: queue.shift() as RequestEvent });
    const b = breakAt.get(step);
    if (b) actions.push({ kind: b });
  }
  return actions;
}

const consistentRun = fc.integer({ min: 1, max: 6 }).chain((n) =>
  fc.record({
    specs: fc.tuple(...Array.from({ length: n }, (_, i) => requestSpec(String(100 + i)))),
    picks: fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
    breaks: fc.array(fc.nat({ max: 120 }), { maxLength: 5 }),
  }),
);

function expectedStatus(spec: RequestSpec, i: number, delivery: Delivery): number | undefined {
  const hop = spec.req.hops[i] as SyntheticHop;
  const last = i === spec.req.hops.length - 1;
  if (last && spec.ending === 'error-before-response') return 0;
  // The status came with onHeadersReceived only; lost with it, or with the hop's start.
  if (last && spec.ending === 'error-after-response') return delivery.lastStatusSeen ? hop.status : undefined;
  return hop.status;
}

/**
 * Page loads in one tab, one after the other, each committed: mostly main frames, and committed
 * as client redirects (meta refresh, JavaScript), so the recorder joins them into one journey.
 */
function journeys(specs: readonly RequestSpec[], qualifiers: ReadonlyArray<readonly string[] | undefined>): Action[] {
  const actions: Action[] = [];
  specs.forEach((spec, i) => {
    const req: SyntheticRequest = { ...spec.req, tabId: 1, type: i === 2 ? (spec.req.type ?? 'other') : 'main_frame' };
    actions.push(...requestEvents(req).map((event) => ({ kind: 'event', event }) as const));
    const last = req.hops.at(-1) as SyntheticHop;
    const details: CommitDetails = { tabId: 1, frameId: 0, url: last.url, timeStamp: (req.start ?? 0) + 100 };
    const q = qualifiers[i];
    if (q) details.transitionQualifiers = [...q];
    actions.push({ kind: 'commit', details });
  });
  return actions;
}

describe('recorder properties', () => {
  it(
    'consistent sequences, interleaved over many requests, duplicated, with lost starts and worker restarts: every request recorded exactly, hops in order and linked',
    () => {
      fc.assert(
        fc.property(consistentRun, ({ specs, picks, breaks }) => {
          const deliveries = specs.map(delivered);
          const worker = new Worker({ maxHops: 100, maxBytes: 1e9 });
          worker.run(
            interleave(
              deliveries.map((d) => d.events),
              picks,
              breaks,
            ),
          );
          const chains = worker.recorder.list();
          specs.forEach((spec, s) => {
            const { req } = spec;
            const mine = chains.filter((c) => c.requestId === req.requestId);
            const kept = req.type === 'main_frame' || req.hops.length > 1;
            if (!kept) {
              expect(mine).toEqual([]);
              return;
            }
            expect(mine.length, `chains of request ${req.requestId}`).toBe(1);
            const chain = mine[0] as Chain;
            expectLinked(chain, 100);
            expect(chain.hops.map((h) => [h.url, h.redirectUrl])).toEqual(
              req.hops.map((h) => [h.url, h.redirectUrl ?? '']),
            );
            chain.hops.forEach((h, i) => {
              const status = expectedStatus(spec, i, deliveries[s] as Delivery);
              if (status !== undefined) expect(h.statusCode, `status of hop ${i}`).toBe(status);
              expect(h.method).toBe((req.hops[i]?.method ?? 'GET').toUpperCase());
            });
            const outcome = chain.outcome;
            if (spec.ending === 'complete') {
              expect(outcome).toEqual({ state: 'completed', statusCode: req.hops.at(-1)?.status });
            } else {
              expect(outcome.state).toBe('error');
            }
            expect(chain.pending).toBeUndefined();
          });
          checkHar(chains);
          checkText(chains);
        }),
      );
    },
    TIMEOUT,
  );

  // -------------------------------------------------------------------------------------------
  // Chaos: any event for any id, in any order, with any fields

  const requestId = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('1', '2', '3', '4') },
    { weight: 1, arbitrary: fc.constantFrom('1~2', 'unknown', '__proto__', 'constructor', '9'.repeat(30)) },
  );

  const base = fc.record({
    requestId,
    url: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('https://a.test/', 'https://a.test/1', 'http://a.test/1') },
      { weight: 3, arbitrary: eventUrl },
      { weight: 1, arbitrary: anyUrl },
    ),
    method,
    tabId: fc.integer({ min: -1, max: 2 }),
    frameId: fc.constantFrom(0, 0, 1),
    type: fc.constantFrom(...TYPES),
    timeStamp: fc.oneof(timeStamp, fc.constantFrom(0, 1, 2)),
    initiator: fc.option(anyUrl, { nil: undefined }),
  });
  const response = fc.record({
    statusCode: fc.oneof(fc.constantFrom(...REDIRECTS, 200, 0, 404), fc.integer({ min: 0, max: 999 })),
    statusLine: fc.option(
      fc.oneof(
        statusText,
        fc.tuple(httpVersion, fc.integer({ min: 0, max: 999 }), statusText).map(([v, c, t]) => `${v} ${c} ${t}`),
      ),
      { nil: undefined },
    ),
    responseHeaders: fc.option(headerList, { nil: undefined }),
    fromCache: fc.option(fc.boolean(), { nil: undefined }),
    ip,
  });
  const chaosEvent: fc.Arbitrary<Action> = fc.oneof(
    {
      weight: 3,
      arbitrary: base.map((d) => ({ kind: 'event', event: { event: 'onBeforeRequest', details: d } }) as const),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(base, fc.option(headerList, { nil: undefined }), fc.constantFrom('onBeforeSendHeaders', 'onSendHeaders'))
        .map(
          ([d, requestHeaders, event]) =>
            ({ kind: 'event', event: { event, details: { ...d, requestHeaders } } }) as Action,
        ),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(base, response, fc.constantFrom('onHeadersReceived', 'onResponseStarted', 'onCompleted'))
        .map(([d, r, event]) => ({ kind: 'event', event: { event, details: { ...d, ...r } } }) as Action),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(base, response, nonEmptyUrl)
        .map(
          ([d, r, redirectUrl]) =>
            ({ kind: 'event', event: { event: 'onBeforeRedirect', details: { ...d, ...r, redirectUrl } } }) as const,
        ),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          base,
          fc.constantFrom('net::ERR_ABORTED', 'net::ERR_TOO_MANY_REDIRECTS', 'net::ERR_FAILED', '\u001b[2J', ''),
        )
        .map(
          ([d, error]) => ({ kind: 'event', event: { event: 'onErrorOccurred', details: { ...d, error } } }) as const,
        ),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({
          tabId: fc.integer({ min: -1, max: 2 }),
          frameId: fc.constantFrom(0, 0, 1),
          url: fc.oneof(fc.constantFrom('https://a.test/', 'https://a.test/1', 'http://a.test/1'), eventUrl),
          transitionQualifiers: fc.option(fc.subarray(['client_redirect', 'server_redirect', 'from_address_bar']), {
            nil: undefined,
          }),
          timeStamp,
        })
        .map((details) => ({ kind: 'commit', details }) as const),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({ tabId: fc.integer({ min: -1, max: 2 }), url: eventUrl, content: headerValue, timeStamp })
        .map((details) => ({ kind: 'meta', details }) as const),
    },
    { weight: 1, arbitrary: fc.constantFrom<Action>({ kind: 'flush' }, { kind: 'restart' }) },
  );
  /** Chaos around real requests: some events exact, some made up, some repeated. */
  const chaosRun = fc.record({
    real: fc
      .tuple(
        fc.nat({ max: 3 }),
        fc.tuple(requestSpec('1'), requestSpec('2'), requestSpec('3')),
        fc.array(fc.constantFrom(['client_redirect'], ['client_redirect', 'server_redirect'], [], undefined), {
          minLength: 3,
          maxLength: 3,
        }),
      )
      .map(([count, specs, qualifiers]) => journeys(specs.slice(0, count), qualifiers)),
    noise: fc.array(chaosEvent, { maxLength: 40 }),
    picks: fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }),
    repeat: fc.array(fc.nat(), { maxLength: 5 }),
    caps: fc.record({
      maxChains: fc.integer({ min: 1, max: 6 }),
      maxBytes: fc.integer({ min: 1_000, max: 400_000 }),
      maxHops: fc.integer({ min: 1, max: 8 }),
    }),
  });

  it(
    'any events for any ids, in any order, with any fields and tight caps: never throws, invariants and caps hold, HAR validates, text is inert',
    () => {
      fc.assert(
        fc.property(chaosRun, ({ real, noise, picks, repeat, caps }) => {
          const actions: Action[] = [];
          // Copies: generated values are reused while shrinking, so they are never consumed.
          const r = [...real];
          const n = [...noise];
          let step = 0;
          while (r.length || n.length) {
            const fromReal = (picks[step++ % picks.length] && r.length) || !n.length;
            actions.push((fromReal ? r.shift() : n.shift()) as Action);
          }
          for (const n of repeat)
            if (actions.length) actions.splice(n % actions.length, 0, actions[(n >> 2) % actions.length] as Action);
          const worker = new Worker(caps);
          worker.run(actions);
          const chains = worker.recorder.list();
          checkHar(chains);
          checkText(chains);
          const filter = parseFilter('is:redirect -is:cached status:3xx host:a.test hops:>1 "a.test/1"');
          for (const chain of chains) matchesChain(filter, analyze(chain));
        }),
      );
    },
    TIMEOUT,
  );
});

// ---------------------------------------------------------------------------------------------
// The filter box

describe('filter properties', () => {
  const token = fc
    .tuple(
      fc.constantFrom('', '-', '--', '"'),
      fc.constantFrom('status', 'method', 'is', 'host', 'type', 'hops', '', 'nope', 'STATUS', '__proto__'),
      fc.constantFrom(':', '', '::', ':"'),
      fc.oneof(
        fc.constantFrom(
          '3xx',
          '>=400',
          '<',
          '>',
          '>=',
          '307,308',
          ',',
          'x',
          '1e999',
          '99999999999999999999',
          '-1',
          'redirect',
          'hsts',
          'xn--',
          '[::1]',
          '.',
          '*',
          '"',
        ),
        fc.string({ unit: 'binary', maxLength: 12 }),
        fc.constantFrom(...HOSTILE_TEXT),
      ),
    )
    .map((parts) => parts.join(''));
  const input = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.array(token, { maxLength: 8 }).map((t) => t.join(' ')),
    fc.constantFrom('"'.repeat(10_000), '-'.repeat(10_000), 'a:'.repeat(5_000), ' \t\n\u00a0\u3000'),
  );

  it('parseFilter never throws on any string, and its filter matches any chain without throwing', () => {
    const worker = new Worker({});
    worker.run(
      requestEvents({
        requestId: '1',
        hops: [
          { url: 'https://a.test/', method: 'POST', status: 302, redirectUrl: 'http://b.test/' },
          { url: 'http://b.test/', status: 404 },
        ],
      }).map((event) => ({ kind: 'event', event }) as const),
    );
    const chains = worker.recorder.list();
    fc.assert(
      fc.property(input, (text) => {
        const filter = parseFilter(text);
        expect(Array.isArray(filter.errors)).toBe(true);
        for (const chain of chains) expect(typeof matchesChain(filter, analyze(chain))).toBe('boolean');
      }),
    );
  });
});
