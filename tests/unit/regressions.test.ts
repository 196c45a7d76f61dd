/**
 * Bugs found by the property tests (tests/unit/property.test.ts), each pinned by the shrunk
 * counterexample that found it.
 */
import { describe, expect, it } from 'vitest';
import { analyze, type AnalyzedChain as Chain } from '../../src/core/analyze/index.ts';
import { chainsToHar, uriForHar } from '../../src/core/har/export.ts';
import { MAX_HEADERS_SIZE } from '../../src/core/record/headers.ts';
import { Recorder } from '../../src/core/record/recorder.ts';
import { assertValidHar } from '../support/har-validator.ts';
import { chainsOf, feed, importAnalyzed, redirectedRequest, requestEvents } from './helpers.ts';

function redirectChain(requestId: string, urls: readonly string[]): Chain {
  const [chain] = chainsOf(
    requestEvents({
      requestId,
      hops: urls.map((url, i) => ({ url, status: i < urls.length - 1 ? 302 : 200, redirectUrl: urls[i + 1] })),
    }),
  );
  if (!chain) throw new Error('no chain');
  return chain;
}

describe('bug: HAR export of a URL the browser keeps unescaped (| [ ^ { or a bare %) was not valid HAR 1.2', () => {
  // Shrunk counterexample: one main-frame request for `http://a.test/[` (WHATWG URL keeps `[`).
  const URLS = [
    'http://a.test/[',
    'https://a.test/?q=a|b&p=100%',
    'https://a.test/^x?y={1}`',
    'https://a.test/#a#b',
    'http://[::1]:8080/x|y',
    'http://user:p%40ss@a.test/%zz',
  ];

  it('the export validates; request.url is the URL percent-encoded where RFC 3986 requires', () => {
    const chains = URLS.map((url, i) => redirectChain(String(i + 1), [url, 'https://done.test/']));
    for (const includeSensitive of [false, true]) assertValidHar(chainsToHar(chains, { includeSensitive }));
    expect(chainsToHar([chains[0] as Chain]).log.entries[0]?.request.url).toBe('http://a.test/%5B');
    expect(uriForHar('https://a.test/?q=a|b&p=100%')).toBe('https://a.test/?q=a%7Cb&p=100%25');
    expect(uriForHar('https://a.test/#a#b')).toBe('https://a.test/#a%23b');
    expect(uriForHar('http://[::1]:8080/x|y')).toBe('http://[::1]:8080/x%7Cy');
    expect(uriForHar('http://[::1')).toBe('http://%5B%3A:1');
  });

  it('URLs that are already valid, relative targets and other schemes are left exactly as they are', () => {
    for (const url of [
      'https://a.test/r?x=1&y=%20#f',
      'http://localhost:47801/loop/a',
      'https://xn--bcher-kva.example/',
      '/relative?x=|',
      '',
      'javascript:alert(1)',
    ]) {
      expect(uriForHar(url)).toBe(url);
    }
  });

  it('export → import → export gives the same document', () => {
    const chains = URLS.map((url, i) => redirectChain(String(i + 1), [url, `${url}/next`]));
    const first = chainsToHar(chains);
    const again = chainsToHar(importAnalyzed(JSON.stringify(first)).chains);
    expect(again).toEqual(first);
  });
});

describe('bug: one response with 200 headers of 8 KB each made a hop of several MB that evicted every older chain', () => {
  it('the headers of one message are bounded in total, and older chains stay', () => {
    const recorder = new Recorder();
    for (let n = 0; n < 50; n++) feed(recorder, redirectedRequest(String(n), n));
    recorder.takeChanges();
    // Control characters take 6 bytes each in JSON: 200 × 8 KB of them was ~10 MB, over the 8 MB budget.
    const flood = Array.from({ length: 200 }, (_, i) => ({ name: `X-${i}`, value: '\u0001'.repeat(8192) }));
    feed(
      recorder,
      requestEvents({
        requestId: 'hostile',
        hops: [
          { url: 'https://evil.test/', status: 302, redirectUrl: 'https://evil.test/2', responseHeaders: flood },
          { url: 'https://evil.test/2', requestHeaders: flood, responseHeaders: flood },
        ],
      }),
    );
    const changes = recorder.takeChanges();
    expect(changes.evicted).toBe(0);
    expect(recorder.list()).toHaveLength(51);
    for (const hop of recorder.get('hostile')?.hops ?? []) {
      for (const list of [hop.requestHeaders, hop.responseHeaders]) {
        const size = list.reduce((sum, h) => sum + h.name.length + h.value.length, 0);
        expect(size).toBeLessThanOrEqual(MAX_HEADERS_SIZE + 1);
      }
    }
  });
});

describe('bug: the maxHops cap', () => {
  const loop = ['https://a.test/', 'https://b.test/', 'https://c.test/', 'https://b.test/', 'https://d.test/'];

  it('maxHops 1 kept 2 hops (dropping "the oldest middle hop" dropped nothing)', () => {
    // Shrunk counterexample: a 301 from http://a.test/ to itself, then a 200, with maxHops 1.
    const recorder = feed(
      new Recorder({ maxHops: 1 }),
      requestEvents({
        requestId: '1',
        hops: [{ url: 'http://a.test/', status: 301, redirectUrl: 'http://a.test/' }, { url: 'http://a.test/' }],
      }),
    );
    const [chain] = recorder.list().map(analyze);
    expect(chain?.hops).toHaveLength(1);
    expect(chain?.hops[0]?.index).toBe(0);
    expect(chain?.hops[0]?.repeatsHop).toBeUndefined();
  });

  it('after middle hops were dropped, repeatsHop pointed at another URL, or at the hop itself', () => {
    for (const maxHops of [1, 2, 3, 4]) {
      const [chain] = chainsOf(
        requestEvents({
          requestId: '1',
          hops: loop.map((url, i) => ({ url, status: i < loop.length - 1 ? 302 : 200, redirectUrl: loop[i + 1] })),
        }),
        { maxHops },
      );
      expect(chain?.hops.length).toBe(Math.min(maxHops, loop.length));
      chain?.hops.forEach((hop, i) => {
        expect(hop.index).toBe(i);
        if (hop.repeatsHop === undefined) return;
        expect(hop.repeatsHop).toBeLessThan(i);
        expect(chain.hops[hop.repeatsHop]?.url).toBe(hop.url);
      });
    }
  });
});

describe('bug: a client redirect committed while the first page was still loading corrupted its chain', () => {
  it('the first request’s late end no longer lands after the next page’s hops, nor rewrites its server redirect', () => {
    // Shrunk counterexample: a page whose request had not ended when the page it moved on to
    // committed as a client redirect; that request's later events were appended to the journey.
    const T0 = 1_800_000_000_000;
    const first = requestEvents({
      requestId: '1',
      tabId: 1,
      start: T0,
      hops: [
        { url: 'http://a.test/', status: 301, redirectUrl: 'http://b.test/' },
        { url: 'http://b.test/', statusLine: 'HTTP/1.1 200 OK' },
      ],
    });
    const end = first.findIndex((e) => e.event === 'onCompleted');
    const recorder = feed(new Recorder(), first.slice(0, end));
    recorder.onCommitted({ tabId: 1, frameId: 0, url: 'http://b.test/', timeStamp: T0 + 20 });
    feed(recorder, requestEvents({ requestId: '2', tabId: 1, start: T0 + 30, hops: [{ url: 'http://c.test/' }] }));
    recorder.onCommitted({
      tabId: 1,
      frameId: 0,
      url: 'http://c.test/',
      transitionQualifiers: ['client_redirect'],
      timeStamp: T0 + 60,
    });
    feed(recorder, first.slice(end));
    for (const chain of recorder.list().map(analyze)) {
      chain.hops.forEach((hop, i) => {
        expect(hop.index).toBe(i);
        if (i < chain.hops.length - 1) expect(hop.redirectUrl).toBe(chain.hops[i + 1]?.url);
      });
    }
    const chain = recorder.list().find((c) => c.requestId === '1');
    expect(chain?.hops.map((h) => [h.kind, h.url, h.redirectUrl])).toEqual([
      ['server', 'http://a.test/', 'http://b.test/'],
      ['server', 'http://b.test/', ''],
    ]);
  });
});
