/**
 * Client-side redirects: a page that answered and then navigated on by itself (meta refresh,
 * Refresh header, JavaScript) is joined with the navigation that follows into one journey,
 * in the order Chromium delivers the events (webRequest onCompleted before webNavigation
 * onCommitted, as recorded on Chromium 150).
 */
import { describe, expect, it } from 'vitest';
import { analyze, type AnalyzedChain as Chain } from '../../src/core/analyze/index.ts';
import { chainsToHar } from '../../src/core/har/export.ts';
import type { Chain as ChainFacts } from '../../src/core/model/chain.ts';
import { formatChainTable } from '../../src/core/present/text-table.ts';
import { Recorder, refreshDelay } from '../../src/core/record/recorder.ts';
import { assertValidHar } from '../support/har-validator.ts';
import { feed, importAnalyzed, requestEvents, roundTrip } from './helpers.ts';

const T0 = 1_800_000_000_000;
const commit = (url: string, qualifiers: string[], timeStamp: number, tabId = 7) => ({
  tabId,
  frameId: 0,
  url,
  transitionType: 'link',
  transitionQualifiers: qualifiers,
  timeStamp,
});

/** 301 → 302 → 200 (the page moves on by itself) → 307 → 200. */
function journey(options: { refreshHeader?: string; meta?: string; metaLate?: boolean; gapMs?: number } = {}) {
  const r = new Recorder();
  feed(
    r,
    requestEvents({
      requestId: '1',
      start: T0,
      hops: [
        {
          url: 'http://a.test/start',
          status: 301,
          statusLine: 'HTTP/1.1 301 Moved Permanently',
          redirectUrl: 'http://a.test/two',
        },
        { url: 'http://a.test/two', status: 302, statusLine: 'HTTP/1.1 302 Found', redirectUrl: 'http://a.test/page' },
        {
          url: 'http://a.test/page',
          statusLine: 'HTTP/1.1 200 OK',
          responseHeaders: options.refreshHeader ? [{ name: 'Refresh', value: options.refreshHeader }] : [],
        },
      ],
    }),
  );
  r.onCommitted(commit('http://a.test/page', ['server_redirect'], T0 + 30));
  if (options.meta && !options.metaLate) {
    r.noteMetaRefresh({ tabId: 7, url: 'http://a.test/page', content: options.meta, timeStamp: T0 + 31 });
  }
  const start2 = T0 + 40 + (options.gapMs ?? 0);
  feed(
    r,
    requestEvents({
      requestId: '2',
      start: start2,
      hops: [
        {
          url: 'http://b.test/next',
          status: 307,
          statusLine: 'HTTP/1.1 307 Temporary Redirect',
          redirectUrl: 'https://b.test/next',
        },
        { url: 'https://b.test/next', statusLine: 'HTTP/1.1 200 OK' },
      ],
    }),
  );
  r.onCommitted(commit('https://b.test/next', ['client_redirect', 'server_redirect'], start2 + 30));
  if (options.meta && options.metaLate) {
    r.noteMetaRefresh({ tabId: 7, url: 'http://a.test/page', content: options.meta, timeStamp: start2 + 31 });
  }
  return r;
}

function rows(chain: ChainFacts | undefined) {
  return (chain ? analyze(chain).hops : []).map((h) => [h.index, h.statusCode, h.kind, h.url, h.redirectUrl]);
}

describe('client redirects join the journey', () => {
  it('links a meta refresh and the navigation after it into one chain with a client hop', () => {
    const r = journey({ meta: '0; url=http://b.test/next' });
    const chains = r.list().map(analyze);
    expect(chains).toHaveLength(1);
    const [chain] = chains;
    expect(rows(chain)).toEqual([
      [0, 301, 'server', 'http://a.test/start', 'http://a.test/two'],
      [1, 302, 'server', 'http://a.test/two', 'http://a.test/page'],
      [2, 200, 'client', 'http://a.test/page', 'http://b.test/next'],
      [3, 307, 'server', 'http://b.test/next', 'https://b.test/next'],
      [4, 200, 'server', 'https://b.test/next', ''],
    ]);
    expect(chain?.hops[2]?.clientRedirect).toEqual({
      type: 'meta-refresh',
      delaySeconds: 0,
      afterMs: expect.any(Number),
    });
    expect(chain?.hops[2]?.crossOrigin).toBe(true);
    expect(chain?.requestIds).toEqual(['1', '2']);
    expect(chain?.outcome).toEqual({ state: 'completed', statusCode: 200 });
    expect(chain?.summary.redirects).toBe(4);
    expect(r.currentChain(7)?.id).toBe(chain?.id);
    expect(formatChainTable(chain as Chain)).toContain('client (meta refresh, 0 s)');
  });

  it('tells a Refresh header, with its delay', () => {
    const [chain] = journey({ refreshHeader: '5; url=http://b.test/next', gapMs: 5000 }).list();
    expect(chain?.hops[2]?.clientRedirect).toMatchObject({ type: 'refresh-header', delaySeconds: 5 });
    expect(chain?.hops[2]?.clientRedirect?.afterMs).toBeGreaterThanOrEqual(5000);
  });

  it('takes a client redirect without meta or Refresh for JavaScript, and marks a late one with its delay', () => {
    const [chain] = journey({ gapMs: 30_000 }).list();
    expect(chain?.hops[2]?.clientRedirect).toEqual({ type: 'javascript', afterMs: expect.any(Number) });
    expect(chain?.hops[2]?.clientRedirect?.afterMs).toBeGreaterThanOrEqual(30_000);
    expect(formatChainTable(chain as Chain)).toMatch(/client \(JavaScript, after 30\.\d\d s\)/);
  });

  it('corrects JavaScript to meta refresh when the content script’s message comes after the commit', () => {
    const [chain] = journey({ meta: '0;url=/next', metaLate: true }).list();
    expect(chain?.hops[2]?.clientRedirect).toMatchObject({ type: 'meta-refresh', delaySeconds: 0 });
  });

  it('keeps a navigation the user started apart', () => {
    const r = new Recorder();
    feed(r, requestEvents({ requestId: '1', start: T0, hops: [{ url: 'http://a.test/page' }] }));
    r.onCommitted(commit('http://a.test/page', [], T0 + 10));
    feed(r, requestEvents({ requestId: '2', start: T0 + 100, hops: [{ url: 'http://a.test/other' }] }));
    r.onCommitted(commit('http://a.test/other', ['from_address_bar'], T0 + 110));
    expect(r.list().map((c) => c.hops.length)).toEqual([1, 1]);
    expect(r.currentChain(7)?.hops[0]?.url).toBe('http://a.test/other');
  });

  it('continues the journey after a worker restart between the two navigations', () => {
    const a = new Recorder();
    feed(a, requestEvents({ requestId: '1', start: T0, hops: [{ url: 'http://a.test/page' }] }));
    a.onCommitted(commit('http://a.test/page', [], T0 + 10));
    const b = new Recorder();
    b.restore(roundTrip(a.takeChanges().put));
    feed(b, requestEvents({ requestId: '2', start: T0 + 100, hops: [{ url: 'http://a.test/landed' }] }));
    b.onCommitted(commit('http://a.test/landed', ['client_redirect'], T0 + 110));
    expect(rows(b.list()[0])).toEqual([
      [0, 200, 'client', 'http://a.test/page', 'http://a.test/landed'],
      [1, 200, 'server', 'http://a.test/landed', ''],
    ]);
  });

  it('survives export to HAR and import back', () => {
    const chains = journey({ meta: '0; url=http://b.test/next' }).list();
    const har = chainsToHar(chains);
    assertValidHar(har);
    const entry = har.log.entries[2] as unknown as { _hopscope: { kind: string; clientRedirect: unknown } };
    expect(entry._hopscope.kind).toBe('client');
    expect(entry._hopscope.clientRedirect).toMatchObject({ type: 'meta-refresh', delaySeconds: 0 });
    const back = importAnalyzed(JSON.stringify(har)).chains;
    expect(rows(back[0])).toEqual(rows(chains[0]));
    expect(back[0]?.hops[2]?.clientRedirect).toEqual(chains[0]?.hops[2]?.clientRedirect);
  });

  it.each([
    ['0; url=/x', 0],
    ['5;URL=/x', 5],
    ['  2.5 ; url=/x', 2.5],
    ['url=/x', undefined],
    ['', undefined],
  ])('reads the delay of %j', (content, delay) => {
    expect(refreshDelay(content)).toBe(delay);
  });
});

describe('client redirects in the order Firefox delivers the events', () => {
  it('joins the journey when the refreshing page’s commit came before its request was reported', () => {
    const r = new Recorder({ browser: 'firefox' });
    const page = { url: 'http://a.test/page', statusLine: 'HTTP/1.1 200 OK' };
    const first = requestEvents({
      requestId: '1',
      start: T0,
      hops: [
        { url: 'http://a.test/start', status: 302, statusLine: 'HTTP/1.1 302 Found', redirectUrl: page.url },
        page,
      ],
    });
    // Firefox does not order webNavigation after webRequest: the commit of /page arrives while
    // the chain is still at its first hop; the rest of the request's events follow.
    feed(r, first.slice(0, 2));
    r.onCommitted(commit(page.url, ['server_redirect'], T0 + 30));
    feed(r, first.slice(2));
    feed(
      r,
      requestEvents({
        requestId: '2',
        start: T0 + 1_000,
        hops: [{ url: 'http://a.test/end', statusLine: 'HTTP/1.1 200 OK' }],
      }),
    );
    r.onCommitted(commit('http://a.test/end', ['client_redirect'], T0 + 1_030));
    expect(r.list().map(rows)).toEqual([
      [
        [0, 302, 'server', 'http://a.test/start', page.url],
        [1, 200, 'client', page.url, 'http://a.test/end'],
        [2, 200, 'server', 'http://a.test/end', ''],
      ],
    ]);
    expect(r.currentChain(7)?.requestIds).toEqual(['1', '2']);
  });

  it('forgets a commit whose request never came once the tab navigates again', () => {
    const r = new Recorder({ browser: 'firefox' });
    feed(
      r,
      requestEvents({ requestId: '1', start: T0, hops: [{ url: 'http://a.test/one', statusLine: 'HTTP/1.1 200 OK' }] }),
    );
    r.onCommitted(commit('http://a.test/one', [], T0 + 30));
    r.onCommitted(commit('http://a.test/cached-elsewhere', [], T0 + 100));
    expect(r.currentChain(7)?.hops[0]?.url).toBe('http://a.test/one');
    r.onBeforeNavigate({ tabId: 7, frameId: 0, url: 'http://a.test/two', timeStamp: T0 + 200 });
    expect(r.currentChain(7)).toBeUndefined();
  });
});
