/** HAR pages: one per journey, as DevTools writes one per navigation; entries point at theirs. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chainsToHar } from '../../src/core/har/export.ts';
import { Recorder } from '../../src/core/record/recorder.ts';
import { assertValidHar } from '../support/har-validator.ts';
import { feed, importAnalyzed, redirectedRequest, requestEvents } from './helpers.ts';

const T0 = 1_800_000_000_000;

function recorded() {
  const recorder = new Recorder();
  feed(
    recorder,
    requestEvents({
      requestId: '1',
      tabId: 3,
      start: T0,
      hops: [
        {
          url: 'https://a.example.com/',
          status: 301,
          statusLine: 'HTTP/1.1 301',
          redirectUrl: 'https://b.example.com/?token=s3cret',
        },
        { url: 'https://b.example.com/?token=s3cret' },
      ],
    }),
  );
  // A redirected fetch of that page, then a second navigation in the same tab.
  feed(
    recorder,
    redirectedRequest('2', 1).map(
      (e) =>
        ({ ...e, details: { ...e.details, tabId: 3, timeStamp: T0 + 100 + (e.details.timeStamp % 100) } }) as never,
    ),
  );
  feed(
    recorder,
    requestEvents({ requestId: '3', tabId: 3, start: T0 + 1000, hops: [{ url: 'https://c.example.com/' }] }),
  );
  // A redirected fetch with no tab (a worker): no page.
  feed(
    recorder,
    redirectedRequest('4', 2).map((e) => ({ ...e, details: { ...e.details, tabId: -1 } }) as never),
  );
  return recorder.list();
}

describe('HAR pages', () => {
  it('one page per journey, titled with its final URL (redacted), and each entry’s pageref', () => {
    const har = chainsToHar(recorded());
    assertValidHar(har);
    expect(har.log.pages?.map((p) => [p.id, p.title, p.pageTimings])).toEqual([
      ['page_1', 'https://b.example.com/?token=REDACTED', { onContentLoad: -1, onLoad: -1 }],
      ['page_2', 'https://c.example.com/', { onContentLoad: -1, onLoad: -1 }],
    ]);
    expect(har.log.pages?.[0]?.startedDateTime).toBe(new Date(T0).toISOString());
    expect(har.log.entries.map((e) => e.pageref ?? null)).toEqual([
      'page_1',
      'page_1',
      'page_1',
      'page_1',
      'page_2',
      null,
      null,
    ]);
  });

  it('a chain’s page is the last journey of its tab that started no later, across many tabs', () => {
    const all = recorded();
    const journey = all.find((c) => c.type === 'main_frame');
    const fetch = all.find((c) => c.type !== 'main_frame');
    if (!journey || !fetch) throw new Error('the fixture has a journey and a fetch');
    const chain = fc.record({
      main: fc.boolean(),
      tabId: fc.integer({ min: -1, max: 3 }),
      startTime: fc.integer({ min: 0, max: 20 }),
    });
    fc.assert(
      fc.property(fc.array(chain, { maxLength: 30 }), (specs) => {
        const chains = specs.map((c, i) => ({
          ...(c.main ? journey : fetch),
          id: `c${i}`,
          tabId: c.tabId,
          startTime: T0 + c.startTime,
        }));
        const har = chainsToHar(chains);
        // The reading it must agree with: journeys in time order (stable), scanned to the chain's start.
        const journeys = chains.filter((c) => c.type === 'main_frame').sort((a, b) => a.startTime - b.startTime);
        const pageOf = (c: (typeof chains)[number]): string | null => {
          const own = journeys.indexOf(c);
          if (own >= 0) return `page_${own + 1}`;
          if (c.tabId < 0) return null;
          let page: string | null = null;
          journeys.forEach((j, i) => {
            if (j.startTime <= c.startTime && j.tabId === c.tabId) page = `page_${i + 1}`;
          });
          return page;
        };
        const want = chains.flatMap((c) => c.hops.map(() => pageOf(c)));
        expect(har.log.entries.map((e) => e.pageref ?? null)).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it('survive import and export unchanged', () => {
    const har = chainsToHar(recorded(), { includeSensitive: true });
    expect(chainsToHar(importAnalyzed(JSON.stringify(har)).chains, { includeSensitive: true })).toEqual(har);
  });
});
