import { describe, expect, it } from 'vitest';
import type { CacheVerdictKind, AnalyzedHop as Hop } from '../../src/core/analyze/index.ts';
import {
  cacheVerdict,
  describeMethodChange,
  isCrossOrigin,
  isDowngrade,
  methodAfterRedirect,
} from '../../src/core/analyze/index.ts';
import type { Header } from '../../src/core/model/chain.ts';
import { parseStatusLine } from '../../src/core/model/http.ts';
import { resolveUrl } from '../../src/core/model/url.ts';
import { formatDuration } from '../../src/core/present/duration.ts';
import { MAX_HEADER_VALUE, MAX_HEADERS, toHeaders } from '../../src/core/record/headers.ts';
import { type FixtureName, hopAt, onlyChain } from './helpers.ts';

describe('methodAfterRedirect (Fetch, HTTP-redirect fetch)', () => {
  it.each([
    ['POST', 301, 'GET'],
    ['POST', 302, 'GET'],
    ['POST', 303, 'GET'],
    ['PUT', 303, 'GET'],
    ['DELETE', 303, 'GET'],
    ['PATCH', 303, 'GET'],
    ['HEAD', 303, 'HEAD'],
    ['GET', 303, 'GET'],
    ['PUT', 301, 'PUT'], // only POST is rewritten by 301/302
    ['DELETE', 302, 'DELETE'],
    ['POST', 307, 'POST'],
    ['POST', 308, 'POST'],
    ['PUT', 307, 'PUT'],
    ['post', 302, 'GET'],
    ['put', 308, 'PUT'],
  ])('%s after %i → %s', (method, status, next) => {
    expect(methodAfterRedirect(method, status)).toBe(next);
  });
});

describe('describeMethodChange', () => {
  const server = (method: string, statusCode: number) => ({ method, statusCode, kind: 'server' as const });

  it('303 turns a POST into GET, drops the body and cites RFC 9110 §15.4.4', () => {
    const change = describeMethodChange(server('POST', 303), 'GET');
    expect(change).toMatchObject({ kind: 'changed', from: 'POST', to: 'GET', bodyDropped: true });
    expect(change.reason).toContain('303 See Other');
    expect(change.reason).toContain('RFC 9110 §15.4.4');
    expect(change.reason).toContain('body was dropped');
  });

  it('303 turns a PUT into GET too', () => {
    const change = describeMethodChange(server('PUT', 303), 'get');
    expect(change).toMatchObject({ kind: 'changed', from: 'PUT', to: 'GET', bodyDropped: true });
  });

  it.each([
    [301, '§15.4.2'],
    [302, '§15.4.3'],
  ])('%i: POST → GET for historical reasons, advises 307/308, cites %s and Fetch', (code, section) => {
    const change = describeMethodChange(server('POST', code), 'GET');
    expect(change).toMatchObject({ kind: 'changed', bodyDropped: true });
    expect(change.reason).toContain(`RFC 9110 ${section}`);
    expect(change.reason).toContain('Fetch');
    expect(change.reason).toMatch(/307 or 308/);
  });

  it.each([
    [307, '§15.4.8'],
    [308, '§15.4.9'],
  ])('%i keeps POST and its body (%s)', (code, section) => {
    const change = describeMethodChange(server('POST', code), 'POST');
    expect(change).toMatchObject({ kind: 'kept', from: 'POST', to: 'POST', bodyDropped: false });
    expect(change.reason).toContain(`RFC 9110 ${section}`);
    expect(change.reason).toMatch(/keeps the method and the body/);
  });

  it('an internal redirect repeats the request as it was', () => {
    const change = describeMethodChange({ method: 'POST', statusCode: 307, kind: 'internal' }, 'POST');
    expect(change.kind).toBe('kept');
    expect(change.reason).toMatch(/internal redirect/);
  });

  it('GET and HEAD stay what they are, nothing dropped', () => {
    expect(describeMethodChange(server('GET', 301), 'GET')).toMatchObject({ kind: 'none', bodyDropped: false });
    expect(describeMethodChange(server('HEAD', 303), 'HEAD')).toMatchObject({ kind: 'none', bodyDropped: false });
  });

  it('a GET that became something else drops no body', () => {
    expect(describeMethodChange(server('GET', 302), 'POST')).toMatchObject({ kind: 'changed', bodyDropped: false });
  });
});

describe('cacheVerdict (RFC 9111)', () => {
  const DATE = 'Wed, 25 Nov 2026 15:00:00 GMT';
  const at = Date.parse(DATE);
  function verdictOf(
    statusCode: number,
    headers: Array<[string, string]> = [],
    extra: Partial<Pick<Hop, 'fromCache' | 'kind' | 'endTime' | 'method'>> = {},
  ) {
    return cacheVerdict({
      statusCode,
      responseHeaders: headers.map(([name, value]): Header => ({ name, value })),
      fromCache: false,
      kind: 'server',
      endTime: at,
      method: 'GET',
      ...extra,
    });
  }
  const kindOf = (...args: Parameters<typeof verdictOf>): CacheVerdictKind => verdictOf(...args).verdict;

  it('no-store wins over everything', () => {
    const v = verdictOf(301, [
      ['Cache-Control', 'max-age=3600, no-store'],
      ['Expires', 'Thu, 01 Jan 2099 00:00:00 GMT'],
    ]);
    expect(v.verdict).toBe('not-cacheable');
    expect(v.reason).toMatch(/no-store/);
    expect(kindOf(308, [['CACHE-CONTROL', 'NO-STORE']])).toBe('not-cacheable');
  });

  it('no-cache means ask the server again, even with max-age', () => {
    const v = verdictOf(307, [['Cache-Control', 'no-cache, max-age=600']]);
    expect(v.verdict).toBe('not-cacheable');
    expect(v.reason).toMatch(/no-cache/);
  });

  it('max-age gives an explicit lifetime, less the Age already spent', () => {
    const fresh = verdictOf(302, [['Cache-Control', 'private, max-age=3600']]);
    expect(fresh.verdict).toBe('cacheable-explicit');
    expect(fresh.reason).toContain('1 hour');
    const aged = verdictOf(307, [
      ['Cache-Control', 'max-age=3600'],
      ['Age', '600'],
    ]);
    expect(aged.verdict).toBe('cacheable-explicit');
    expect(aged.reason).toContain('Age 600');
    expect(aged.reason).toContain('50 minutes');
    expect(
      kindOf(307, [
        ['Cache-Control', 'max-age=60'],
        ['Age', '120'],
      ]),
    ).toBe('not-cacheable');
    expect(kindOf(307, [['Cache-Control', 'max-age="120"']])).toBe('cacheable-explicit');
  });

  it('max-age=0 makes even a 301 stale, and max-age wins over Expires', () => {
    expect(kindOf(301, [['Cache-Control', 'max-age=0']])).toBe('not-cacheable');
    expect(
      kindOf(302, [
        ['Cache-Control', 'max-age=0'],
        ['Expires', 'Thu, 01 Jan 2099 00:00:00 GMT'],
      ]),
    ).toBe('not-cacheable');
  });

  it('s-maxage is for shared caches: it gives a browser no lifetime', () => {
    expect(kindOf(302, [['Cache-Control', 's-maxage=600']])).toBe('not-cacheable');
  });

  it('Expires counts from the Date header, not from the clock', () => {
    const future = verdictOf(302, [
      ['Date', DATE],
      ['Expires', 'Wed, 25 Nov 2026 17:00:00 GMT'],
    ]);
    expect(future.verdict).toBe('cacheable-explicit');
    expect(future.reason).toContain('2 hours');
    // Far in the past for the clock, but one day after the response's Date.
    const dated = verdictOf(
      302,
      [
        ['Date', 'Mon, 01 Jan 2001 00:00:00 GMT'],
        ['Expires', 'Tue, 02 Jan 2001 00:00:00 GMT'],
      ],
      { endTime: at },
    );
    expect(dated.verdict).toBe('cacheable-explicit');
    expect(dated.reason).toContain('1 day');
    expect(
      kindOf(302, [
        ['Date', DATE],
        ['Expires', 'Wed, 25 Nov 2026 14:00:00 GMT'],
      ]),
    ).toBe('not-cacheable');
  });

  it('Expires without Date counts from when the response arrived; an invalid one is already stale', () => {
    expect(kindOf(307, [['Expires', 'Wed, 25 Nov 2026 15:30:00 GMT']])).toBe('cacheable-explicit');
    expect(kindOf(307, [['Expires', 'Wed, 25 Nov 2026 14:30:00 GMT']])).toBe('not-cacheable');
    const invalid = verdictOf(301, [['Expires', '0']]);
    expect(invalid.verdict).toBe('not-cacheable');
    expect(invalid.reason).toMatch(/past or invalid/);
  });

  it('Pragma: no-cache counts only without Cache-Control', () => {
    expect(kindOf(301, [['Pragma', 'no-cache']])).toBe('not-cacheable');
    expect(
      kindOf(302, [
        ['Pragma', 'no-cache'],
        ['Cache-Control', 'max-age=60'],
      ]),
    ).toBe('cacheable-explicit');
  });

  it.each([301, 308])('%i without caching headers is cacheable by default, forever in Chromium', (code) => {
    const v = verdictOf(code);
    expect(v.verdict).toBe('cacheable-by-default');
    expect(v.reason).toContain(`${code}`);
    expect(v.reason).toMatch(/no expiry/);
  });

  it.each([302, 303, 307])('%i without caching headers is not cacheable', (code) => {
    const v = verdictOf(code, [['Content-Type', 'text/html']]);
    expect(v.verdict).toBe('not-cacheable');
    expect(v.reason).toMatch(/explicit freshness/);
  });

  it('a 200 with Last-Modified is heuristically cacheable; without it, not', () => {
    const v = verdictOf(200, [['Last-Modified', 'Mon, 01 Jan 2024 00:00:00 GMT']]);
    expect(v.verdict).toBe('cacheable-by-default');
    expect(v.reason).toContain('RFC 9111 §4.2.2');
    expect(kindOf(200)).toBe('not-cacheable');
  });

  it('internal hops are not applicable, whatever their headers say', () => {
    const v = verdictOf(307, [['Cache-Control', 'max-age=3600']], { kind: 'internal' });
    expect(v.verdict).toBe('not-applicable');
    expect(v.reason).toMatch(/browser itself/);
  });

  it('a hop served from the cache says so', () => {
    expect(kindOf(301, [], { fromCache: true })).toBe('from-cache');
  });

  it('no response at all is not applicable', () => {
    expect(kindOf(0)).toBe('not-applicable');
  });

  it('keeps the caching headers, and only those, for display', () => {
    const v = verdictOf(302, [
      ['Location', '/x'],
      ['cache-control', 'max-age=5'],
      ['ETag', '"a"'],
      ['Vary', 'Accept'],
      ['Set-Cookie', 'a=1'],
    ]);
    expect(v.headers.map((h) => h.name)).toEqual(['cache-control', 'ETag', 'Vary']);
  });

  it.each([301, 308])('a %i answering a POST is not reused for the next POST (RFC 9110 §9.3.3)', (code) => {
    // Browsers serve only GET/HEAD from the HTTP cache: resubmitting the form asks the server again.
    const v = verdictOf(code, [], { method: 'POST' });
    expect(v.verdict).toBe('not-cacheable');
    expect(v.reason).toContain('POST');
    expect(hopAt(onlyChain(`post-${code}` as FixtureName), 0).cache.verdict).toBe('not-cacheable');
  });

  it('formatDuration reads naturally', () => {
    expect(formatDuration(0)).toBe('0 seconds');
    expect(formatDuration(1)).toBe('1 second');
    expect(formatDuration(3000)).toBe('50 minutes');
    expect(formatDuration(86400 * 400)).toBe('1 year');
  });
});

describe('URL helpers never throw on odd input', () => {
  it('isCrossOrigin compares origins, default ports included', () => {
    expect(isCrossOrigin('http://a.test/x', 'http://a.test:80/y')).toBe(false);
    expect(isCrossOrigin('https://a.test/x', 'https://a.test:8443/x')).toBe(true);
    // An upgrade of the same host to https (HSTS) is not flagged; a downgrade is.
    expect(isCrossOrigin('http://a.test/', 'https://a.test/')).toBe(false);
    expect(isCrossOrigin('http://a.test:8080/', 'https://a.test:8080/')).toBe(false);
    expect(isCrossOrigin('https://a.test/', 'http://a.test/')).toBe(true);
    expect(isCrossOrigin('http://a.test/', 'https://b.test/')).toBe(true);
    expect(isCrossOrigin('http://a.test/', 'http://b.test/')).toBe(true);
    expect(isCrossOrigin('http://A.TEST/', 'http://a.test/')).toBe(false);
  });

  it.each([
    ['not a url', 'http://a.test/'],
    ['http://a.test/', 'not a url'],
    ['', ''],
    ['http://a.test/', ''],
    ['http://[::1', 'http://a.test/'],
    ['http://a.test/', '/relative'],
  ])('isCrossOrigin(%j, %j) is false', (from, to) => {
    expect(() => isCrossOrigin(from, to)).not.toThrow();
    expect(isCrossOrigin(from, to)).toBe(false);
  });

  it('isDowngrade is only https → http', () => {
    expect(isDowngrade('https://a.test/', 'http://a.test/')).toBe(true);
    expect(isDowngrade('https://a.test/', 'http://b.test:8080/')).toBe(true);
    expect(isDowngrade('http://a.test/', 'https://a.test/')).toBe(false);
    expect(isDowngrade('https://a.test/', 'https://b.test/')).toBe(false);
    expect(isDowngrade('https://a.test/', 'ftp://a.test/')).toBe(false);
    expect(isDowngrade('https://a.test/', '')).toBe(false);
    expect(isDowngrade('garbage', 'http://a.test/')).toBe(false);
    expect(isDowngrade('https://a.test/', 'garbage')).toBe(false);
  });

  it.each([
    ['/x', 'http://a.test/y/z', 'http://a.test/x'],
    ['4', 'http://localhost:47801/chain/3', 'http://localhost:47801/chain/4'],
    ['final', 'http://localhost:47801/chain/5', 'http://localhost:47801/chain/final'],
    ['//cdn.test/p', 'https://a.test/', 'https://cdn.test/p'],
    ['?q=1', 'https://a.test/p?q=0', 'https://a.test/p?q=1'],
    ['https://b.test', 'https://a.test/', 'https://b.test/'],
    ['http://[bad', 'http://a.test/', ''],
    ['x', 'not a base', ''],
    ['x', '', ''],
  ])('resolveUrl(%j, %j) → %j', (location, base, expected) => {
    expect(resolveUrl(location, base)).toBe(expected);
  });
});

describe('parseStatusLine', () => {
  it.each([
    ['HTTP/1.1 307 Internal Redirect', 'HTTP/1.1', 307, 'Internal Redirect'],
    ['HTTP/1.1 307 Temporary Redirect', 'HTTP/1.1', 307, 'Temporary Redirect'],
    ['HTTP/2 301', 'HTTP/2', 301, ''],
    ['HTTP/1.1 200', 'HTTP/1.1', 200, ''],
    ['  HTTP/1.0   404   Not  Found  ', 'HTTP/1.0', 404, 'Not  Found'],
  ])('%j', (line, httpVersion, statusCode, statusText) => {
    expect(parseStatusLine(line)).toEqual({ httpVersion, statusCode, statusText });
  });

  it.each(['garbage', '', 'HTTP/1.1', 'HTTP/1.1 3021 Too Long', 'HTTP/1.1 abc OK', '307 Internal Redirect'])(
    '%j is not a status line: the status code from the event is used',
    (line) => {
      expect(parseStatusLine(line, 302)).toEqual({ httpVersion: '', statusCode: 302, statusText: '' });
    },
  );

  it('no line and no code gives 0', () => {
    expect(parseStatusLine(undefined)).toEqual({ httpVersion: '', statusCode: 0, statusText: '' });
  });
});

describe('toHeaders', () => {
  it('decodes binaryValue as Latin-1 and keeps plain values', () => {
    expect(
      toHeaders([
        { name: 'X-Bin', binaryValue: [72, 105, 0xe9] },
        { name: 'X-Text', value: 'plain' },
        { name: 'X-Empty' },
      ]),
    ).toEqual([
      { name: 'X-Bin', value: 'Hié' },
      { name: 'X-Text', value: 'plain' },
      { name: 'X-Empty', value: '' },
    ]);
    expect(toHeaders(undefined)).toEqual([]);
  });

  it('caps huge values, names and header counts so one hostile response cannot fill storage', () => {
    const [text] = toHeaders([{ name: 'X-Huge', value: 'x'.repeat(1_000_000) }]);
    expect(text?.value.length).toBe(MAX_HEADER_VALUE + 1);
    expect(text?.value.endsWith('…')).toBe(true);
    const [binary] = toHeaders([{ name: 'X-Huge-Bin', binaryValue: new Array(1_000_000).fill(65) }]);
    expect(binary?.value.length).toBeLessThanOrEqual(MAX_HEADER_VALUE + 1);
    expect(binary?.value.startsWith('AAAA')).toBe(true);
    const [named] = toHeaders([{ name: 'N'.repeat(10_000), value: 'v' }]);
    expect(named?.name.length).toBe(256);
    const many = toHeaders(Array.from({ length: 5000 }, (_, i) => ({ name: `X-${i}`, value: 'v' })));
    expect(many).toHaveLength(MAX_HEADERS);
    expect(many.at(-1)?.name).toBe(`X-${MAX_HEADERS - 1}`);
  });
});
