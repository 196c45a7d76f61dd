/**
 * `hopscope check`, the pure part: expectations from a list's fields, verdicts from chains,
 * the findings threshold, output formats, sharding, what a visit leaves and what shows it met
 * another's state.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import {
  type CheckItem,
  type CheckRow,
  CSV_COLUMNS,
  checkRow,
  contamination,
  hstsHostsSet,
  type InvalidItem,
  invalidRow,
  itemFromFields,
  parseBase,
  parseShard,
  parseSourceUrl,
  parseStatus,
  rowCsvRecord,
  rowJson,
  rowMarkdown,
  rowTable,
  SummaryCounter,
  setsCookies,
  shardOf,
  sourceKey,
  summaryText,
  withOrigin,
} from '../../src/core/check/index.ts';
import type { Chain, Hop } from '../../src/core/model/chain.ts';
import { factsOf } from './helpers.ts';

function hop(url: string, statusCode: number, more: Partial<Hop> = {}): Hop {
  return {
    url,
    method: 'GET',
    statusCode,
    httpVersion: 'HTTP/1.1',
    statusText: '',
    requestHeaders: [],
    responseHeaders: [],
    redirectUrl: '',
    fromCache: false,
    startTime: 1,
    endTime: 2,
    kind: 'server',
    ...more,
  };
}

/** A chain through `steps` ([url, status] pairs); each hop redirects to the next. */
function chain(steps: Array<[string, number, Partial<Hop>?]>, outcome?: Chain['outcome']): Chain {
  const hops = steps.map(([url, status, more], i) =>
    hop(url, status, { redirectUrl: steps[i + 1]?.[0] ?? '', ...more }),
  );
  const last = hops.at(-1) as Hop;
  return {
    id: 'c1',
    requestId: '1',
    tabId: 1,
    frameId: 0,
    type: 'main_frame',
    startTime: 1,
    hops,
    outcome: outcome ?? { state: 'completed', statusCode: last.statusCode },
  };
}

function item(fields: Record<string, string>, kind: 'csv' | 'list' | 'sitemap' = 'csv', base?: string): CheckItem {
  const it = itemFromFields(fields, { line: 2, kind, base });
  if ('problem' in it) throw new Error(it.problem);
  return it;
}

const O = 'http://old.example';
const N = 'https://new.example';

describe('expectations from a line', () => {
  it('makes the source absolute as the address bar does, and refuses what is not http(s)', () => {
    expect(parseSourceUrl('example.com/a')).toEqual({ url: 'http://example.com/a' });
    expect(parseSourceUrl(' https://EXAMPLE.com:443/a#frag ')).toEqual({ url: 'https://example.com/a' });
    expect(parseSourceUrl('not a url')).toEqual({ problem: "'not a url' is not a URL" });
    expect(parseSourceUrl('ftp://example.com/')).toEqual({ problem: "'ftp://example.com/' is not an http(s) URL" });
    expect(parseSourceUrl('')).toEqual({ problem: 'the source is empty' });
  });

  it('reads status and max_hops, and says what is wrong with them', () => {
    expect(parseStatus('')).toEqual({ kind: 'any' });
    expect(parseStatus('Permanent')).toEqual({ kind: 'permanent' });
    expect(parseStatus('temporary')).toEqual({ kind: 'temporary' });
    expect(parseStatus('308')).toEqual({ kind: 'code', code: 308 });
    expect(parseStatus('moved')).toEqual({
      problem: "status 'moved' is not an HTTP status code, permanent, temporary or any",
    });
    const bad = itemFromFields({ source: `${O}/a`, max_hops: 'two' }, { line: 7, kind: 'csv' }) as InvalidItem;
    expect(bad).toEqual({
      line: 7,
      source: `${O}/a`,
      expected: '',
      problem: "max_hops 'two' is not a whole number of redirects",
    });
  });

  it('resolves a relative target against the source', () => {
    const it = item({ source: `${O}/old/a?x=1`, expected: '/new/a', status: '301', max_hops: '1' });
    expect(it.expect).toEqual({ target: `${O}/new/a`, status: { kind: 'code', code: 301 }, maxHops: 1 });
    expect(it.expected).toBe(`${O}/new/a`);
  });

  it('--base moves every source, and the targets on the same origin, to another origin', () => {
    expect(parseBase('https://staging.example/')).toBe('https://staging.example');
    expect(() => parseBase('https://staging.example/v2')).toThrow(/origin only/);
    expect(() => parseBase('staging')).toThrow(/not an http\(s\) URL/);
    const base = 'http://localhost:8080';
    const same = item({ source: `${O}/a`, expected: `${O}/b` }, 'csv', base);
    expect([same.source, same.expected]).toEqual([`${base}/a`, `${base}/b`]);
    const relative = item({ source: `${O}/a`, expected: '/b' }, 'csv', base);
    expect(relative.expected).toBe(`${base}/b`);
    const other = item({ source: `${O}/a`, expected: `${N}/b` }, 'csv', base);
    expect([other.source, other.expected]).toEqual([`${base}/a`, `${N}/b`]);
    expect(withOrigin('http://a.example/x?y#z', 'https://b.example:8443')).toBe('https://b.example:8443/x?y#z');
  });

  it('a sitemap URL must answer itself with 200, no redirect; a plain list asks nothing', () => {
    expect(item({ source: `${N}/a` }, 'sitemap').expect).toEqual({
      target: `${N}/a`,
      status: { kind: 'code', code: 200 },
      maxHops: 0,
    });
    expect(item({ source: `${N}/a` }, 'list').expect).toEqual({ status: { kind: 'any' } });
  });
});

describe('verdicts', () => {
  const moved = chain([
    [`${O}/a`, 301],
    [`${N}/a`, 200],
  ]);

  it('pass: the target, the status and the hops are as expected', () => {
    const row = checkRow(item({ source: `${O}/a`, expected: `${N}/a`, status: 'permanent', max_hops: '1' }), {
      chains: [moved],
    });
    expect(row).toMatchObject({ verdict: 'pass', reason: '', final: `${N}/a`, status: 200, hops: [301, 200] });
    expect(row.path).toBe('301 → 200');
  });

  it('wrong-target names where it landed; the fragment does not count', () => {
    const row = checkRow(item({ source: `${O}/a`, expected: `${N}/b` }), { chains: [moved] });
    expect(row).toMatchObject({ verdict: 'wrong-target', reason: `ended at ${N}/a, expected ${N}/b.` });
    expect(checkRow(item({ source: `${O}/a`, expected: `${N}/a#top` }), { chains: [moved] }).verdict).toBe('pass');
  });

  it('wrong-status: a redirect the site made does not meet the status, or none was made', () => {
    const temp = chain([
      [`${O}/a`, 301],
      [`${O}/b`, 302],
      [`${N}/a`, 200],
    ]);
    const row = checkRow(item({ source: `${O}/a`, expected: `${N}/a`, status: 'permanent' }), { chains: [temp] });
    expect(row).toMatchObject({ verdict: 'wrong-status', reason: 'hop 2 answered 302, expected permanent (301/308).' });
    expect(
      checkRow(item({ source: `${O}/a`, expected: `${N}/a`, status: 'temporary' }), { chains: [temp] }).verdict,
    ).toBe('wrong-status');
    expect(checkRow(item({ source: `${O}/a`, expected: `${N}/a`, status: '301' }), { chains: [moved] }).verdict).toBe(
      'pass',
    );
    const none = chain([[`${N}/a`, 200]]);
    expect(checkRow(item({ source: `${N}/a`, status: 'permanent' }), { chains: [none] }).reason).toBe(
      'no redirect, expected permanent (301/308).',
    );
  });

  it('the browser’s own hops (HSTS, HTTPS-Upgrades) neither meet nor break a status, nor count as hops', () => {
    const upgraded = chain([
      [`http://new.example/a`, 307, { kind: 'internal', internalReason: 'HSTS' }],
      [`${N}/a`, 200],
    ]);
    const row = checkRow(item({ source: 'http://new.example/a', expected: `${N}/a`, max_hops: '0' }), {
      chains: [upgraded],
    });
    expect(row).toMatchObject({ verdict: 'pass', hops: [307, 200], path: '307 (HSTS) → 200' });
  });

  it('a client redirect is a redirect the site made: it counts, and it is not a 301', () => {
    const meta = chain([
      [`${O}/a`, 200, { kind: 'client', clientRedirect: { type: 'meta-refresh', delaySeconds: 0, afterMs: 5 } }],
      [`${N}/a`, 200],
    ]);
    expect(checkRow(item({ source: `${O}/a`, expected: `${N}/a` }), { chains: [meta] }).verdict).toBe('pass');
    const row = checkRow(item({ source: `${O}/a`, expected: `${N}/a`, status: 'permanent' }), { chains: [meta] });
    expect(row.reason).toBe('hop 1 answered 200 (meta-refresh redirect), expected permanent (301/308).');
    expect(checkRow(item({ source: `${O}/a`, expected: `${N}/a`, max_hops: '0' }), { chains: [meta] }).verdict).toBe(
      'too-many-hops',
    );
  });

  it('a final answer that is not 2xx is a wrong status, unless that code was expected', () => {
    const gone = chain([
      [`${O}/a`, 301],
      [`${N}/a`, 410],
    ]);
    expect(checkRow(item({ source: `${O}/a`, expected: `${N}/a` }), { chains: [gone] }).verdict).toBe('wrong-status');
    // The expected 410 is not an "ends in error" finding that fails the row either.
    expect(checkRow(item({ source: `${O}/a`, expected: `${N}/a`, status: '410' }), { chains: [gone] }).verdict).toBe(
      'pass',
    );
    expect(checkRow(item({ source: `${O}/a`, status: '200' }), { chains: [gone] }).reason).toBe(
      'ended with 410, expected 200.',
    );
  });

  it('too-many-hops counts the redirects the site made', () => {
    const [three] = factsOf('chain-3xx').filter((c) => c.type === 'main_frame') as [Chain];
    const first = three.hops[0]?.url as string;
    const last = three.hops.at(-1)?.url as string;
    const row = checkRow(item({ source: first, expected: last, max_hops: '4' }), { chains: [three] });
    expect(row).toMatchObject({ verdict: 'too-many-hops', reason: '5 redirects, at most 4 expected.' });
    // max_hops is long-chain's limit for that row: no long-chain finding at 5 allowed.
    const ok = checkRow(item({ source: first, expected: last, max_hops: '5' }), { chains: [three] });
    expect(ok.verdict).toBe('pass');
    expect(ok.findings.map((f) => f.rule)).not.toContain('long-chain');
  });

  it('loop: the browser gave up, or a request repeats', () => {
    const [loop] = factsOf('loop') as [Chain];
    const row = checkRow(item({ source: loop.hops[0]?.url as string, expected: 'http://x.example/' }), {
      chains: [loop],
    });
    expect(row.verdict).toBe('loop');
    expect(row.reason).toMatch(
      /^the browser gave up after \d+ redirects \(net::ERR_TOO_MANY_REDIRECTS; webRequest: net::ERR_ABORTED\)\.$/,
    );
    const back = chain([
      [`${O}/a`, 302],
      [`${O}/b`, 302],
      [`${O}/a`, 200],
    ]);
    expect(checkRow(item({ source: `${O}/a` }), { chains: [back] }).verdict).toBe('loop');
  });

  it('error names the net error; no answer at all and a timeout are errors too', () => {
    const [refused] = factsOf('unreachable') as [Chain];
    const row = checkRow(item({ source: refused.hops[0]?.url as string }), { chains: [refused] });
    expect(row).toMatchObject({ verdict: 'error', status: 0, hops: [0] });
    expect(row.reason).toBe(`net::ERR_CONNECTION_REFUSED (connection refused) at ${refused.hops[0]?.url}.`);
    expect(checkRow(item({ source: `${O}/a` }), { chains: [], navigationError: 'net::ERR_ABORTED' }).reason).toBe(
      `no answer was recorded for ${O}/a (net::ERR_ABORTED).`,
    );
    const pending = { ...chain([[`${O}/a`, 301]]), outcome: { state: 'pending' as const } };
    expect(checkRow(item({ source: `${O}/a` }), { chains: [pending], timedOut: 'the chain to end' })).toMatchObject({
      verdict: 'error',
      reason: `${O}/a did not finish (timed out waiting for the chain to end).`,
    });
  });

  it('a finding of --fail-on’s severity or worse fails a row that met its expectations', () => {
    const down = chain([
      [`https://old.example/a`, 301],
      [`http://new.example/a`, 200],
    ]);
    const src = item({ source: 'https://old.example/a', expected: 'http://new.example/a' });
    const row = checkRow(src, { chains: [down] });
    expect(row.verdict).toBe('error');
    expect(row.reason).toMatch(/^error downgrade: /);
    expect(checkRow(src, { chains: [down] }, { failOn: 'never' }).verdict).toBe('pass');
    expect(checkRow(src, { chains: [down] }, { rules: { downgrade: 'warning' } }).verdict).toBe('pass');
    expect(checkRow(src, { chains: [down] }, { rules: { downgrade: 'warning' }, failOn: 'warning' }).verdict).toBe(
      'error',
    );
    // A plain list asks nothing but that: no finding of severity error.
    expect(checkRow(item({ source: 'https://old.example/a' }, 'list'), { chains: [down] }).verdict).toBe('error');
  });

  it('findings carry their hop in the whole journey when a visit made several chains', () => {
    const a = chain([
      [`${O}/a`, 302],
      [`${O}/b`, 200],
    ]);
    const b = { ...chain([[`http://example.org/p`, 200]]), id: 'c2' };
    const row = checkRow(item({ source: `${O}/a` }), { chains: [a, b] }, { rules: { 'insecure-hop': 'error' } });
    expect(row.hops).toEqual([302, 200, 200]);
    expect(row.findings.some((f) => f.rule === 'insecure-hop' && f.hop === 2)).toBe(true);
  });

  it('an invalid line is a row with its problem', () => {
    expect(invalidRow({ line: 9, source: 'x y', expected: '', problem: "'x y' is not a URL" })).toMatchObject({
      verdict: 'invalid',
      reason: "'x y' is not a URL.",
      line: 9,
      hops: [],
    });
  });
});

describe('sharding', () => {
  it('parses I/N', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/2', '3/2', '1', 'a/b', '1/0']) expect(() => parseShard(bad)).toThrow(/not I\/N/);
  });

  it('is stable, covers every source once, and spreads them', () => {
    const sources = Array.from({ length: 2000 }, (_, i) => `https://example.com/p/${i}?q=${i % 7}`);
    const counts = [0, 0, 0, 0];
    for (const s of sources) {
      const k = shardOf(s, 4);
      expect(shardOf(s, 4)).toBe(k);
      counts[k - 1] = (counts[k - 1] ?? 0) + 1;
    }
    expect(counts.reduce((a, b) => a + b)).toBe(2000);
    for (const c of counts) expect(c).toBeGreaterThan(400);
    // Fixed values: the same split on every machine and in every version.
    expect(shardOf('https://example.com/', 2)).toBe(shardOf('https://example.com/', 2));
    expect(sourceKey('https://example.com/a')).not.toBe(sourceKey('https://example.com/b'));
    expect(Number.isSafeInteger(sourceKey('https://example.com/ä€😀'))).toBe(true);
  });
});

describe('formats', () => {
  const row: CheckRow = {
    source: 'http://old.example/a,"b"',
    expected: 'https://new.example/a',
    final: 'https://new.example/x',
    status: 200,
    hops: [301, 200],
    path: '301 → 200',
    verdict: 'wrong-target',
    findings: [{ rule: 'long-chain', severity: 'warning', hop: 1, message: 'Too long | really' }],
    line: 3,
    reason: 'ended at https://new.example/x, expected https://new.example/a.',
  };

  it('JSON Lines: the documented fields, one object a line', () => {
    const line = rowJson(row);
    expect(line).not.toContain('\n');
    expect(Object.keys(JSON.parse(line))).toEqual([
      'source',
      'expected',
      'final',
      'status',
      'hops',
      'verdict',
      'findings',
      'line',
      'reason',
    ]);
  });

  it('CSV round-trips through a CSV parser', () => {
    const text = stringify([[...CSV_COLUMNS], rowCsvRecord(row, false)]);
    const [back] = parseCsv(text, { columns: true }) as Array<Record<string, string>>;
    expect(back).toEqual({
      line: '3',
      source: row.source,
      expected: row.expected,
      final: row.final,
      status: '200',
      hops: '301 200',
      path: '301 → 200',
      verdict: 'wrong-target',
      reason: row.reason,
      findings: 'warning long-chain@2',
    });
  });

  it('table and Markdown: one row of a stream, control characters and pipes made harmless', () => {
    const evil = { ...row, final: 'https://new.example/\u001b[2J', reason: 'x' };
    expect(rowTable(evil)).not.toContain('\u001b');
    expect(rowTable(row).split('\n')[0]).toMatch(/^wrong-target\s+301 → 200\s+http:\/\/old\.example/);
    const md = rowMarkdown(row);
    expect(md.startsWith('| 3 | **wrong-target** |')).toBe(true);
    expect(md.split(/(?<!\\)\|/).length).toBe(8);
  });

  it('the summary counts each verdict', () => {
    const counter = new SummaryCounter();
    counter.add(row);
    counter.add({ ...row, verdict: 'pass' });
    const s = counter.summary({ resumed: 2, otherShards: 0, rechecked: 1, seconds: 2, failOn: 'error' });
    expect(s).toMatchObject({ total: 2, passed: 1, failed: 1, urlsPerSecond: 1 });
    expect(s.verdicts['wrong-target']).toBe(1);
    expect(summaryText(s)).toBe(
      '2 URLs: 1 pass, 1 wrong-target; 1 failed. 2 sources already checked (--resume); 1 URL checked again on its own; 2.0 s, 1.0 URLs/s.',
    );
  });
});

describe('what a visit leaves, and signs that it met another’s state', () => {
  const sts = { name: 'Strict-Transport-Security', value: 'max-age=3600' };

  it('finds HSTS a site set, and cookies', () => {
    const [set, page] = factsOf('hsts-header') as [Chain, Chain];
    expect(hstsHostsSet([set])).toEqual(['sts.test']);
    expect(hstsHostsSet([page])).toEqual([]);
    expect(hstsHostsSet([chain([[`http://a.example/`, 200, { responseHeaders: [sts] }]])])).toEqual([]);
    expect(
      hstsHostsSet([chain([[`https://a.example/`, 200, { responseHeaders: [{ ...sts, value: 'max-age=0' }] }]])]),
    ).toEqual([]);
    expect(
      setsCookies([chain([[`${N}/`, 200, { responseHeaders: [{ name: 'Set-Cookie', value: 'a=1; Path=/' }] }]])]),
    ).toBe(true);
  });

  it('an HSTS upgrade of a host its own visit did not ask for, unless preloaded', () => {
    const [, page] = factsOf('hsts-header') as [Chain, Chain];
    expect(contamination([page])).toEqual({ cookies: [], hstsHosts: ['sts.test'] });
    expect(contamination([page], (h) => h === 'sts.test')).toBeUndefined();
    const own = chain([
      [`https://sts.example/set`, 302, { responseHeaders: [sts] }],
      [`http://sts.example/page`, 307, { kind: 'internal', internalReason: 'HSTS' }],
      [`https://sts.example/page`, 200],
    ]);
    expect(contamination([own])).toBeUndefined();
    // The browser upgrades a redirect's http:// target without a hop of its own.
    const midChain = chain([
      ['http://localhost/r/302', 302, { redirectUrl: 'http://sts.example/page' }],
      ['https://sts.example/page', 200],
    ]);
    expect(contamination([midChain])).toEqual({ cookies: [], hstsHosts: ['sts.example'] });
    expect(contamination([midChain], () => true)).toBeUndefined();
  });

  it('a cookie sent that no earlier answer of the visit set', () => {
    const c = (v: string) => ({ name: 'Cookie', value: v });
    const own = chain([
      [`${N}/a`, 302, { responseHeaders: [{ name: 'Set-Cookie', value: 'sid=1; HttpOnly\nlang=de' }] }],
      [`${N}/b`, 200, { requestHeaders: [c('sid=1; lang=de')] }],
    ]);
    expect(contamination([own])).toBeUndefined();
    const foreign = chain([
      [`${N}/a`, 302, { requestHeaders: [c('other=2')] }],
      [`${N}/b`, 200],
    ]);
    expect(contamination([foreign])).toEqual({ cookies: ['other'], hstsHosts: [] });
  });
});
