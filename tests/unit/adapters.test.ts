/**
 * Browser adapters: each browser's webRequest details in, the same facts out. Firefox's shapes
 * are as verified on Firefox ESR 153 (an HSTS upgrade is a status-0 redirect with no headers,
 * no `initiator`, a loop ends in NS_ERROR_REDIRECT_LOOP).
 */
import { describe, expect, it } from 'vitest';
import { adapterFor, type BrowserAdapter, type BrowserDetails } from '../../src/background/adapters/index.ts';
import { analyze } from '../../src/core/analyze/index.ts';
import type { RequestEventName } from '../../src/core/record/events.ts';
import { Recorder } from '../../src/core/record/recorder.ts';
import { loadFixture } from './helpers.ts';

const OWN = 'moz-extension://5f0e0a4e-0000-4000-8000-000000000001';
const firefox = adapterFor({ extraHeaders: false }, OWN);
const chromium = adapterFor({ extraHeaders: true }, 'chrome-extension://abcdefghijklmnopabcdefghijklmnop');

function replay(adapter: BrowserAdapter, events: Array<[RequestEventName, BrowserDetails]>): Recorder {
  const recorder = new Recorder();
  for (const [name, details] of events) {
    const e = adapter.toEvent(name, details);
    if (e) recorder.handle(e);
  }
  return recorder;
}

const base = { requestId: '7', tabId: 3, frameId: 0, type: 'main_frame', method: 'GET' };
let t = 1_800_000_000_000;
const at = () => ({ timeStamp: t++ });

describe('browser adapters', () => {
  it('are chosen by what the browser offers: extraHeaders means Chromium', () => {
    expect(chromium.name).toBe('chromium');
    expect(firefox.name).toBe('firefox');
    expect(chromium.headerOptions('responseHeaders')).toEqual(['responseHeaders', 'extraHeaders']);
    expect(firefox.headerOptions('responseHeaders')).toEqual(['responseHeaders']);
    expect(firefox.otherTypes).toContain('beacon');
    expect(chromium.otherTypes).not.toContain('beacon');
  });

  it('Chromium: recorded events pass unchanged, so the fixtures give the same chains through it', () => {
    const events = loadFixture('hsts-header');
    const direct = new Recorder();
    for (const e of events) direct.handle(e);
    const through = replay(
      chromium,
      events.map((e) => [e.event, e.details as BrowserDetails]),
    );
    expect(through.list()).toEqual(direct.list());
  });

  it("leaves out the extension's own requests (Chromium initiator, Firefox originUrl)", () => {
    const own = { ...base, url: 'https://a.example/x', ...at() };
    expect(
      chromium.toEvent('onBeforeRequest', { ...own, initiator: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop' }),
    ).toBeUndefined();
    expect(firefox.toEvent('onBeforeRequest', { ...own, originUrl: `${OWN}/extension/panel.html` })).toBeUndefined();
    const page = firefox.toEvent('onBeforeRequest', { ...own, originUrl: 'https://page.example/app?x=1' });
    expect(page?.details.initiator).toBe('https://page.example');
  });

  it('Firefox: a status-0 redirect from http to https on the same host is the HSTS internal hop', () => {
    const recorder = replay(firefox, [
      ['onBeforeRequest', { ...base, url: 'http://sts.example/page', ...at() }],
      [
        'onBeforeRedirect',
        {
          ...base,
          url: 'http://sts.example/page',
          statusCode: 0,
          statusLine: '',
          responseHeaders: [],
          redirectUrl: 'https://sts.example/page',
          fromCache: false,
          ...at(),
        },
      ],
      ['onBeforeRequest', { ...base, url: 'https://sts.example/page', ...at() }],
      [
        'onCompleted',
        {
          ...base,
          url: 'https://sts.example/page',
          statusCode: 200,
          statusLine: 'HTTP/2.0 200 OK',
          responseHeaders: [],
          ip: '127.0.0.1',
          fromCache: false,
          ...at(),
        },
      ],
    ]);
    const [chain] = recorder.list().map(analyze);
    expect(chain?.hops.map((h) => [h.statusCode, h.kind, h.internalReason ?? '', h.url])).toEqual([
      [307, 'internal', 'HSTS', 'http://sts.example/page'],
      [200, 'server', '', 'https://sts.example/page'],
    ]);
    expect(chain?.summary).toMatchObject({ internal: true, redirects: 1, downgrade: false });
    expect(chain?.hops[0]?.cache.verdict).toBe('not-applicable');
  });

  it('Firefox: a status-0 redirect elsewhere is internal without a named reason', () => {
    const e = firefox.toEvent('onBeforeRedirect', {
      ...base,
      url: 'https://a.example/',
      statusCode: 0,
      redirectUrl: 'https://b.example/',
      ...at(),
    });
    expect(e?.details).toMatchObject({ statusCode: 307, internalReason: 'Internal' });
  });

  it('Firefox: a server redirect is left as the server sent it', () => {
    const details = {
      ...base,
      url: 'https://a.example/',
      statusCode: 301,
      statusLine: 'HTTP/1.1 301 Moved Permanently',
      redirectUrl: 'https://b.example/',
      ...at(),
    };
    expect(firefox.toEvent('onBeforeRedirect', details)?.details).toEqual(details);
  });

  it('Firefox: a loop that ends in NS_ERROR_REDIRECT_LOOP is reported as the browser giving up', () => {
    const events: Array<[RequestEventName, BrowserDetails]> = [];
    for (let i = 0; i < 20; i++) {
      const url = `https://loop.example/${i % 2}`;
      events.push(['onBeforeRequest', { ...base, url, ...at() }]);
      events.push([
        'onBeforeRedirect',
        {
          ...base,
          url,
          statusCode: 302,
          statusLine: 'HTTP/1.1 302 Found',
          responseHeaders: [],
          redirectUrl: `https://loop.example/${(i + 1) % 2}`,
          ...at(),
        },
      ]);
    }
    events.push(['onBeforeRequest', { ...base, url: 'https://loop.example/0', ...at() }]);
    events.push([
      'onErrorOccurred',
      { ...base, url: 'https://loop.example/0', error: 'NS_ERROR_REDIRECT_LOOP', ...at() },
    ]);
    const [chain] = replay(firefox, events).list().map(analyze);
    expect(chain?.outcome).toEqual({ state: 'error', error: 'NS_ERROR_REDIRECT_LOOP', tooManyRedirects: true });
    expect(chain?.summary).toMatchObject({ loop: true, error: true, redirects: 20 });
  });
});
