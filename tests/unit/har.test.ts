import fc from 'fast-check';
import type { Entry, Har } from 'har-format';
import { describe, expect, it } from 'vitest';
import type { AnalyzedChain as Chain } from '../../src/core/analyze/index.ts';
import { chainsToHar, type HopscopeHarEntry, harText, iso } from '../../src/core/har/export.ts';
import type { RequestEvent } from '../../src/core/record/events.ts';
import { assertValidHar } from '../support/har-validator.ts';
import { chainsOf, type FixtureName, onlyChain, requestEvents, syntheticHstsPreload } from './helpers.ts';

const L = 'http://localhost:47801';

function entries(har: Har): HopscopeHarEntry[] {
  return har.log.entries as HopscopeHarEntry[];
}

function headerValue(list: Entry['request']['headers'], name: string): string | undefined {
  return list.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
}

describe('chainsToHar on recorded chains', () => {
  const fixtures: FixtureName[] = [
    'chain-3xx',
    'post-303',
    'post-307',
    'cache-301',
    'cache-307-max-age',
    'hsts-header',
    'loop',
    'unreachable',
    'burst-small',
    'cross-host',
    'downgrade',
    'ok',
  ];

  it.each(fixtures)('%s: the file text is the HAR object as JSON.stringify writes it', (name) => {
    const chains = chainsOf(name);
    const options = [
      {},
      { includeSensitive: true },
      { browser: { name: 'Chromium', version: '156.0' }, httpsUpgrades: true, creatorVersion: '9.9.9' },
    ];
    for (const o of options) expect(harText(chains, o)).toBe(`${JSON.stringify(chainsToHar(chains, o), null, 2)}\n`);
  });

  it('writes the text of its HAR object, for many chains and for none (an empty entries list)', () => {
    const many = fixtures.flatMap((name) => chainsOf(name));
    const all = [...many, ...many, ...many, ...many, ...many, ...many, ...many, ...many];
    // The text is made 64 entries at a time: every count around those pieces' edges.
    expect(all.reduce((n, c) => n + c.hops.length, 0)).toBeGreaterThan(3 * 64);
    for (let n = 1; n <= all.length; n++) {
      const some = all.slice(0, n);
      expect(harText(some)).toBe(`${JSON.stringify(chainsToHar(some), null, 2)}\n`);
    }
    for (const includeSensitive of [false, true]) {
      expect(harText(all, { includeSensitive })).toBe(
        `${JSON.stringify(chainsToHar(all, { includeSensitive }), null, 2)}\n`,
      );
    }
    expect(JSON.parse(harText([])).log.entries).toEqual([]);
    expect(harText([])).toBe(`${JSON.stringify(chainsToHar([]), null, 2)}\n`);
    // An export per prefix of ~220 chains: seconds of work on a loaded host, not a timing.
  }, 60_000);

  it.each(fixtures)('%s: valid HAR 1.2, one entry per hop, in order', (name) => {
    const chains = chainsOf(name);
    const har = chainsToHar(chains);
    assertValidHar(har);
    const expected = chains.flatMap((c) => c.hops.map((h) => [c.id, h.index, h.url]));
    expect(entries(har).map((e) => [e._hopscope.chainId, e._hopscope.hopIndex, e.request.url])).toEqual(expected);
    expect(har.log.creator.name).toBe('Hopscope');
  });

  it('all fixtures in one document, and the synthetic HSTS-preload chain, are valid too', () => {
    const chains = [...fixtures.flatMap((f) => chainsOf(f)), onlyChain(syntheticHstsPreload())];
    assertValidHar(chainsToHar(chains));
    assertValidHar(chainsToHar(chains, { includeSensitive: true }));
    assertValidHar(chainsToHar([]));
    // The validator is live: a broken entry is refused.
    const broken = chainsToHar(chainsOf('ok'));
    (broken.log.entries[0] as { response: unknown }).response = { status: 'OK' };
    expect(() => assertValidHar(broken)).toThrow(/invalid HAR/);
  });

  it('chain-3xx: status, status text, absolute redirectURL, headers as received, hop links', () => {
    const har = chainsToHar(chainsOf('chain-3xx'));
    const list = entries(har);
    expect(list.map((e) => [e.response.status, e.response.statusText, e.response.redirectURL])).toEqual([
      [301, 'Moved Permanently', `${L}/chain/2`],
      [302, 'Found', `${L}/chain/3`],
      [303, 'See Other', `${L}/chain/4`],
      [307, 'Temporary Redirect', `${L}/chain/5`],
      [308, 'Permanent Redirect', `${L}/chain/final`],
      [200, 'OK', ''],
    ]);
    // Location stays as the server sent it (relative); redirectURL is the resolved target.
    expect(headerValue(list[2]?.response.headers ?? [], 'Location')).toBe('4');
    for (const [i, e] of list.entries()) {
      expect(e._resourceType).toBe('document');
      expect(e.request.method).toBe('GET');
      expect(e.request.httpVersion).toBe('HTTP/1.1');
      expect(e.serverIPAddress).toBe('::1');
      expect(e.time).toBeGreaterThanOrEqual(0);
      expect(e._fromCache).toBeUndefined();
      expect(e._hopscope).toMatchObject({
        chainId: '1',
        hopIndex: i,
        hopCount: 6,
        kind: 'server',
        chainOutcome: { state: 'completed', statusCode: 200 },
      });
      expect(e._hopscope.internalReason).toBeUndefined();
    }
    expect(list.map((e) => e._hopscope.cache.verdict)).toEqual([
      'cacheable-by-default',
      'not-cacheable',
      'not-cacheable',
      'not-cacheable',
      'cacheable-by-default',
      'not-cacheable',
    ]);
    expect(list[0]?._hopscope.methodChange).toMatchObject({ kind: 'none', from: 'GET', to: 'GET' });
    expect(list[5]?._hopscope.methodChange).toBeUndefined();
    expect(new Date(list[0]?.startedDateTime ?? '').getTime()).toBe(Math.floor(onlyChain('chain-3xx').startTime));
  });

  it('hsts-header: the HSTS hop has statusText Internal Redirect, its reason, and no server address', () => {
    const chain = chainsOf('hsts-header')[1] as Chain;
    const [hsts, page] = entries(chainsToHar([chain]));
    expect(hsts?.response).toMatchObject({
      status: 307,
      statusText: 'Internal Redirect',
      redirectURL: 'https://sts.test:47801/sts/page',
    });
    expect(headerValue(hsts?.response.headers ?? [], 'Non-Authoritative-Reason')).toBe('HSTS');
    expect(hsts?.serverIPAddress).toBeUndefined();
    expect(hsts?._hopscope).toMatchObject({
      kind: 'internal',
      internalReason: 'HSTS',
      cache: { verdict: 'not-applicable' },
      hopIndex: 0,
      hopCount: 2,
    });
    expect(page?._hopscope.kind).toBe('server');
    expect(page?.serverIPAddress).toBe('127.0.0.1');
  });

  it("cache-301: _fromCache 'disk' on the cached hop only", () => {
    const list = entries(chainsToHar(chainsOf('cache-301')));
    expect(list.map((e) => e._fromCache)).toEqual([undefined, undefined, 'disk', undefined]);
    expect(list.map((e) => e._hopscope.cache.verdict)).toEqual([
      'cacheable-by-default',
      'not-cacheable',
      'from-cache',
      'not-cacheable',
    ]);
  });

  it('post-303: the method change travels in _hopscope; the entries show POST then GET', () => {
    const [post, echo] = entries(chainsToHar(chainsOf('post-303')));
    expect([post?.request.method, echo?.request.method]).toEqual(['POST', 'GET']);
    expect(post?._hopscope.methodChange).toMatchObject({ kind: 'changed', from: 'POST', to: 'GET', bodyDropped: true });
    expect(post?._hopscope.methodChange?.reason).toContain('303');
  });

  it('loop: every entry carries the chain outcome; repeated hops point back', () => {
    const list = entries(chainsToHar(chainsOf('loop')));
    expect(list).toHaveLength(20);
    for (const e of list) {
      expect(e._hopscope.chainOutcome).toEqual({ state: 'error', error: 'net::ERR_ABORTED', tooManyRedirects: true });
      expect(e._hopscope.hopCount).toBe(20);
    }
    expect(list.map((e) => e._hopscope.repeatsHop).slice(0, 4)).toEqual([undefined, undefined, 0, 1]);
  });

  it('unreachable: status 0 and the net error', () => {
    const [entry] = entries(chainsToHar(chainsOf('unreachable')));
    expect(entry?.response.status).toBe(0);
    expect((entry?.response as { _error?: string } | undefined)?._error).toBe('net::ERR_CONNECTION_REFUSED');
    expect(entry?._hopscope.chainOutcome).toEqual({ state: 'error', error: 'net::ERR_CONNECTION_REFUSED' });
  });

  it('burst-small: _resourceType follows DevTools names (document, xhr)', () => {
    const list = entries(chainsToHar(chainsOf('burst-small')));
    expect(list.map((e) => e._resourceType)).toEqual(['document', ...Array(15).fill('xhr')]);
    expect(list[1]?._initiator).toEqual({ type: 'other', url: L });
  });
});

describe('sanitizing', () => {
  const SECRETS = [
    'COOKIESECRET',
    'SETCOOKIESECRET',
    'AUTHSECRET',
    'PROXYSECRET',
    'CODESECRET',
    'ATSECRET',
    'IDSECRET',
    'PASSSECRET',
    'SESSIONSECRET',
  ];
  const callback = 'https://app.test/cb?code=CODESECRET&state=ok#access_token=ATSECRET&id_token=IDSECRET';

  function oauthChain(): Chain {
    const events: RequestEvent[] = requestEvents({
      requestId: 'oauth',
      hops: [
        {
          url: 'https://alice:PASSSECRET@idp.test/authorize?client_id=app&state=ok',
          status: 302,
          statusLine: 'HTTP/1.1 302 Found',
          redirectUrl: callback,
          requestHeaders: [
            { name: 'Cookie', value: 'idp_sid=COOKIESECRET' },
            { name: 'Authorization', value: 'Bearer AUTHSECRET' },
            { name: 'Proxy-Authorization', value: 'Basic PROXYSECRET' },
            { name: 'Accept', value: 'text/html' },
          ],
          responseHeaders: [
            { name: 'Set-Cookie', value: 'idp_sid=SETCOOKIESECRET; Secure; HttpOnly' },
            { name: 'Location', value: callback },
          ],
        },
        {
          url: 'https://app.test/cb?code=CODESECRET&state=ok',
          status: 302,
          statusLine: 'HTTP/1.1 302 Found',
          redirectUrl: 'https://app.test/home',
          requestHeaders: [
            { name: 'cookie', value: 'pre=COOKIESECRET' },
            { name: 'Referer', value: 'https://idp.test/authorize?code=CODESECRET&state=ok' },
          ],
          responseHeaders: [
            { name: 'set-cookie', value: 'session=SESSIONSECRET' },
            { name: 'Location', value: '/home' },
          ],
        },
        { url: 'https://app.test/home', statusLine: 'HTTP/1.1 200 OK' },
      ],
    });
    return onlyChain(events);
  }

  it('by default drops credential headers and redacts secret URL parameters everywhere; state stays', () => {
    const har = chainsToHar([oauthChain()]);
    assertValidHar(har);
    const text = JSON.stringify(har);
    for (const secret of SECRETS) expect(text, secret).not.toContain(secret);
    const [authorize, cb, home] = entries(har);
    expect(authorize?.request.url).toBe('https://alice:REDACTED@idp.test/authorize?client_id=app&state=ok');
    expect(authorize?.response.redirectURL).toBe(
      'https://app.test/cb?code=REDACTED&state=ok#access_token=REDACTED&id_token=REDACTED',
    );
    expect(headerValue(authorize?.response.headers ?? [], 'Location')).toBe(authorize?.response.redirectURL);
    expect(authorize?.request.headers.map((h) => h.name)).toEqual(['Accept']);
    expect(authorize?.response.headers.map((h) => h.name)).toEqual(['Location']);
    expect(cb?.request.url).toBe('https://app.test/cb?code=REDACTED&state=ok');
    expect(cb?.request.queryString).toEqual([
      { name: 'code', value: 'REDACTED' },
      { name: 'state', value: 'ok' },
    ]);
    expect(headerValue(cb?.request.headers ?? [], 'Referer')).toBe('https://idp.test/authorize?code=REDACTED&state=ok');
    expect(home?.request.url).toBe('https://app.test/home');
    for (const e of entries(har)) {
      expect(e.request.cookies).toEqual([]);
      expect(e.response.cookies).toEqual([]);
    }
    expect(har.log.comment).toMatch(/Sanitized/);
  });

  it('includeSensitive keeps headers and URLs as recorded (cookie arrays stay empty)', () => {
    const chain = oauthChain();
    const har = chainsToHar([chain], { includeSensitive: true });
    assertValidHar(har);
    const text = JSON.stringify(har);
    for (const secret of SECRETS) expect(text, secret).toContain(secret);
    const [authorize, cb] = entries(har);
    expect(authorize?.request.url).toBe(chain.hops[0]?.url);
    expect(authorize?.response.redirectURL).toBe(callback);
    expect(authorize?.request.headers.map((h) => h.name)).toEqual([
      'Cookie',
      'Authorization',
      'Proxy-Authorization',
      'Accept',
    ]);
    expect(headerValue(cb?.response.headers ?? [], 'Set-Cookie')).toBe('session=SESSIONSECRET');
    for (const e of entries(har)) {
      expect(e.request.cookies).toEqual([]);
      expect(e.response.cookies).toEqual([]);
    }
    expect(har.log.comment).not.toMatch(/Sanitized/);
  });

  it('sanitizing does not alter the recorded chain', () => {
    const chain = oauthChain();
    const before = JSON.stringify(chain);
    chainsToHar([chain]);
    expect(JSON.stringify(chain)).toBe(before);
  });
});

describe('iso (the dates of entries and pages)', () => {
  it('writes what Date#toISOString writes, for any time, and the epoch for one that is not finite', () => {
    const time = fc.oneof(
      fc.integer({ min: -8.64e15, max: 8.64e15 }),
      fc.double({ min: -1e14, max: 1e14, noNaN: true }),
      fc.constantFrom(0, -1, 86_399_999, 86_400_000, 253_402_300_799_999, 253_402_300_800_000, -62_198_755_200_000),
    );
    fc.assert(
      fc.property(time, (ms) => {
        expect(iso(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 3000 },
    );
    for (const ms of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(iso(ms)).toBe(new Date(0).toISOString());
    }
  });
});

describe('queryString', () => {
  it('lists the parameters as URLSearchParams reads them, for any query (fast path or not)', () => {
    const part = fc.stringMatching(/^[a-z0-9=&%+;._~!$'()*,:@/?#-]{0,14}$/);
    fc.assert(
      fc.property(part, fc.boolean(), (query, sensitive) => {
        const url = new URL(`https://q.test/p?${query}`).href;
        const chain = onlyChain(requestEvents({ requestId: 'q', hops: [{ url }] }));
        const [entry] = entries(chainsToHar([chain], { includeSensitive: sensitive }));
        const written = new URL(entry?.request.url ?? '');
        expect(entry?.request.queryString).toEqual([...written.searchParams].map(([name, value]) => ({ name, value })));
      }),
      { numRuns: 500 },
    );
  });
});
