/**
 * Chrome's HTTPS-Upgrades hops, which webRequest never reports, inferred from what the
 * extension sees (the event shapes measured in Chromium 156 with default features, issue 11):
 * the navigation's URL against its first request, a redirect target against the next request,
 * and a failed https attempt followed by a fresh http request in the same tab.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/core/analyze/index.ts';
import { chainsToHar } from '../../src/core/har/export.ts';
import { explainChain, explainHop } from '../../src/core/present/explain/index.ts';
import { kindLabel } from '../../src/core/present/labels.ts';
import type { NavigationDetails } from '../../src/core/record/events.ts';
import { Recorder } from '../../src/core/record/recorder.ts';
import { httpsTwin, isUpgradeOf } from '../../src/core/record/upgrades.ts';
import { assertValidHar } from '../support/har-validator.ts';
import { feed, importAnalyzed, requestEvents } from './helpers.ts';

const T0 = 1_800_000_000_000;
const TAB = 7;

function navigate(url: string, timeStamp = T0 - 20): NavigationDetails {
  return { tabId: TAB, frameId: 0, url, timeStamp };
}

/** http://fallback.example.com/ asked for in TAB; its upgraded https attempt refused. */
function failedHttpsAttempt(): Recorder {
  const recorder = new Recorder();
  recorder.onBeforeNavigate(navigate('http://fallback.example.com/'));
  feed(
    recorder,
    requestEvents({
      requestId: '1',
      tabId: TAB,
      start: T0,
      hops: [{ url: 'https://fallback.example.com/' }],
      error: 'net::ERR_CONNECTION_REFUSED',
    }),
  );
  return recorder;
}

/** Then http://fallback.example.com/ requested afresh in a tab. */
function httpAfresh(recorder: Recorder, tabId = TAB): Recorder {
  feed(
    recorder,
    requestEvents({ requestId: '2', tabId, start: T0 + 40, hops: [{ url: 'http://fallback.example.com/' }] }),
  );
  return recorder;
}

/** The whole fallback: the https attempt refused, http requested afresh in the same tab. */
const recordFallback = (): Recorder => httpAfresh(failedHttpsAttempt());

function rows(recorder: Recorder) {
  return recorder
    .list()
    .map((c) =>
      analyze(c).hops.map((h) => [
        h.statusCode,
        h.kind,
        h.internalReason ?? '',
        h.inferred ?? false,
        h.url,
        h.redirectUrl,
      ]),
    );
}

describe('httpsTwin', () => {
  it.each([
    ['http://a.example.com/', 'https://a.example.com/'],
    ['http://a.example.com:80/x?y=1#f', 'https://a.example.com/x?y=1'],
    ['http://a.example.com:8080/', undefined],
    ['https://a.example.com/', undefined],
    ['not a url', undefined],
  ])('%s → %s', (http, https) => {
    expect(httpsTwin(http)).toBe(https);
  });

  it('tells an upgrade from another URL', () => {
    expect(isUpgradeOf('http://a.example.com/p', 'https://a.example.com/p')).toBe(true);
    expect(isUpgradeOf('http://a.example.com/p', 'https://a.example.com/q')).toBe(false);
    expect(isUpgradeOf('http://a.example.com/p', 'https://b.example.com/p')).toBe(false);
  });
});

describe('HTTPS-Upgrades hops are inferred and marked', () => {
  it('at the start: the navigation asked for http, its first request is already https', () => {
    const recorder = new Recorder();
    recorder.onBeforeNavigate(navigate('http://up.example.com/'));
    feed(
      recorder,
      requestEvents({ requestId: '1', tabId: TAB, start: T0, hops: [{ url: 'https://up.example.com/' }] }),
    );
    expect(rows(recorder)).toEqual([
      [
        [307, 'internal', 'HttpsUpgrades', true, 'http://up.example.com/', 'https://up.example.com/'],
        [200, 'server', '', false, 'https://up.example.com/', ''],
      ],
    ]);
    const [chain] = recorder.list().map(analyze);
    expect(chain?.startTime).toBe(T0 - 20);
    expect(chain?.summary).toMatchObject({ redirects: 1, internal: true, downgrade: false, error: false });
    expect(chain?.hops[0]?.statusText).toBe('Temporary Redirect');
  });

  it('at the start, when the first request reached the worker before the navigation', () => {
    const recorder = new Recorder();
    const events = requestEvents({ requestId: '1', tabId: TAB, start: T0, hops: [{ url: 'https://up.example.com/' }] });
    feed(recorder, events.slice(0, 1));
    recorder.onBeforeNavigate(navigate('http://up.example.com/'));
    feed(recorder, events.slice(1));
    expect(rows(recorder)[0]?.map((r) => r[0])).toEqual([307, 200]);
  });

  it('not when the navigation itself was https, a non-default port, or another URL', () => {
    for (const [nav, url] of [
      ['https://up.example.com/', 'https://up.example.com/'],
      ['http://up.example.com:8080/', 'https://up.example.com:8080/'],
      ['http://up.example.com/a', 'https://up.example.com/b'],
    ] as const) {
      const recorder = new Recorder();
      recorder.onBeforeNavigate(navigate(nav));
      feed(recorder, requestEvents({ requestId: '1', tabId: TAB, start: T0, hops: [{ url }] }));
      expect(
        rows(recorder)[0]?.map((r) => r[0]),
        `${nav} → ${url}`,
      ).toEqual([200]);
    }
  });

  it('not for HSTS, which webRequest reports itself as an internal hop from the http URL', () => {
    const recorder = new Recorder();
    recorder.onBeforeNavigate(navigate('http://sts.example.com/'));
    feed(
      recorder,
      requestEvents({
        requestId: '1',
        tabId: TAB,
        start: T0,
        hops: [
          {
            url: 'http://sts.example.com/',
            status: 307,
            statusLine: 'HTTP/1.1 307 Internal Redirect',
            redirectUrl: 'https://sts.example.com/',
            responseHeaders: [{ name: 'Non-Authoritative-Reason', value: 'HSTS' }],
            internal: true,
          },
          { url: 'https://sts.example.com/' },
        ],
      }),
    );
    expect(rows(recorder)[0]?.map((r) => [r[0], r[2], r[3]])).toEqual([
      [307, 'HSTS', false],
      [200, '', false],
    ]);
  });

  it('mid-chain: a redirect to http continued at https is the browser re-upgrading it', () => {
    const recorder = new Recorder();
    recorder.onBeforeNavigate(navigate('https://up.example.com/a'));
    feed(
      recorder,
      requestEvents({
        requestId: '1',
        tabId: TAB,
        start: T0,
        hops: [
          {
            url: 'https://up.example.com/a',
            status: 302,
            statusLine: 'HTTP/1.1 302 Found',
            redirectUrl: 'http://up.example.com/b',
            responseHeaders: [{ name: 'Location', value: 'http://up.example.com/b' }],
          },
          { url: 'https://up.example.com/b' },
        ],
      }),
    );
    expect(rows(recorder)).toEqual([
      [
        [302, 'server', '', false, 'https://up.example.com/a', 'http://up.example.com/b'],
        [307, 'internal', 'HttpsUpgrades', true, 'http://up.example.com/b', 'https://up.example.com/b'],
        [200, 'server', '', false, 'https://up.example.com/b', ''],
      ],
    ]);
    const chain = analyze(recorder.list()[0] as never);
    // The server's Location points to http (a downgrade it sent); the browser loaded https.
    expect(chain.hops.map((h) => h.downgrade)).toEqual([true, false, false]);
    expect(chain.hops[1]?.methodChange?.kind).toBe('none');
  });

  it('fallback: the https attempt fails, the tab asks for http afresh: one chain, two inferred hops', () => {
    const recorder = recordFallback();
    recorder.onCommitted({
      tabId: TAB,
      frameId: 0,
      url: 'http://fallback.example.com/',
      transitionQualifiers: ['server_redirect'],
      timeStamp: T0 + 60,
    });
    expect(rows(recorder)).toEqual([
      [
        [307, 'internal', 'HttpsUpgrades', true, 'http://fallback.example.com/', 'https://fallback.example.com/'],
        [307, 'internal', 'HttpsUpgrades', true, 'https://fallback.example.com/', 'http://fallback.example.com/'],
        [200, 'server', '', false, 'http://fallback.example.com/', ''],
      ],
    ]);
    const [chain] = recorder.list().map(analyze);
    expect(chain?.hops[1]?.error).toBe('net::ERR_CONNECTION_REFUSED');
    expect(chain?.requestIds).toEqual(['1', '2']);
    expect(chain?.outcome).toEqual({ state: 'completed', statusCode: 200 });
    expect(chain?.summary).toMatchObject({ redirects: 2, error: false, downgrade: false, loop: false });
    expect(recorder.currentChain(TAB)?.id).toBe(chain?.id);
  });

  it('fallback mid-chain: a 302 to http, the upgraded attempt refused, the http twin requested afresh', () => {
    const recorder = new Recorder();
    recorder.onBeforeNavigate(navigate('https://shop.example.com/a'));
    feed(
      recorder,
      requestEvents({
        requestId: '1',
        tabId: TAB,
        start: T0,
        hops: [
          {
            url: 'https://shop.example.com/a',
            status: 302,
            statusLine: 'HTTP/1.1 302 Found',
            redirectUrl: 'http://fb.example.com/',
          },
          { url: 'https://fb.example.com/' },
        ],
        error: 'net::ERR_CONNECTION_REFUSED',
      }),
    );
    feed(
      recorder,
      requestEvents({ requestId: '2', tabId: TAB, start: T0 + 40, hops: [{ url: 'http://fb.example.com/' }] }),
    );
    expect(rows(recorder)).toEqual([
      [
        [302, 'server', '', false, 'https://shop.example.com/a', 'http://fb.example.com/'],
        [307, 'internal', 'HttpsUpgrades', true, 'http://fb.example.com/', 'https://fb.example.com/'],
        [307, 'internal', 'HttpsUpgrades', true, 'https://fb.example.com/', 'http://fb.example.com/'],
        [200, 'server', '', false, 'http://fb.example.com/', ''],
      ],
    ]);
  });

  it('no fallback once a page committed, or in another tab', () => {
    for (const tabId of [TAB, TAB + 1]) {
      const recorder = failedHttpsAttempt();
      if (tabId === TAB) {
        recorder.onCommitted({ tabId: TAB, frameId: 0, url: 'chrome-error://chromewebdata/', timeStamp: T0 + 20 });
      }
      expect(httpAfresh(recorder, tabId).list()).toHaveLength(2);
    }
  });

  it('the HAR marks inferred hops, and import reads them back', () => {
    const recorder = new Recorder();
    recorder.onBeforeNavigate(navigate('http://up.example.com/'));
    feed(
      recorder,
      requestEvents({ requestId: '1', tabId: TAB, start: T0, hops: [{ url: 'https://up.example.com/' }] }),
    );
    const har = chainsToHar(recorder.list());
    assertValidHar(har);
    const marks = har.log.entries.map(
      (e) => (e as unknown as { _hopscope: { inferred?: boolean } })._hopscope.inferred,
    );
    expect(marks).toEqual([true, undefined]);
    expect(har.log.entries[0]?.response.statusText).toBe('Temporary Redirect');
    const back = importAnalyzed(JSON.stringify(har)).chains;
    expect(back[0]?.hops.map((h) => [h.inferred ?? false, h.internalReason ?? ''])).toEqual([
      [true, 'HttpsUpgrades'],
      [false, ''],
    ]);
    expect(chainsToHar(back)).toEqual(har);
  });

  it('says in plain words what the browser did and that the hop was inferred', () => {
    const recorder = recordFallback();
    const chain = analyze(recorder.list()[0] as never);
    const [upgrade, fallback] = chain.hops.map((h) => explainHop(chain, h));
    expect(upgrade?.headline).toBe('HTTPS-Upgrades: the browser tried https first → https://fallback.example.com/');
    expect(upgrade?.points.join(' ')).toMatch(/Hopscope inferred it/);
    expect(fallback?.headline).toBe(
      'HTTPS-Upgrades fell back to http: the https attempt failed (connection refused) → http://fallback.example.com/',
    );
    expect(kindLabel(chain.hops[0] as never)).toBe('internal (HttpsUpgrades, inferred)');
    expect(explainChain(chain).points.join(' ')).toMatch(/fell back to http/);
  });
});
