import { describe, expect, it } from 'vitest';
import { analyze, type AnalyzedChain as Chain, type AnalyzedHop as Hop } from '../../src/core/analyze/index.ts';
import type { Chain as ChainFacts } from '../../src/core/model/chain.ts';
import { getHeader } from '../../src/core/model/headers.ts';
import type { RequestEvent } from '../../src/core/record/events.ts';
import { type ChainListener, Recorder } from '../../src/core/record/recorder.ts';
import {
  chainsOf,
  type FixtureName,
  factsOf,
  feed,
  hopAt,
  loadFixture,
  onlyChain,
  record,
  redirectedRequest,
  requestEvents,
  roundTrip,
  syntheticHstsPreload,
  withRequestId,
} from './helpers.ts';

const L = 'http://localhost:47801';

/** What a user reads off one hop row. */
function row(hop: Hop) {
  return {
    status: hop.statusCode,
    statusText: hop.statusText,
    method: hop.method,
    url: hop.url,
    redirectUrl: hop.redirectUrl,
    cache: hop.cache.verdict,
    fromCache: hop.fromCache,
    kind: hop.kind,
  };
}

function indexOfNth(events: readonly RequestEvent[], name: RequestEvent['event'], n: number, requestId?: string) {
  let seen = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as RequestEvent;
    if (e.event === name && (requestId === undefined || e.details.requestId === requestId) && ++seen === n) return i;
  }
  throw new Error(`no ${name} #${n}`);
}

/** Records `before` in one recorder, persists it like the worker does, restores into a fresh one, feeds `after`. */
function acrossRestart(before: readonly RequestEvent[], after: readonly RequestEvent[]): Recorder {
  const a = record(before);
  const changes = a.takeChanges();
  const b = new Recorder();
  b.restore(roundTrip(changes.put), changes.evicted);
  return feed(b, after);
}

describe('recorded fixtures: what the user sees, hop by hop', () => {
  it('chain-3xx: 301 → 302 → 303 → 307 → 308 → 200 is one chain with relative Locations made absolute', () => {
    const chain = onlyChain('chain-3xx');
    expect(chain.type).toBe('main_frame');
    expect(chain.hops.map(row)).toEqual([
      {
        status: 301,
        statusText: 'Moved Permanently',
        method: 'GET',
        url: `${L}/chain/start`,
        redirectUrl: `${L}/chain/2`,
        cache: 'cacheable-by-default',
        fromCache: false,
        kind: 'server',
      },
      {
        status: 302,
        statusText: 'Found',
        method: 'GET',
        url: `${L}/chain/2`,
        redirectUrl: `${L}/chain/3`,
        cache: 'not-cacheable',
        fromCache: false,
        kind: 'server',
      },
      {
        status: 303,
        statusText: 'See Other',
        method: 'GET',
        url: `${L}/chain/3`,
        redirectUrl: `${L}/chain/4`, // Location: 4
        cache: 'not-cacheable',
        fromCache: false,
        kind: 'server',
      },
      {
        status: 307,
        statusText: 'Temporary Redirect',
        method: 'GET',
        url: `${L}/chain/4`,
        redirectUrl: `${L}/chain/5`,
        cache: 'not-cacheable',
        fromCache: false,
        kind: 'server',
      },
      {
        status: 308,
        statusText: 'Permanent Redirect',
        method: 'GET',
        url: `${L}/chain/5`,
        redirectUrl: `${L}/chain/final`, // Location: final
        cache: 'cacheable-by-default',
        fromCache: false,
        kind: 'server',
      },
      {
        status: 200,
        statusText: 'OK',
        method: 'GET',
        url: `${L}/chain/final`,
        redirectUrl: '',
        cache: 'not-cacheable',
        fromCache: false,
        kind: 'server',
      },
    ]);
    expect(chain.hops.map((h) => h.index)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const hop of chain.hops) {
      expect(hop.httpVersion).toBe('HTTP/1.1');
      expect(hop.ip).toBe('::1');
      expect(getHeader(hop.requestHeaders, 'user-agent')).toContain('Chrom');
      expect(hop.endTime).toBeGreaterThanOrEqual(hop.startTime);
    }
    expect(chain.hops.slice(0, 5).map((h) => h.methodChange?.kind)).toEqual(['none', 'none', 'none', 'none', 'none']);
    expect(hopAt(chain, 5).methodChange).toBeUndefined();
    expect(chain.outcome).toEqual({ state: 'completed', statusCode: 200 });
    expect(chain.summary).toEqual({
      redirects: 5,
      internal: false,
      methodChanged: false,
      fromCache: false,
      loop: false,
      downgrade: false,
      crossOrigin: false,
      error: false,
    });
    expect(chain.pending).toBeUndefined();
    expect(chain.endTime).toBe(hopAt(chain, 5).endTime);
  });

  it.each([
    [301, 'Moved Permanently', 'GET', 'changed', true],
    [302, 'Found', 'GET', 'changed', true],
    [303, 'See Other', 'GET', 'changed', true],
    [307, 'Temporary Redirect', 'POST', 'kept', false],
    [308, 'Permanent Redirect', 'POST', 'kept', false],
  ] as const)('post-%i: POST → %s %s, then %s /echo', (code, statusText, next, kind, bodyDropped) => {
    const chain = onlyChain(`post-${code}` as FixtureName);
    expect(chain.hops).toHaveLength(2);
    const [redirect, echo] = [hopAt(chain, 0), hopAt(chain, 1)];
    expect(redirect).toMatchObject({
      method: 'POST',
      statusCode: code,
      statusText,
      url: `${L}/post/${code}`,
      redirectUrl: `${L}/echo`,
    });
    expect(redirect.methodChange).toMatchObject({ kind, from: 'POST', to: next, bodyDropped });
    expect(redirect.methodChange?.reason).toMatch(new RegExp(`${code}`));
    expect(echo).toMatchObject({ method: next, statusCode: 200, url: `${L}/echo`, redirectUrl: '' });
    expect(chain.summary.methodChanged).toBe(kind === 'changed');
    expect(chain.initiator).toBe('null');
    expect(chain.outcome).toEqual({ state: 'completed', statusCode: 200 });
  });

  it.each([
    ['cache-301', 301, 'cacheable-by-default'],
    ['cache-308', 308, 'cacheable-by-default'],
    ['cache-307-max-age', 307, 'cacheable-explicit'],
  ] as const)('%s: the second visit takes the %i from the cache', (name, code, firstVerdict) => {
    const chains = chainsOf(name);
    expect(chains).toHaveLength(2);
    const [first, second] = chains as [Chain, Chain];
    expect(hopAt(first, 0)).toMatchObject({ statusCode: code, fromCache: false, cache: { verdict: firstVerdict } });
    expect(first.summary.fromCache).toBe(false);
    expect(hopAt(second, 0)).toMatchObject({
      statusCode: code,
      fromCache: true,
      cache: { verdict: 'from-cache' },
      redirectUrl: `${L}/cache/final?from=${code}`,
    });
    expect(hopAt(second, 0).cache.reason).toMatch(/not contacted/);
    // The target itself was fetched again.
    expect(hopAt(second, 1)).toMatchObject({ statusCode: 200, fromCache: false });
    expect(second.summary.fromCache).toBe(true);
    expect(second.summary.redirects).toBe(1);
  });

  it('cache-302: never from the cache, not cacheable on either visit', () => {
    const chains = chainsOf('cache-302');
    expect(chains).toHaveLength(2);
    for (const chain of chains) {
      expect(hopAt(chain, 0)).toMatchObject({ statusCode: 302, fromCache: false, cache: { verdict: 'not-cacheable' } });
      expect(hopAt(chain, 0).cache.reason).toMatch(/explicit freshness/);
      expect(chain.summary.fromCache).toBe(false);
    }
  });

  it('hsts-midchain: a redirect to an HSTS host over http gets the upgrade webRequest hides, inferred', () => {
    const chains = chainsOf('hsts-midchain');
    const chain = chains.find((c) => hopAt(c, 0).url === 'http://a.test:47801/sts/via') as Chain;
    // Chromium 156: onBeforeRequest names http://sts.test, onBeforeSendHeaders on name https://.
    expect(chain.hops.map((h) => `${h.statusCode} ${h.url}`)).toEqual([
      '302 http://a.test:47801/sts/via',
      '307 http://sts.test:47801/sts/page',
      '200 https://sts.test:47801/sts/page',
    ]);
    const hsts = hopAt(chain, 1);
    expect(hsts).toMatchObject({
      statusText: 'Internal Redirect',
      kind: 'internal',
      internalReason: 'HSTS',
      inferred: true,
      method: 'GET',
      redirectUrl: 'https://sts.test:47801/sts/page',
      fromCache: false,
    });
    expect(hsts.ip).toBeUndefined();
    // The upgrade lasts from the http request's start to the https request's first event.
    expect(hsts.startTime).toBeLessThanOrEqual(hsts.endTime);
    expect(hopAt(chain, 2).startTime).toBe(hsts.endTime);
    expect(hopAt(chain, 2)).toMatchObject({ kind: 'server', ip: '127.0.0.1' });
    expect(chain.outcome.state).toBe('completed');
    expect(chain.summary).toMatchObject({ redirects: 2, internal: true, downgrade: false });
  });

  it('hsts-midchain: nothing is inferred when the next event names another host, port or path', () => {
    for (const other of [
      'https://sts.test:47802/sts/page',
      'https://other.test:47801/sts/page',
      'https://sts.test:47801/sts/other',
      'http://sts.test:47801/sts/page?x',
    ]) {
      const events = loadFixture('hsts-midchain').map((e) =>
        e.details.url === 'https://sts.test:47801/sts/page' ? { ...e, details: { ...e.details, url: other } } : e,
      ) as RequestEvent[];
      const chain = chainsOf(events).find((c) => hopAt(c, 0).url === 'http://a.test:47801/sts/via') as Chain;
      expect(
        chain.hops.some((h) => h.inferred),
        other,
      ).toBe(false);
    }
  });

  it('hsts-header: the upgrade is an internal 307 hop without ip, not cacheable, port kept', () => {
    const chains = chainsOf('hsts-header');
    // /sts/set (sets the header) and /sts/page (upgraded); the favicons are not chains.
    expect(chains.map((c) => hopAt(c, 0).url)).toEqual([
      'https://sts.test:47801/sts/set',
      'http://sts.test:47801/sts/page',
    ]);
    const chain = chains[1] as Chain;
    expect(chain.hops).toHaveLength(2);
    const hsts = hopAt(chain, 0);
    expect(hsts).toMatchObject({
      statusCode: 307,
      statusText: 'Internal Redirect',
      httpVersion: 'HTTP/1.1',
      kind: 'internal',
      internalReason: 'HSTS',
      method: 'GET',
      fromCache: false,
      redirectUrl: 'https://sts.test:47801/sts/page',
      downgrade: false,
      requestHeaders: [],
      cache: { verdict: 'not-applicable' },
    });
    expect(hsts.ip).toBeUndefined();
    expect(hsts.methodChange?.kind).toBe('none');
    expect(hopAt(chain, 1)).toMatchObject({
      statusCode: 200,
      kind: 'server',
      url: 'https://sts.test:47801/sts/page',
      ip: '127.0.0.1',
    });
    expect(chain.summary.internal).toBe(true);
    expect(chain.summary.redirects).toBe(1);
    expect(chains[0]?.summary.internal).toBe(false);
  });

  it('hsts-preload as recorded: this Chromium build did not upgrade, so one plain 200 hop', () => {
    const chain = onlyChain('hsts-preload');
    expect(chain.hops.map(row)).toEqual([
      {
        status: 200,
        statusText: 'OK',
        method: 'GET',
        url: 'http://hsts.dev:47801/',
        redirectUrl: '',
        cache: 'not-cacheable',
        fromCache: false,
        kind: 'server',
      },
    ]);
  });

  it('hsts-preload, synthetic: http://hsts.dev → internal 307 (HSTS) → https, recorded like the header case', () => {
    const chain = onlyChain(syntheticHstsPreload());
    expect(chain.hops.map(row)).toEqual([
      {
        status: 307,
        statusText: 'Internal Redirect',
        method: 'GET',
        url: 'http://hsts.dev:47801/',
        redirectUrl: 'https://hsts.dev:47801/',
        cache: 'not-applicable',
        fromCache: false,
        kind: 'internal',
      },
      {
        status: 200,
        statusText: 'OK',
        method: 'GET',
        url: 'https://hsts.dev:47801/',
        redirectUrl: '',
        cache: 'not-cacheable',
        fromCache: false,
        kind: 'server',
      },
    ]);
    expect(hopAt(chain, 0).internalReason).toBe('HSTS');
    expect(hopAt(chain, 0).ip).toBeUndefined();
    expect(chain.summary).toMatchObject({ internal: true, redirects: 1, downgrade: false, error: false });
  });

  it('loop: 20 redirect hops, then the browser gives up; the user sees a loop, not a plain abort', () => {
    const chain = onlyChain('loop');
    expect(chain.hops).toHaveLength(20);
    chain.hops.forEach((hop, i) => {
      const [from, to] = i % 2 === 0 ? ['a', 'b'] : ['b', 'a'];
      expect(hop).toMatchObject({
        index: i,
        statusCode: 302,
        statusText: 'Found',
        url: `${L}/loop/${from}`,
        redirectUrl: `${L}/loop/${to}`,
      });
      expect(hop.repeatsHop).toBe(i < 2 ? undefined : i % 2);
      expect(hop.error).toBeUndefined();
    });
    expect(chain.outcome).toEqual({ state: 'error', error: 'net::ERR_ABORTED', tooManyRedirects: true });
    expect(chain.summary).toMatchObject({ loop: true, error: true, redirects: 20 });
  });

  it('downgrade: https → http is flagged on the redirecting hop and in the summary', () => {
    const chain = onlyChain('downgrade');
    expect(chain.hops.map((h) => [h.statusCode, h.url, h.redirectUrl, h.downgrade, h.crossOrigin])).toEqual([
      [301, 'https://secure.test:47801/downgrade', 'http://plain.test:47801/downgrade/landed', true, true],
      [200, 'http://plain.test:47801/downgrade/landed', '', false, false],
    ]);
    expect(chain.summary).toMatchObject({ downgrade: true, crossOrigin: true, redirects: 1 });
  });

  it('cross-host: a.test → b.test → localhost, each hop with its own server address', () => {
    const chain = onlyChain('cross-host');
    expect(chain.hops.map((h) => [h.statusCode, h.url, h.crossOrigin, h.ip])).toEqual([
      [302, 'http://a.test:47801/hop', true, '127.0.0.1'],
      [302, 'http://b.test:47801/hop', true, '127.0.0.1'],
      [200, `${L}/hop/final`, false, '::1'],
    ]);
    expect(chain.summary).toMatchObject({ crossOrigin: true, downgrade: false, redirects: 2 });
  });

  it('ok: a main-frame load without redirect is kept as one hop', () => {
    const chain = onlyChain('ok');
    expect(chain.hops.map(row)).toEqual([
      {
        status: 200,
        statusText: 'OK',
        method: 'GET',
        url: `${L}/ok`,
        redirectUrl: '',
        cache: 'not-cacheable',
        fromCache: false,
        kind: 'server',
      },
    ]);
    expect(hopAt(chain, 0).methodChange).toBeUndefined();
    expect(chain.outcome).toEqual({ state: 'completed', statusCode: 200 });
    expect(chain.summary).toMatchObject({ redirects: 0, loop: false, error: false });
  });

  it('unreachable: the failed hop is kept with its net error; the chain ends in error', () => {
    const chain = onlyChain('unreachable');
    expect(chain.hops).toHaveLength(1);
    const hop = hopAt(chain, 0);
    expect(hop).toMatchObject({
      url: 'http://localhost:47899/',
      method: 'GET',
      statusCode: 0,
      statusText: '',
      error: 'net::ERR_CONNECTION_REFUSED',
      cache: { verdict: 'not-applicable' },
      redirectUrl: '',
    });
    expect(hop.ip).toBeUndefined();
    expect(getHeader(hop.requestHeaders, 'accept')).toBeDefined();
    expect(chain.outcome).toEqual({ state: 'error', error: 'net::ERR_CONNECTION_REFUSED' });
    expect(chain.summary).toMatchObject({ error: true, loop: false, redirects: 0 });
  });

  it('burst-small: the page and five interleaved fetch() chains of three hops each', () => {
    const events = loadFixture('burst-small');
    const chains = chainsOf(events);
    expect(chains.map((c) => c.type)).toEqual(['main_frame', ...Array(5).fill('xmlhttprequest')]);
    const page = chains[0] as Chain;
    expect(page.hops.map((h) => [h.statusCode, h.url])).toEqual([[200, `${L}/burst?n=5`]]);
    for (let n = 0; n < 5; n++) {
      const chain = chains.find((c) => hopAt(c, 0).url === `${L}/burst/r/${n}`);
      if (!chain) throw new Error(`no chain for /burst/r/${n}`);
      expect(chain.hops.map((h) => [h.statusCode, h.url, h.redirectUrl])).toEqual([
        [302, `${L}/burst/r/${n}`, `${L}/burst/f/${n}`],
        [302, `${L}/burst/f/${n}`, `${L}/burst/done/${n}`],
        [200, `${L}/burst/done/${n}`, ''],
      ]);
      expect(chain.initiator).toBe(L);
      expect(chain.outcome).toEqual({ state: 'completed', statusCode: 200 });
      // The first hop started before it was known to redirect: its start and headers are not lost.
      const start = events.find(
        (e) => e.event === 'onBeforeRequest' && e.details.url === `${L}/burst/r/${n}`,
      ) as RequestEvent;
      expect(chain.startTime).toBe(start.details.timeStamp);
      expect(hopAt(chain, 0).startTime).toBe(start.details.timeStamp);
      expect(hopAt(chain, 0).requestHeaders.length).toBeGreaterThan(0);
    }
  });

  it.each(['chain-3xx', 'downgrade', 'hsts-header', 'hsts-preload'] as const)(
    '%s: the favicon (a subresource that was not redirected) is not kept',
    (name) => {
      const events = loadFixture(name);
      expect(events.some((e) => e.details.url.endsWith('/favicon.ico'))).toBe(true);
      const recorder = record(events);
      expect(recorder.list().filter((c) => c.type !== 'main_frame')).toEqual([]);
      expect(
        recorder
          .list()
          .flatMap((c) => c.hops)
          .filter((h) => h.url.endsWith('/favicon.ico')),
      ).toEqual([]);
      expect(recorder.takeChanges().put.every((c) => c.type === 'main_frame')).toBe(true);
    },
  );

  it('a redirected image is kept, from its first request on', () => {
    const chain = onlyChain(redirectedRequest('img1', 1, 'image'));
    expect(chain.type).toBe('image');
    expect(chain.hops.map((h) => [h.statusCode, h.url])).toEqual([
      [302, 'https://app.test/r/1'],
      [200, 'https://app.test/done/1'],
    ]);
  });

  it('ignores non-http URLs and URLs the options say to ignore', () => {
    const own = withRequestId(loadFixture('ok'), 'own').map(
      (e) => ({ ...e, details: { ...e.details, url: 'chrome-extension://abc/panel.html' } }) as RequestEvent,
    );
    const ignored = withRequestId(loadFixture('chain-3xx'), 'ign');
    const recorder = record([...own, ...ignored, ...loadFixture('ok')], {
      ignoreUrl: (url) => url.includes('/chain/'),
    });
    expect(recorder.list().map((c) => hopAt(c, 0).url)).toEqual([`${L}/ok`]);
  });
});

describe('worker restart mid-chain', () => {
  const fixtures: Array<[string, () => RequestEvent[]]> = [
    ['chain-3xx', () => loadFixture('chain-3xx')],
    ['post-303', () => loadFixture('post-303')],
    ['post-307', () => loadFixture('post-307')],
    ['hsts-header', () => loadFixture('hsts-header')],
    ['hsts-preload (synthetic)', syntheticHstsPreload],
    ['loop', () => loadFixture('loop')],
    ['cache-308', () => loadFixture('cache-308')],
    ['cross-host', () => loadFixture('cross-host')],
    ['unreachable', () => loadFixture('unreachable')],
  ];

  it.each(fixtures)('%s: a restart after any event gives the same chains as one recorder', (_name, load) => {
    const events = load();
    const expected = roundTrip(factsOf(events));
    for (let k = 0; k <= events.length; k++) {
      const b = acrossRestart(events.slice(0, k), events.slice(k));
      expect(roundTrip(b.list()), `restart after event ${k}`).toEqual(expected);
    }
  });

  it('burst-small: a restart after any event loses no hop (subresources not yet redirected are not persisted)', () => {
    const events = loadFixture('burst-small');
    const summary = (chains: ChainFacts[]) =>
      chains.map((c) => c.hops.map((h) => `${h.method} ${h.statusCode} ${h.url} → ${h.redirectUrl}`));
    const expected = summary(factsOf(events));
    for (let k = 0; k <= events.length; k++) {
      const b = acrossRestart(events.slice(0, k), events.slice(k));
      expect(summary(b.list()), `restart after event ${k}`).toEqual(expected);
    }
  });

  /** The restart falls between hop N's onBeforeRequest and its onBeforeRedirect / onCompleted. */
  function lostStart(events: RequestEvent[], hop: number, persistedAfter: 'previous-hop' | 'own-start') {
    const start = indexOfNth(events, 'onBeforeRequest', hop + 1);
    const end = events.findIndex(
      (e, i) =>
        i > start && (e.event === 'onBeforeRedirect' || e.event === 'onCompleted' || e.event === 'onErrorOccurred'),
    );
    const before = events.slice(0, persistedAfter === 'own-start' ? start + 1 : start);
    return acrossRestart(before, events.slice(end));
  }

  it.each(['previous-hop', 'own-start'] as const)(
    'chain-3xx: the start events of hop 2 are lost (persisted after %s); no hop is lost',
    (persistedAfter) => {
      const events = loadFixture('chain-3xx');
      const expected = onlyChain(events).hops.map(row);
      const chain = analyze(lostStart(events, 1, persistedAfter).list()[0] as ChainFacts);
      expect(chain.hops.map(row)).toEqual(expected);
      expect(chain.hops.map((h) => h.methodChange?.kind)).toEqual(['none', 'none', 'none', 'none', 'none', undefined]);
      expect(chain.outcome).toEqual({ state: 'completed', statusCode: 200 });
    },
  );

  it.each([
    ['post-303', 'GET', 'changed', true],
    ['post-307', 'POST', 'kept', false],
  ] as const)(
    '%s: the start of the hop after the redirect is lost; its method is still %s',
    (name, method, kind, dropped) => {
      const chain = analyze(lostStart(loadFixture(name), 1, 'previous-hop').list()[0] as ChainFacts);
      expect(chain.hops.map((h) => [h.method, h.statusCode])).toEqual([
        ['POST', Number(name.slice(-3))],
        [method, 200],
      ]);
      expect(hopAt(chain, 0).methodChange).toMatchObject({ kind, from: 'POST', to: method, bodyDropped: dropped });
      expect(chain.summary.methodChanged).toBe(kind === 'changed');
    },
  );

  it('chain-3xx: persisted while hop 1 was under way, then its end and hop 2’s start are lost: no hop shows another hop’s URL', () => {
    const events = loadFixture('chain-3xx');
    const full = onlyChain(events);
    const keep = indexOfNth(events, 'onBeforeRequest', 1) + 1; // hop 1 started, nothing more persisted
    const resume = indexOfNth(events, 'onBeforeRedirect', 2); // hop 2 ends in the new worker
    const chain = acrossRestart(events.slice(0, keep), events.slice(resume)).list()[0] as Chain;
    const truth = new Set(full.hops.map((h) => `${h.statusCode} ${h.url} → ${h.redirectUrl}`));
    for (const hop of chain.hops) expect(truth).toContain(`${hop.statusCode} ${hop.url} → ${hop.redirectUrl}`);
    expect(chain.hops.map((h) => h.url).slice(-5)).toEqual(full.hops.slice(1).map((h) => h.url));
    expect(chain.outcome).toEqual({ state: 'completed', statusCode: 200 });
  });

  it('a hop whose every start event was lost still gets a chain when it redirects (restart path)', () => {
    const redirect = loadFixture('burst-small').find(
      (e) => e.event === 'onBeforeRedirect' && e.details.url === `${L}/burst/r/0`,
    ) as RequestEvent;
    const chain = onlyChain([redirect]);
    expect(chain.type).toBe('xmlhttprequest');
    expect(chain.hops.map((h) => [h.method, h.statusCode, h.url, h.redirectUrl])).toEqual([
      ['GET', 302, `${L}/burst/r/0`, `${L}/burst/f/0`],
    ]);
    expect(chain.outcome.state).toBe('pending');
  });
});

describe('odd event sequences', () => {
  it.each(['chain-3xx', 'loop', 'burst-small', 'unreachable', 'hsts-header', 'cache-301'] as const)(
    '%s: every event delivered twice gives the same chains as once',
    (name) => {
      const events = loadFixture(name);
      const twice = events.flatMap((e) => [e, structuredClone(e)]);
      expect(roundTrip(chainsOf(twice))).toEqual(roundTrip(chainsOf(events)));
    },
  );

  it('events for requestIds it never saw start are ignored unless they end a main frame or redirect', () => {
    const recorder = new Recorder();
    const ghost = { requestId: 'ghost', url: 'https://x.test/a', method: 'GET', timeStamp: 1, type: 'image' };
    recorder.handle({ event: 'onBeforeSendHeaders', details: { ...ghost, requestHeaders: [] } });
    recorder.handle({ event: 'onSendHeaders', details: { ...ghost, requestHeaders: [] } });
    recorder.handle({
      event: 'onHeadersReceived',
      details: { ...ghost, statusCode: 200, statusLine: 'HTTP/1.1 200 OK' },
    });
    recorder.handle({ event: 'onResponseStarted', details: { ...ghost, statusCode: 200 } });
    recorder.handle({ event: 'onCompleted', details: { ...ghost, statusCode: 200 } });
    recorder.handle({ event: 'onErrorOccurred', details: { ...ghost, requestId: 'ghost2', error: 'net::ERR_FAILED' } });
    expect(recorder.list()).toEqual([]);
    expect(recorder.takeChanges().put).toEqual([]);

    // A main frame that finished after a restart: still what the user navigated to.
    recorder.handle({
      event: 'onCompleted',
      details: { ...ghost, requestId: 'nav', type: 'main_frame', statusCode: 200, statusLine: 'HTTP/1.1 200 OK' },
    });
    expect(recorder.list().map((c) => c.hops.map((h) => [h.statusCode, h.url]))).toEqual([[[200, 'https://x.test/a']]]);
  });

  it('an HSTS hop of a subresource (only onBeforeRequest → onBeforeRedirect) starts the chain', () => {
    const events = requestEvents({
      requestId: 'x1',
      type: 'xmlhttprequest',
      initiator: 'https://app.test',
      hops: [
        {
          url: 'http://api.dev/v1',
          internal: true,
          status: 307,
          statusLine: 'HTTP/1.1 307 Internal Redirect',
          redirectUrl: 'https://api.dev/v1',
          responseHeaders: [
            { name: 'Location', value: 'https://api.dev/v1' },
            { name: 'Non-Authoritative-Reason', value: 'HSTS' },
          ],
        },
        { url: 'https://api.dev/v1', statusLine: 'HTTP/1.1 200 OK' },
      ],
    });
    expect(events.filter((e) => e.details.url === 'http://api.dev/v1').map((e) => e.event)).toEqual([
      'onBeforeRequest',
      'onBeforeRedirect',
    ]);
    const chain = onlyChain(events);
    expect(chain.type).toBe('xmlhttprequest');
    expect(chain.hops.map((h) => [h.kind, h.internalReason, h.statusCode, h.statusText, h.url])).toEqual([
      ['internal', 'HSTS', 307, 'Internal Redirect', 'http://api.dev/v1'],
      ['server', undefined, 200, 'OK', 'https://api.dev/v1'],
    ]);
    expect(hopAt(chain, 0).cache.verdict).toBe('not-applicable');
    // Only the onBeforeRedirect arrived (the worker woke up on it): the hop is still internal.
    const alone = onlyChain(events.filter((e) => e.event === 'onBeforeRedirect'));
    expect(hopAt(alone, 0)).toMatchObject({ kind: 'internal', internalReason: 'HSTS', statusCode: 307 });
  });
});

describe('caps', () => {
  const okAs = (id: string, n: number) => withRequestId(loadFixture('ok'), id, n * 1000);

  it('maxChains evicts the oldest finished chains first and counts them', () => {
    const recorder = new Recorder({ maxChains: 3 });
    const first = okAs('r1', 1);
    feed(recorder, first.slice(0, 2)); // r1 still under way
    for (let n = 2; n <= 5; n++) feed(recorder, okAs(`r${n}`, n));
    const changes = recorder.takeChanges();
    expect(recorder.list().map((c) => c.id)).toEqual(['r1', 'r4', 'r5']);
    expect(changes.evicted).toBe(2);
    expect(recorder.evicted).toBe(2);
    expect(changes.remove.sort()).toEqual(['r2', 'r3']);
    expect(changes.put.map((c) => c.id).sort()).toEqual(['r1', 'r4', 'r5']);
    // The chain under way goes on recording.
    feed(recorder, first.slice(2));
    expect(recorder.get('r1')?.outcome).toEqual({ state: 'completed', statusCode: 200 });
    // More chains: the oldest finished one goes next, the count keeps growing.
    feed(recorder, okAs('r6', 6));
    expect(recorder.takeChanges()).toMatchObject({ remove: ['r1'], evicted: 3 });
  });

  it('maxBytes keeps the measured bytes under the cap after takeChanges', () => {
    const maxBytes = 30_000;
    const recorder = new Recorder({ maxBytes });
    for (let n = 0; n < 40; n++) feed(recorder, withRequestId(loadFixture('chain-3xx'), `c${n}`, n * 1000));
    recorder.takeChanges();
    const kept = recorder.list();
    expect(recorder.bytes).toBeLessThanOrEqual(maxBytes);
    expect(recorder.bytes).toBe(kept.reduce((sum, c) => sum + JSON.stringify(c).length, 0));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.at(-1)?.id).toBe('c39');
    expect(recorder.evicted).toBe(40 - kept.length);
  });

  it('maxHops keeps the first hop and the latest ones, numbered without gaps', () => {
    const chain = chainsOf('loop', { maxHops: 5 })[0] as Chain;
    expect(chain.hops).toHaveLength(5);
    expect(chain.hops.map((h) => h.index)).toEqual([0, 1, 2, 3, 4]);
    expect(hopAt(chain, 0).url).toBe(`${L}/loop/a`);
    expect(hopAt(chain, 4)).toMatchObject({ url: `${L}/loop/b`, redirectUrl: `${L}/loop/a` });
    expect(chain.summary.loop).toBe(true);
    expect(chain.outcome.state).toBe('error');
  });

  it('clear() drops every chain, or one tab’s, and hands the removals to persistence', () => {
    const recorder = record([...loadFixture('cross-host'), ...loadFixture('ok')]);
    const [crossHost, ok] = recorder.list() as [Chain, Chain];
    expect(crossHost.tabId).not.toBe(ok.tabId);
    recorder.takeChanges();
    recorder.clear(ok.tabId);
    expect(recorder.list().map((c) => c.id)).toEqual([crossHost.id]);
    expect(recorder.takeChanges()).toMatchObject({ put: [], remove: [ok.id] });
    recorder.clear();
    expect(recorder.list()).toEqual([]);
    expect(recorder.bytes).toBe(0);
    expect(recorder.takeChanges()).toMatchObject({ put: [], remove: [crossHost.id], evicted: 0 });
  });

  it('subscribe() listeners see every put and remove until they unsubscribe', () => {
    const recorder = new Recorder({ maxChains: 1 });
    const seen: Parameters<ChainListener>[0][] = [];
    const unsubscribe = recorder.subscribe((change) => {
      seen.push(change.type === 'put' ? { type: 'put', chain: roundTrip(change.chain) } : change);
    });
    feed(recorder, loadFixture('chain-3xx'));
    const puts = seen.filter((c) => c.type === 'put');
    expect(puts.length).toBeGreaterThan(0);
    const lastPut = puts.at(-1);
    expect(lastPut?.type === 'put' && lastPut.chain.hops.length).toBe(6);
    expect(lastPut?.type === 'put' && lastPut.chain.outcome.state).toBe('completed');

    feed(recorder, loadFixture('ok'));
    recorder.takeChanges(); // over maxChains: chain-3xx is evicted
    expect(seen.at(-1)).toEqual({ type: 'remove', ids: ['1'] });
    recorder.clear();
    expect(seen.at(-1)).toEqual({ type: 'remove', ids: ['26'] });

    unsubscribe();
    const count = seen.length;
    feed(recorder, loadFixture('post-303'));
    expect(seen).toHaveLength(count);
  });

  it('restore() puts chains back once, oldest first, with their byte size and eviction count', () => {
    const source = record([...loadFixture('ok'), ...loadFixture('chain-3xx')]);
    const stored = roundTrip(source.takeChanges().put);
    const recorder = new Recorder();
    recorder.restore([...stored].reverse(), 7);
    recorder.restore(stored, 3);
    expect(recorder.list().map((c) => c.id)).toEqual(['1', '26']); // chain-3xx was recorded earlier
    expect(recorder.evicted).toBe(7);
    expect(recorder.bytes).toBe(stored.reduce((sum, c) => sum + JSON.stringify(c).length, 0));
  });
});
