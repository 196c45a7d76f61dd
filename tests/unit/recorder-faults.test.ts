/**
 * The recorder under the faults the e2e fault test provokes in Chromium: events that reach a
 * restarted worker late, chains evicted while under way, and the `pending` count that must
 * return to 0 once every request ended.
 */
import { describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../src/core/events.ts';
import { Recorder } from '../../src/core/recorder.ts';

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

function run(events: RequestEvent[], recorder = new Recorder()) {
  for (const e of events) recorder.handle(e);
  return recorder;
}

const shape = (r: Recorder) =>
  r.list().map((c) => ({
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
    expect(shape(run([redirect(B, C, 307, 20), redirect(A, B, 302, 10), start(C, 21), done(C, 30)]))).toEqual(WHOLE);
  });

  it('a redirect delivered after the end of its chain goes back into it, not into a new chain', () => {
    expect(shape(run([redirect(B, C, 307, 20), done(C, 30), redirect(A, B, 302, 10)]))).toEqual(WHOLE);
  });

  it('a late start of a hop already built is ignored, and nothing is left pending', () => {
    const r = run([start(A, 1), redirect(A, B, 302, 10), redirect(B, C, 307, 20), done(C, 30), start(B, 11)]);
    expect(shape(r)).toEqual(WHOLE);
    expect(r.pending).toBe(0);
  });
});

describe('eviction while under way', () => {
  it('the later events of an evicted request start no chain halfway', () => {
    const r = new Recorder({ maxChains: 1 });
    const other = (e: RequestEvent): RequestEvent =>
      ({ ...e, details: { ...e.details, requestId: '8' } }) as RequestEvent;
    run([start(A, 1), redirect(A, B, 302, 10)], r); // request 7 under way
    run([other(start(A, 2)), other(redirect(A, B, 302, 11))], r); // request 8 evicts it
    r.takeChanges();
    expect(r.evicted).toBe(1);
    run([redirect(B, C, 307, 20), start(C, 21), done(C, 30)], r); // request 7 goes on
    expect(r.list().map((c) => c.requestId)).toEqual(['8']);
    run([other(redirect(B, C, 307, 21)), other(done(C, 31))], r);
    expect(r.pending).toBe(0);
  });
});
