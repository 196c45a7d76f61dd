/**
 * HAR import of broken and hostile files: truncated, malformed, wrong-typed, deeply nested,
 * huge strings, a 50 MB file. Each gives a clear HarImportError or a result with warnings;
 * none crashes (no RangeError, no TypeError, no stack overflow).
 */
import fc from 'fast-check';
import type { Entry, Har } from 'har-format';
import { describe, expect, it } from 'vitest';
import { chainsToHar } from '../../src/core/har/export.ts';
import { HarImportError, type HarImportResult } from '../../src/core/har/import/index.ts';
import { MAX_HEADER_VALUE } from '../../src/core/record/headers.ts';
import { chainsOf, FIXTURES, importAnalyzed, loadFixture } from './helpers.ts';

fc.configureGlobal({
  seed: Number(process.env.HOPSCOPE_PROPERTY_SEED ?? 0x4b0b5c09),
  numRuns: Number(process.env.HOPSCOPE_PROPERTY_RUNS ?? 200),
});

/** The import fails with a HarImportError whose message matches; any other error fails the test. */
function importError(text: string): string {
  try {
    importAnalyzed(text, { source: 'test.har' });
  } catch (err) {
    if (err instanceof HarImportError) return err.message;
    throw err;
  }
  throw new Error('imported without an error');
}

/** Either a result or a HarImportError: never another exception. */
function importOrError(text: string): HarImportResult | HarImportError {
  try {
    return importAnalyzed(text);
  } catch (err) {
    if (err instanceof HarImportError) return err;
    throw err;
  }
}

/** A DevTools-style entry (no `_hopscope`): what another tool writes. */
function entry(url: string, status: number, redirectURL = '', extra: Partial<Entry> = {}): Entry {
  return {
    startedDateTime: '2026-01-01T00:00:00.000Z',
    time: 1,
    request: {
      method: 'GET',
      url,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: [],
      queryString: [],
      headersSize: -1,
      bodySize: 0,
    },
    response: {
      status,
      statusText: '',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: redirectURL ? [{ name: 'Location', value: redirectURL }] : [],
      content: { size: 0, mimeType: 'text/html' },
      redirectURL,
      headersSize: -1,
      bodySize: 0,
    },
    cache: {},
    timings: { send: 0, wait: 1, receive: 0 },
    ...extra,
  };
}

function har(entries: unknown[]): string {
  return JSON.stringify({ log: { version: '1.2', creator: { name: 'test', version: '1' }, entries } });
}

const GOOD = [entry('https://a.test/', 301, 'https://b.test/'), entry('https://b.test/', 200)];

/** Hopscope's own export of every recorded fixture: the file a user is most likely to import. */
const OWN = JSON.stringify(chainsToHar(FIXTURES.flatMap((f) => chainsOf(loadFixture(f)))), null, 2);
/** A smaller one, for properties that import it hundreds of times. */
const SMALL = JSON.stringify(chainsToHar(chainsOf('chain-3xx')));

describe('truncated files', () => {
  it('a HAR cut off anywhere says it is incomplete', () => {
    fc.assert(
      fc.property(fc.nat({ max: OWN.trimEnd().length - 2 }), (cut) => {
        const message = importError(OWN.slice(0, cut + 1));
        expect(message).toMatch(
          /^"test\.har" is not complete JSON \(unexpected end at character \d+\): it was probably cut off/,
        );
      }),
    );
  });

  it('empty and whitespace-only files', () => {
    for (const text of ['', ' ', '\n\t ', '\ufeff']) expect(importError(text)).toMatch(/is empty/);
  });
});

describe('malformed files', () => {
  it.each([
    ['not json', 'not JSON'],
    ['<html><body>404</body></html>', 'not JSON'],
    ["{'log': {}}", 'not JSON'],
    ['{"log": {"entries": [,]}}', 'not JSON'],
    ['{"log": {"entries": [1,]}}', 'not JSON'],
    ['{"log": {"entries": []}} trailing', 'not JSON'],
    ['{"log": NaN}', 'not JSON'],
    ['\u0000\u0001\u0002', 'not JSON'],
    ['\ud800', 'not JSON'],
    ['null', 'JSON but not a HAR: it holds null'],
    ['"a string"', 'JSON but not a HAR: it holds a string'],
    ['[1, 2]', 'JSON but not a HAR: it holds an array'],
    ['42', 'JSON but not a HAR: it holds a number'],
    ['{}', 'JSON but not a HAR'],
    ['{"log": []}', 'JSON but not a HAR'],
    ['{"log": {"entries": []}}', 'no entries'],
  ])('%j → %s', (text, expected) => {
    expect(importError(text)).toContain(expected);
  });

  it('the error message quotes nothing from the file (no hostile text in the panel)', () => {
    const message = importError('{"log": <img src=x onerror=alert(1)>}');
    expect(message).toMatch(/^"test\.har" is not JSON \(unexpected token '<'\): pick a HAR file/);
    expect(message).not.toContain('<img');
    expect(importError('{"log": 1, <img src=x onerror=alert(1)>}')).not.toContain('<img');
  });

  it('any string at all: a result or a HarImportError, nothing else', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.json({ maxDepth: 6 }),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify({ log: { entries: [v, v] } })),
      fc
        .tuple(fc.nat({ max: SMALL.length - 1 }), fc.string({ unit: 'binary', maxLength: 8 }))
        .map(([at, junk]) => SMALL.slice(0, at) + junk + SMALL.slice(at + junk.length)),
    );
    fc.assert(
      fc.property(text, (t) => {
        importOrError(t);
      }),
    );
  }, 60_000);
});

describe('wrong-typed files', () => {
  it('entries: "x" → no entries array', () => {
    expect(importError(JSON.stringify({ log: { entries: 'x' } }))).toBe(
      '"test.har" is JSON but not a HAR: it has no log.entries array.',
    );
  });

  it('log: 5, log.entries: {} and null are not a HAR', () => {
    for (const log of [5, null, 'x', { entries: {} }, { entries: null }]) {
      expect(importError(JSON.stringify({ log }))).toMatch(/is JSON but not a HAR/);
    }
  });

  it('entries of the wrong type are skipped one by one, with a warning each; the good chain is kept', () => {
    const bad = [
      5,
      'x',
      null,
      [],
      { ...GOOD[0], request: 5 },
      { ...GOOD[0], response: 'ok' },
      entry('https://c.test/', '301' as unknown as number),
      entry('https://c.test/', 301.5),
      entry('https://c.test/', -1),
      entry('https://c.test/', 1000),
      { ...entry('https://c.test/', 200), request: { ...entry('https://c.test/', 200).request, url: 42 } },
      { ...entry('https://c.test/', 200), request: { ...entry('https://c.test/', 200).request, method: '' } },
    ];
    const result = importAnalyzed(har([...bad, ...GOOD]));
    expect(result.entries).toBe(bad.length + GOOD.length);
    expect(result.chains).toHaveLength(1);
    expect(result.chains[0]?.hops.map((h) => h.url)).toEqual(['https://a.test/', 'https://b.test/']);
    expect(result.warnings).toContain('Entry 1 was skipped: it is not an object.');
    expect(result.warnings).toContain('Entry 5 was skipped: it has no request object.');
    expect(result.warnings).toContain('Entry 6 was skipped: it has no response object.');
    expect(result.warnings).toContain('Entry 7 was skipped: its response status is not a whole number from 0 to 999.');
    expect(result.warnings).toContain('Entry 11 was skipped: it has no request URL.');
    expect(result.warnings).toContain('Entry 12 was skipped: it has no request method.');
  });

  it('headers: {}, headers of the wrong shape, dates, times and _fromCache of any type: read leniently', () => {
    const [a, b] = GOOD as [Entry, Entry];
    const odd = {
      ...a,
      startedDateTime: { $date: 1 },
      time: 'slow',
      _fromCache: ['disk'],
      _initiator: 7,
      _resourceType: 12,
      serverIPAddress: { v: 4 },
      request: { ...a.request, headers: {} },
      response: {
        ...a.response,
        statusText: 301,
        httpVersion: null,
        headers: [{ name: 'Location' }, 'Location: x', null, { name: 5, value: 6 }, { name: 'X', value: 'ok' }],
        redirectURL: ['https://b.test/'],
      },
    };
    // The redirect target falls back to nothing: redirectURL is not a string and Location has no value.
    const result = importAnalyzed(har([odd, b]));
    expect(result.chains).toHaveLength(0);
    expect(result.warnings.join(' ')).toMatch(/no readable startedDateTime/);
    // With a readable target, the same oddities still import as a chain.
    const linked = importAnalyzed(har([{ ...odd, response: { ...odd.response, redirectURL: 'https://b.test/' } }, b]));
    expect(linked.chains).toHaveLength(1);
    const hop = linked.chains[0]?.hops[0];
    expect(hop?.responseHeaders).toEqual([{ name: 'X', value: 'ok' }]);
    expect(hop?.requestHeaders).toEqual([]);
    expect(hop?.statusText).toBe('');
    expect(hop?.startTime).toBe(0);
  });

  it('a Hopscope export with broken _hopscope fields falls back to linking by redirect target', () => {
    const own = JSON.parse(OWN) as Har;
    for (const e of own.log.entries as Array<Entry & { _hopscope: unknown }>) {
      e._hopscope = { chainId: 5, hopIndex: 'first', methodChange: 'x', chainOutcome: [] };
    }
    const result = importAnalyzed(JSON.stringify(own));
    expect(result.chains.length).toBeGreaterThan(0);
    for (const chain of result.chains) expect(chain.id).toMatch(/^import:/);
  });
});

describe('deeply nested files', () => {
  const DEPTH = 100_000;

  it(`${DEPTH.toLocaleString('en-US')} levels of arrays or objects, at the top or inside an entry: no stack overflow`, () => {
    const arrays = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;
    const objects = `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`;
    expect(importError(arrays)).toMatch(/not a HAR: it holds an array/);
    expect(importError(objects)).toMatch(/not a HAR/);
    for (const [deep, problem] of [
      [arrays, 'it is not an object'],
      [objects, 'it has no request object'],
    ] as const) {
      const [a, b] = GOOD.map((e) => JSON.stringify(e)) as [string, string];
      const inEntry = a.replace('"cache":{}', `"cache":{},"_initiator":${deep},"_deep":${deep}`);
      const inHeaders = b.replace('"headers":[]', `"headers":${deep}`);
      const inHopscope = a.replace(
        '"cache":{}',
        `"cache":{},"_hopscope":{"chainId":"c","hopIndex":0,"methodChange":${deep}}`,
      );
      const result = importAnalyzed(`{"log":{"entries":[${inEntry},${inHeaders},${deep},${inHopscope}]}}`);
      expect(result.entries).toBe(4);
      expect(result.warnings).toEqual([`Entry 3 was skipped: ${problem}.`]);
      expect(result.chains.length).toBeGreaterThan(0);
    }
  });
});

describe('huge strings', () => {
  it('4 MB URLs, header values, status texts and dates: imported, header values bounded', () => {
    const huge = 'x'.repeat(4 * 1024 * 1024);
    const a = entry(`https://a.test/${huge}`, 301, 'https://b.test/', { startedDateTime: huge, time: 1 });
    a.request.headers = [{ name: huge, value: huge }];
    a.response.headers.push({ name: 'X-Huge', value: huge });
    a.response.statusText = huge;
    a.request.method = huge.slice(0, 1024 * 1024);
    const b = entry('https://b.test/', 200);
    b.response.redirectURL = huge;
    const result = importAnalyzed(har([a, b]));
    expect(result.chains).toHaveLength(1);
    const [first] = result.chains[0]?.hops ?? [];
    for (const h of [...(first?.requestHeaders ?? []), ...(first?.responseHeaders ?? [])]) {
      expect(h.value.length).toBeLessThanOrEqual(MAX_HEADER_VALUE + 1);
      expect(h.name.length).toBeLessThanOrEqual(256);
    }
    expect(result.warnings.join(' ')).toMatch(/no readable startedDateTime/);
  });

  it('a 4 MB redirect target that is linked by its Location, not cut', () => {
    const path = `/${'p'.repeat(4 * 1024 * 1024)}`;
    const result = importAnalyzed(
      har([entry('https://a.test/', 302, `https://a.test${path}`), entry(`https://a.test${path}`, 200)]),
    );
    expect(result.chains[0]?.hops).toHaveLength(2);
  });
});

describe('a very large file', () => {
  it('50 MB of redirect chains: imported in full, every chain found', () => {
    const CHAINS = 20_000;
    // ~1.2 KB of headers per entry, as real pages have: 2 entries per chain → ~50 MB.
    const padding = [
      { name: 'User-Agent', value: `Mozilla/5.0 ${'x'.repeat(500)}` },
      { name: 'Accept', value: 'a'.repeat(500) },
    ];
    const entries: Entry[] = [];
    for (let i = 0; i < CHAINS; i++) {
      const from = entry(`https://a.test/r/${i}`, 302, `https://a.test/done/${i}`);
      const to = entry(`https://a.test/done/${i}`, 200);
      from.request.headers = padding;
      to.request.headers = padding;
      entries.push(from, to);
    }
    const text = har(entries);
    expect(text.length).toBeGreaterThan(45 * 1024 * 1024);
    const result = importAnalyzed(text);
    expect(result.entries).toBe(2 * CHAINS);
    expect(result.chains).toHaveLength(CHAINS);
    expect(result.chains.every((c) => c.hops.length === 2)).toBe(true);
  }, 20_000);
});
