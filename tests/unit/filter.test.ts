import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnalyzedChain as Chain } from '../../src/core/analyze/index.ts';
import { FILTER_HELP, matchesChain, parseFilter, urlHostMatches } from '../../src/core/filter/filter.ts';
import { chainsOf, FIXTURES, onlyChain, requestEvents, syntheticHstsPreload } from './helpers.ts';

/** Every chain of every fixture, labelled `fixture` or `fixture#n` when it holds several. */
const POOL: Array<{ label: string; chain: Chain }> = [];
for (const name of FIXTURES) {
  const chains = chainsOf(name);
  chains.forEach((chain, i) => {
    POOL.push({ label: chains.length === 1 ? name : `${name}#${i + 1}`, chain });
  });
}
POOL.push({ label: 'hsts-preload-synthetic', chain: onlyChain(syntheticHstsPreload()) });

/** A chain stopped after its first redirect: the next request has not started. */
const redirectOnly = (() => {
  const events = requestEvents({
    requestId: 'half',
    hops: [
      { url: 'https://start.test/go', status: 302, redirectUrl: 'https://target.test/Landing?utm=Mail' },
      { url: 'https://target.test/Landing?utm=Mail' },
    ],
  });
  const redirect = events.findIndex((e) => e.event === 'onBeforeRedirect');
  return onlyChain(events.slice(0, redirect + 1));
})();
POOL.push({ label: 'pending-after-redirect', chain: redirectOnly });

function matching(query: string): string[] {
  const filter = parseFilter(query);
  expect(filter.errors).toEqual([]);
  return POOL.filter((p) => matchesChain(filter, p.chain)).map((p) => p.label);
}

const ALL = POOL.map((p) => p.label);
const BURST_XHR = ['burst-small#2', 'burst-small#3', 'burst-small#4', 'burst-small#5', 'burst-small#6'];

describe('parseFilter', () => {
  it('splits words, phrases, exclusions and filters', () => {
    const f = parseFilter('Login "two words" -Tracker -"x y" status:3xx -is:cached host:Example.com');
    expect(f.text).toEqual(['login', 'two words']);
    expect(f.negText).toEqual(['tracker', 'x y']);
    expect(f.predicates.map((p) => [p.key, p.value, p.negated])).toEqual([
      ['status', '3xx', false],
      ['is', 'cached', true],
      ['host', 'Example.com', false],
    ]);
    expect(f.errors).toEqual([]);
  });

  it('an empty box matches everything', () => {
    const f = parseFilter('   ');
    expect(f).toMatchObject({ text: [], negText: [], predicates: [], errors: [] });
    expect(matching('')).toEqual(ALL);
  });

  it('keys are case-insensitive; a quoted value after the colon is still a filter', () => {
    expect(parseFilter('STATUS:303 Is:HSTS host:"sts.test"').predicates.map((p) => p.key)).toEqual([
      'status',
      'is',
      'host',
    ]);
  });

  it('a quoted token with a colon is text, not a filter', () => {
    const f = parseFilter('"is:cached"');
    expect(f.text).toEqual(['is:cached']);
    expect(f.predicates).toEqual([]);
  });

  it('URLs, host:port and a lone - are text or nothing, not unknown filters', () => {
    const f = parseFilter('https://a.test/x localhost:47801 a.b:c - ""');
    expect(f.errors).toEqual([]);
    expect(f.text).toEqual(['https://a.test/x', 'localhost:47801', 'a.b:c']);
  });

  it('an unclosed quote runs to the end', () => {
    expect(parseFilter('"foo bar').text).toEqual(['foo bar']);
  });

  it.each([
    ['is:foo', 'Unknown filter is:foo. Try is:redirect, is:internal, is:hsts, is:cached'],
    ['status:abc', 'Unknown filter status:abc. Try status:404, status:3xx or status:>=400.'],
    ['status:6xx', 'Unknown filter status:6xx.'],
    ['type:bogus', 'Unknown filter type:bogus. Try type:document, type:xhr'],
    ['hops:many', 'Unknown filter hops:many. Give a number, for example hops:>3 or hops:2.'],
    ['host:a/b', 'Unknown filter host:a/b.'],
    ['method:PO$T', 'Unknown filter method:PO$T.'],
    ['foo:bar', 'Unknown filter foo:bar. Filters: status:, method:, is:, finding:, host:, type:, hops:.'],
    ['finding:nope', 'Unknown rule nope in finding:nope. The rules: insecure-hop, downgrade,'],
    ['-colour:red', 'Unknown filter -colour:red.'],
    ['status:', 'status: needs a value, for example status:307.'],
  ])('%s → an error the panel can show', (input, message) => {
    const f = parseFilter(input);
    expect(f.errors).toHaveLength(1);
    expect(f.errors[0]).toContain(message);
    expect(f.predicates).toEqual([]);
    expect(f.text).toEqual([]);
  });

  it('a bad part is ignored for matching; the rest still applies', () => {
    const f = parseFilter('is:foo status:303');
    expect(f.errors).toHaveLength(1);
    expect(POOL.filter((p) => matchesChain(f, p.chain)).map((p) => p.label)).toEqual(['chain-3xx', 'post-303']);
  });

  it('every syntax in FILTER_HELP parses without errors', () => {
    for (const { syntax } of FILTER_HELP) expect(parseFilter(syntax).errors, syntax).toEqual([]);
  });
});

describe('matchesChain on recorded chains', () => {
  it('free words match hop URLs and redirect targets, case-insensitively', () => {
    expect(matching('ECHO')).toEqual(['post-301', 'post-302', 'post-303', 'post-307', 'post-308']);
    expect(matching('landing?UTM=mail')).toEqual(['pending-after-redirect']);
    expect(matching('chain final')).toEqual(['chain-3xx']);
  });

  it('-word excludes', () => {
    expect(matching('post -post/30')).toEqual([]);
    expect(matching('echo -307 -308')).toEqual(['post-301', 'post-302', 'post-303']);
  });

  it.each([
    ['status:303', ['chain-3xx', 'post-303']],
    [
      'status:307,308',
      [
        'cache-307-max-age#1',
        'cache-307-max-age#2',
        'cache-308#1',
        'cache-308#2',
        'chain-3xx',
        'hsts-header#2',
        'hsts-midchain#2',
        'post-307',
        'post-308',
        'hsts-preload-synthetic',
      ],
    ],
    ['status:0', ['unreachable']],
    ['status:>=400', []],
    ['status:<200', ['unreachable']],
  ])('%s', (query, expected) => {
    expect(matching(query)).toEqual(expected);
  });

  it('status:3xx finds every chain with a redirect; -status:3xx the rest', () => {
    const with3xx = matching('status:3xx');
    expect(with3xx).toEqual(matching('is:redirect'));
    expect(matching('-status:3xx')).toEqual(ALL.filter((l) => !with3xx.includes(l)));
  });

  it('method:POST, is:method-changed', () => {
    expect(matching('method:post')).toEqual(['post-301', 'post-302', 'post-303', 'post-307', 'post-308']);
    expect(matching('is:method-changed')).toEqual(['post-301', 'post-302', 'post-303']);
    expect(matching('method:POST -is:method-changed')).toEqual(['post-307', 'post-308']);
  });

  it.each([
    ['is:internal', ['hsts-header#2', 'hsts-midchain#2', 'hsts-preload-synthetic']],
    ['is:hsts', ['hsts-header#2', 'hsts-midchain#2', 'hsts-preload-synthetic']],
    ['is:cached', ['cache-301#2', 'cache-307-max-age#2', 'cache-308#2']],
    ['is:loop', ['loop']],
    // A finding of severity error: the chain ends in an error (unreachable), loops, or downgrades.
    ['is:error', ['downgrade', 'loop', 'unreachable']],
    ['finding:method-changed', ['post-301', 'post-302']],
    ['finding:loop,downgrade', ['downgrade', 'loop']],
    [
      'is:info -is:warning -is:error',
      [
        'cache-301#1',
        'cache-301#2',
        'cache-308#1',
        'cache-308#2',
        'hsts-header#2',
        'hsts-midchain#2',
        'post-308',
        'hsts-preload-synthetic',
      ],
    ],
    ['is:downgrade', ['downgrade']],
    ['is:cross-origin', ['cross-host', 'downgrade', 'hsts-midchain#2', 'pending-after-redirect']],
    ['is:pending', ['pending-after-redirect']],
    ['hops:>3', ['chain-3xx', 'loop']],
    ['hops:>=20', ['loop']],
    ['hops:1 -is:error -is:pending', ['burst-small#1', 'hsts-header#1', 'hsts-midchain#1', 'hsts-preload', 'ok']],
  ])('%s', (query, expected) => {
    expect(matching(query)).toEqual(expected);
  });

  it('-is:cached is the complement of is:cached', () => {
    const cached = matching('is:cached');
    expect(matching('-is:cached')).toEqual(ALL.filter((l) => !cached.includes(l)));
  });

  it('host: matches any hop host or a subdomain of it, by whole labels', () => {
    expect(matching('host:b.test')).toEqual(['cross-host']);
    expect(matching('host:plain.test')).toEqual(['downgrade']);
    expect(matching('host:test')).toEqual([
      'cross-host',
      'downgrade',
      'hsts-header#1',
      'hsts-header#2',
      'hsts-midchain#1',
      'hsts-midchain#2',
      'pending-after-redirect',
    ]);
    expect(matching('host:dev')).toEqual(['hsts-preload', 'hsts-preload-synthetic']);
    expect(matching('host:.sts.test')).toEqual([
      'hsts-header#1',
      'hsts-header#2',
      'hsts-midchain#1',
      'hsts-midchain#2',
    ]);
    expect(matching('host:ts.test')).toEqual([]);
    expect(matching('host:localhost').length).toBeGreaterThan(10);
  });

  it('type: accepts DevTools and webRequest names', () => {
    expect(matching('type:xhr')).toEqual(BURST_XHR);
    expect(matching('type:fetch')).toEqual(BURST_XHR);
    expect(matching('type:xmlhttprequest')).toEqual(BURST_XHR);
    expect(matching('type:document')).toEqual(ALL.filter((l) => !BURST_XHR.includes(l)));
    expect(matching('type:main_frame')).toEqual(matching('type:doc'));
    expect(matching('type:script,img')).toEqual([]);
    expect(matching('-type:xhr is:redirect')).not.toContain('burst-small#2');
  });

  it('several parts must all hold', () => {
    expect(matching('is:redirect type:xhr burst/r/3')).toEqual(['burst-small#5']);
    expect(matching('status:302 -is:loop host:localhost -burst')).toEqual([
      'cache-302#1',
      'cache-302#2',
      'chain-3xx',
      'cross-host',
      'post-302',
    ]);
  });
});

describe('urlHostMatches', () => {
  it.each([
    ['https://User:pw@Example.COM:8443/a?b#c', 'example.com', true],
    ['https://www.example.com/', 'example.com', true],
    ['https://badexample.com/', 'example.com', false],
    ['https://example.com.evil.test/', 'example.com', false],
    ['https://evil.test/?next=https://example.com/', 'example.com', false],
    ['https://evil.test/#example.com', 'example.com', false],
    ['https://example.com@evil.test/', 'example.com', false],
    ['http://[::1]:47801/x', '[::1]', true],
    ['http://localhost:47801/x', 'localhost', true],
    ['http://a.test?x=http://b.test/', 'a.test', true],
    ['not a url example.com', 'example.com', false],
  ])('%s on %s: %s', (url, host, expected) => {
    expect(urlHostMatches(url, host)).toBe(expected);
  });
});

describe('matching 10,000 chains', () => {
  it('gives the same answers as a plain reading of the rules', () => {
    const base = onlyChain('chain-3xx');
    const chains: Chain[] = [];
    const template = base.hops.slice(0, 5).map((h) => ({ ...h, requestHeaders: [], responseHeaders: [] }));
    for (let i = 0; i < 10_000; i++) {
      const c: Chain = { ...base, id: `c${i}` };
      c.hops = template.map((h, j) => ({
        ...h,
        url: `https://h${i % 7}.example.com/p/${i}/${j}`,
        redirectUrl: j < 4 ? `https://h${i % 7}.example.com/p/${i}/${j + 1}` : '',
        statusCode: j < 4 ? (i % 3 === 0 ? 307 : 301) : i % 5 === 0 ? 404 : 200,
        method: i % 4 === 0 ? 'POST' : 'GET',
        fromCache: i % 11 === 0 && j === 0,
      }));
      c.type = i % 2 ? 'xmlhttprequest' : 'main_frame';
      c.summary = { ...c.summary, fromCache: i % 11 === 0 };
      chains.push(c);
    }
    const filter = parseFilter('status:307 method:POST -is:cached host:example.com type:xhr,document hops:>=5 -"/p/8"');
    expect(filter.errors).toEqual([]);
    let matched = 0;
    for (const c of chains) if (matchesChain(filter, c)) matched++;
    let expected = 0;
    for (let i = 0; i < 10_000; i++) {
      if (i % 3 === 0 && i % 4 === 0 && i % 11 !== 0 && !String(i).startsWith('8')) expected++;
    }
    expect(matched).toBe(expected);
    expect(matched).toBeGreaterThan(500);
  });
});

describe('words looked for in the search text', () => {
  /** The rule as the filter states it: some URL of the chain contains the word, in any case. */
  const reading = (urls: string[], word: string) => {
    const search = new RegExp(word.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
    return urls.some((u) => search.test(u));
  };
  const base = onlyChain('chain-3xx');
  const chainWith = (urls: string[]): Chain => ({
    ...base,
    pending: undefined,
    hops: urls.map((url, i) => ({ ...(base.hops[0] as Chain['hops'][number]), url, redirectUrl: urls[i + 1] ?? '' })),
  });
  // Characters whose case folding differs between toLowerCase and a case-insensitive search:
  // dotted capital I, Kelvin sign, long s, sharp s; and line breaks, the search text's separator.
  const piece = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 6 }),
    fc.constantFrom('İ', 'i', 'I', 'K', 'k', 'ſ', 's', 'S', 'ß', 'SS', '\n', 'A/b', 'a/B', 'É', 'é'),
  );
  const text = fc.array(piece, { maxLength: 5 }).map((p) => p.join(''));

  it('finds exactly what a case-insensitive search of each URL finds', () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 3 }), text, (urls, word) => {
        fc.pre(word !== '' && !word.includes('"'));
        const filter = parseFilter(`"${word}"`);
        expect(matchesChain(filter, chainWith(urls))).toBe(reading(urls, word));
      }),
      { numRuns: 2000 },
    );
  });

  it('a word does not match across two URLs', () => {
    expect(matchesChain(parseFilter('"a/bc/d"'), chainWith(['https://x.test/a/b', 'c/d']))).toBe(false);
    expect(matchesChain(parseFilter('"a/b"'), chainWith(['https://x.test/A/B', 'c/d']))).toBe(true);
  });
});
