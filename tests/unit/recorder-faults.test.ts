/**
 * The recorder under the faults the e2e fault test provokes in Chromium: events that reach a
 * restarted worker late, chains evicted while under way, and the `pending` count that must
 * return to 0 once every request ended.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/core/analyze/index.ts';
import { RECORDING_STOPPED } from '../../src/core/model/chain.ts';
import type { RequestEvent } from '../../src/core/record/events.ts';
import { MAX_UNDER_WAY, Recorder, TAB_CLOSED } from '../../src/core/record/recorder.ts';
import { feed, record } from './helpers.ts';

const base = { requestId: '7', tabId: 1, frameId: 0, type: 'xmlhttprequest', method: 'GET' };
const A = 'http://l.test/r/302';
const B = 'http://l.test/r/307';
const C = 'http://l.test/ok';

const start = (url: string, t: number): RequestEvent => ({
  event: 'onBeforeRequest',
  details: { ...base, url, timeStamp: t },
});
const redirect = (url: string, to: string, status: number, t: number): RequestEvent => ({
  event: 'onBeforeRedirect',
  details: { ...base, url, redirectUrl: to, statusCode: status, timeStamp: t },
});
const done = (url: string, t: number): RequestEvent => ({
  event: 'onCompleted',
  details: { ...base, url, statusCode: 200, timeStamp: t },
});

const shape = (r: Recorder) =>
  r
    .list()
    .map(analyze)
    .map((c) => ({
      hops: c.hops.map((h) => [h.index, h.url, h.statusCode, h.redirectUrl]),
      outcome: c.outcome.state,
    }));

const WHOLE = [
  {
    hops: [
      [0, A, 302, B],
      [1, B, 307, C],
      [2, C, 200, ''],
    ],
    outcome: 'completed',
  },
];

describe('events that reach a restarted worker late', () => {
  it('a redirect delivered after a later one goes in its place', () => {
    expect(shape(record([redirect(B, C, 307, 20), redirect(A, B, 302, 10), start(C, 21), done(C, 30)]))).toEqual(WHOLE);
  });

  it('a redirect delivered after the end of its chain goes back into it, not into a new chain', () => {
    expect(shape(record([redirect(B, C, 307, 20), done(C, 30), redirect(A, B, 302, 10)]))).toEqual(WHOLE);
  });

  it('a late start of a hop already built is ignored, and nothing is left pending', () => {
    const r = record([start(A, 1), redirect(A, B, 302, 10), redirect(B, C, 307, 20), done(C, 30), start(B, 11)]);
    expect(shape(r)).toEqual(WHOLE);
    expect(r.pending).toBe(0);
  });
});

describe('eviction while under way', () => {
  it('the later events of an evicted request start no chain halfway', () => {
    const r = new Recorder({ maxChains: 1 });
    const other = (e: RequestEvent): RequestEvent =>
      ({ ...e, details: { ...e.details, requestId: '8' } }) as RequestEvent;
    feed(r, [start(A, 1), redirect(A, B, 302, 10)]); // request 7 under way
    feed(r, [other(start(A, 2)), other(redirect(A, B, 302, 11))]); // request 8 evicts it
    r.takeChanges();
    expect(r.evicted).toBe(1);
    feed(r, [redirect(B, C, 307, 20), start(C, 21), done(C, 30)]); // request 7 goes on
    expect(r.list().map((c) => c.requestId)).toEqual(['8']);
    feed(r, [other(redirect(B, C, 307, 21)), other(done(C, 31))]);
    expect(r.pending).toBe(0);
  });
});

describe('a tab closed, and requests whose end never comes', () => {
  const error = (url: string, t: number, requestId = '7'): RequestEvent => ({
    event: 'onErrorOccurred',
    details: { ...base, requestId, url, error: 'net::ERR_ABORTED', timeStamp: t },
  });

  it('a chain under way in the closed tab ends as "tab closed"; other tabs go on', () => {
    const r = new Recorder();
    const inTab2 = (e: RequestEvent): RequestEvent =>
      ({ ...e, details: { ...e.details, requestId: '9', tabId: 2 } }) as RequestEvent;
    feed(r, [start(A, 1), redirect(A, B, 302, 10), start(B, 11)]);
    feed(r, [inTab2(start(A, 2)), inTab2(redirect(A, B, 302, 12)), inTab2(start(B, 13))]);
    r.tabClosed(1, 50);
    const [closed, open] = r.list();
    expect(closed?.outcome).toEqual({ state: 'error', error: TAB_CLOSED });
    expect(closed?.endTime).toBe(50);
    expect(closed?.pending).toBeUndefined();
    expect(closed?.hops.map((h) => h.url)).toEqual([A]);
    expect(open?.outcome.state).toBe('pending');
    expect(r.pending).toBe(1);
    // The abort Chromium sends for the closed tab's request, stamped before or after the close
    // was handled: no second chain, and the closed one keeps its outcome.
    feed(r, [error(B, 60)]);
    feed(r, [error(B, 40)]);
    expect(r.list()).toHaveLength(2);
    expect(r.list()[0]?.outcome).toEqual({ state: 'error', error: TAB_CLOSED });
  });

  it('a page navigation under way in a closed tab: its late abort makes no second chain', () => {
    const page = (e: RequestEvent): RequestEvent =>
      ({ ...e, details: { ...e.details, requestId: 'nav', type: 'main_frame' } }) as RequestEvent;
    const r = record([page(start(A, 1)), page(redirect(A, B, 302, 10)), page(start(B, 11))]);
    r.tabClosed(1, 50);
    feed(r, [page(error(B, 60))]); // stamped after the close was handled
    expect(r.list().map((c) => [c.id, c.outcome])).toEqual([['nav', { state: 'error', error: TAB_CLOSED }]]);
    expect(r.pending).toBe(0);
  });

  it('when the subresource listeners go, subresource chains under way end; pages and frames go on', () => {
    const as =
      (requestId: string, type: string) =>
      (e: RequestEvent): RequestEvent =>
        ({ ...e, details: { ...e.details, requestId, type } }) as RequestEvent;
    const image = as('img', 'image');
    const page = as('nav', 'main_frame');
    const frame = as('frm', 'sub_frame');
    const unredirected = as('css', 'stylesheet');
    const r = new Recorder();
    for (const kind of [image, page, frame])
      feed(r, [kind(start(A, 1)), kind(redirect(A, B, 302, 10)), kind(start(B, 11))]);
    feed(r, [unredirected(start(C, 12))]);
    expect(r.pending).toBe(4);
    r.subresourcesStopped(50);
    const byId = new Map(r.list().map((c) => [c.id, c]));
    expect(byId.get('img')?.outcome).toEqual({ state: 'error', error: RECORDING_STOPPED });
    expect(byId.get('img')?.endTime).toBe(50);
    expect(byId.get('img')?.hops.map((h) => h.url)).toEqual([A]);
    expect(byId.get('nav')?.outcome.state).toBe('pending');
    expect(byId.get('frm')?.outcome.state).toBe('pending');
    expect(r.pending).toBe(2);
    // Not the site's error: no finding says the chain ended in one.
    expect(
      analyze(byId.get('img') as NonNullable<ReturnType<typeof byId.get>>).findings.map((f) => f.rule),
    ).not.toContain('ends-in-error');
    // Late events of the ended request (were the listeners back) change nothing.
    feed(r, [image(done(B, 60))]);
    expect(r.list().find((c) => c.id === 'img')?.outcome).toEqual({ state: 'error', error: RECORDING_STOPPED });
    feed(r, [page(done(B, 61)), frame(done(B, 62))]);
    expect(
      r
        .list()
        .filter((c) => c.outcome.state === 'completed')
        .map((c) => c.id)
        .sort(),
    ).toEqual(['frm', 'nav']);
    expect(r.pending).toBe(0);
  });

  it('requests of a closed tab that never redirected are forgotten', () => {
    const r = record([start(A, 1)]);
    expect(r.pending).toBe(1);
    r.tabClosed(1, 5);
    expect(r.pending).toBe(0);
    expect(r.list()).toEqual([]);
  });

  it(`requests whose end never reaches the worker are forgotten beyond ${MAX_UNDER_WAY}`, () => {
    const r = new Recorder();
    for (let i = 0; i < MAX_UNDER_WAY + 50; i++) {
      r.handle({
        event: 'onBeforeRequest',
        details: { ...base, requestId: String(i), url: `${C}?${i}`, timeStamp: i },
      });
    }
    expect(r.pending).toBe(MAX_UNDER_WAY);
    // The newest are the ones kept: a redirect of the last request still makes its chain.
    const last = String(MAX_UNDER_WAY + 49);
    r.handle({
      event: 'onBeforeRedirect',
      details: { ...base, requestId: last, url: `${C}?${last}`, redirectUrl: B, statusCode: 302, timeStamp: 1e5 },
    });
    expect(r.list().map((c) => [c.requestId, c.hops[0]?.startTime])).toEqual([[last, Number(last)]]);
  });
});
