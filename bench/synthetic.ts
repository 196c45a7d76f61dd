/**
 * A large recorded store, built by the real core recorder from webRequest-like events shaped
 * as Chromium delivers them (with request and response headers), for the panel and HAR figures.
 * Deterministic: the same store on every run.
 */

import { analyze, type AnalyzedChain as Chain } from '../src/core/analyze/index.ts';
import type { RequestEvent } from '../src/core/record/events.ts';
import { Recorder } from '../src/core/record/recorder.ts';

const TYPES = ['xmlhttprequest', 'image', 'script', 'stylesheet', 'sub_frame'];
const CODES = [301, 302, 303, 307, 308];

function requestHeaders(host: string, lean: boolean) {
  if (lean) return [];
  return [
    { name: 'Host', value: host },
    { name: 'User-Agent', value: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/150.0.0.0 Safari/537.36' },
    { name: 'Accept', value: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
    { name: 'Accept-Language', value: 'en-US,en;q=0.9' },
    { name: 'Accept-Encoding', value: 'gzip, deflate, br' },
    { name: 'Referer', value: `https://${host}/start` },
    { name: 'Cookie', value: 'session=abc123; theme=dark' },
  ];
}

function responseHeaders(status: number, lean: boolean, location?: string) {
  if (lean) return location ? [{ name: 'Location', value: location }] : [];
  const h = [
    { name: 'Date', value: 'Mon, 01 Jan 2024 00:00:00 GMT' },
    { name: 'Server', value: 'bench' },
    { name: 'Content-Type', value: 'text/html; charset=utf-8' },
    { name: 'Content-Length', value: status >= 300 && status < 400 ? '0' : '1234' },
    { name: 'Cache-Control', value: status === 301 || status === 308 ? 'max-age=3600' : 'no-store' },
  ];
  if (location) h.push({ name: 'Location', value: location });
  if (status === 200) h.push({ name: 'Set-Cookie', value: 'seen=1; Path=/; HttpOnly' });
  return h;
}

/**
 * `chains` chains of `hopsPerChain` hops each (hopsPerChain - 1 redirects, then a 200), all
 * in tab `tabId`; the first one is the tab's main frame, so the panel lists them all.
 * `lean` leaves out every header but Location (a hop is then ~0.5 kB of JSON instead of ~1.5 kB).
 */
export function buildStore(
  chains: number,
  hopsPerChain: number,
  options: { tabId?: number; lean?: boolean } = {},
): Chain[] {
  const tabId = options.tabId ?? 1;
  const lean = options.lean ?? false;
  const recorder = new Recorder({ maxChains: chains * 2, maxBytes: Number.MAX_SAFE_INTEGER });
  let t = 1_700_000_000_000;
  for (let c = 0; c < chains; c++) {
    const requestId = String(10_000 + c);
    const type = c === 0 ? 'main_frame' : (TYPES[c % TYPES.length] as string);
    const base = { requestId, tabId, frameId: 0, type, initiator: 'https://app.example' };
    for (let h = 0; h < hopsPerChain; h++) {
      const host = `h${(c + h) % 17}.example${h % 2 ? '.org' : '.com'}`;
      const url = `https://${host}/path/${c}/step${h}?q=${c * 7 + h}&token=secret${c}`;
      const last = h === hopsPerChain - 1;
      const status = last ? 200 : (CODES[(c + h) % CODES.length] as number);
      const next = `https://h${(c + h + 1) % 17}.example${(h + 1) % 2 ? '.org' : '.com'}/path/${c}/step${h + 1}?q=${c * 7 + h + 1}&token=secret${c}`;
      const statusLine = `HTTP/1.1 ${status} ${last ? 'OK' : 'Found'}`;
      const events: RequestEvent[] = [
        { event: 'onBeforeRequest', details: { ...base, url, method: 'GET', timeStamp: t } },
        {
          event: 'onBeforeSendHeaders',
          details: { ...base, url, method: 'GET', timeStamp: t + 1, requestHeaders: requestHeaders(host, lean) },
        },
        {
          event: 'onHeadersReceived',
          details: {
            ...base,
            url,
            method: 'GET',
            timeStamp: t + 5,
            statusCode: status,
            statusLine,
            responseHeaders: responseHeaders(status, lean, last ? undefined : next),
          },
        },
        last
          ? {
              event: 'onCompleted',
              details: {
                ...base,
                url,
                method: 'GET',
                timeStamp: t + 8,
                statusCode: status,
                statusLine,
                responseHeaders: responseHeaders(status, lean),
                ip: '203.0.113.7',
                fromCache: false,
              },
            }
          : {
              event: 'onBeforeRedirect',
              details: {
                ...base,
                url,
                method: 'GET',
                timeStamp: t + 6,
                statusCode: status,
                statusLine,
                responseHeaders: responseHeaders(status, lean, next),
                redirectUrl: next,
                ip: '203.0.113.7',
                fromCache: false,
              },
            },
      ];
      for (const e of events) recorder.handle(e);
      t += 10;
    }
  }
  return recorder.list().map(analyze);
}
