/**
 * `hopscope check`'s files: the lists it reads (CSV/TSV, JSON Lines, plain, sitemap, gzipped),
 * with line numbers and malformed lines; `--resume` reading an earlier output, interrupted or
 * not; and the outputs it writes, read back with a CSV parser and a JUnit XML parser.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseJunit } from 'junit2json';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/cli/browser.ts';
import { parseDuration } from '../../src/cli/check/command.ts';
import { demoList } from '../../src/cli/check/demo.ts';
import { formatOfPath } from '../../src/cli/check/formats.ts';
import { detectKind, openList, probeList, type RawLine } from '../../src/cli/check/input.ts';
import { openSink } from '../../src/cli/check/output.ts';
import { defaultConcurrency } from '../../src/cli/check/register.ts';
import { readResume, trimForAppend } from '../../src/cli/check/resume.ts';
import { SummaryCounter } from '../../src/core/check/format.ts';
import { sourceKey } from '../../src/core/check/shard.ts';
import type { CheckRow } from '../../src/core/check/types.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hopscope-check-unit-'));
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function read(path: string): Promise<{ kind: string; lines: RawLine[] }> {
  const list = await openList(path);
  const lines: RawLine[] = [];
  for await (const l of list.lines) lines.push(l);
  return { kind: list.kind, lines };
}

async function usageError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    return (error as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('lists', () => {
  it('CSV: header names the columns, line numbers count every line, a malformed line is reported and skipped', async () => {
    const path = await file(
      'list.csv',
      '\uFEFFSource,Expected,status,MAX_HOPS\r\n' +
        'http://a.example/1,/x,301,1\r\n' +
        '\r\n' +
        '"http://a.example/2?q=a,b","http://b.example/""q""",,\r\n' +
        'http://a.example/3,"unclosed,x\r\n' +
        'http://a.example/4,/y,permanent,2,extra\r\n' +
        'http://a.example/5\r\n',
    );
    const { kind, lines } = await read(path);
    expect(kind).toBe('csv');
    expect(lines).toEqual([
      { line: 2, fields: { source: 'http://a.example/1', expected: '/x', status: '301', max_hops: '1' } },
      {
        line: 4,
        fields: { source: 'http://a.example/2?q=a,b', expected: 'http://b.example/"q"', status: '', max_hops: '' },
      },
      {
        line: 5,
        problem: expect.stringMatching(/^malformed CSV line: Quote Not Closed/),
        text: 'http://a.example/3,"unclosed,x',
      },
      {
        line: 6,
        problem: 'malformed CSV line: 5 fields, the header has 4',
        text: 'http://a.example/4,/y,permanent,2,extra',
      },
      { line: 7, fields: { source: 'http://a.example/5', expected: '', status: '', max_hops: '' } },
    ]);
  });

  it('TSV and semicolon CSV', async () => {
    const tsv = await read(await file('list.tsv', 'source\texpected\nhttp://a.example/1\thttp://b.example/\n'));
    expect(tsv.lines).toEqual([{ line: 2, fields: { source: 'http://a.example/1', expected: 'http://b.example/' } }]);
    const semi = await read(await file('semi.csv', 'source;expected\nhttp://a.example/1;/b\n'));
    expect(semi.lines).toEqual([{ line: 2, fields: { source: 'http://a.example/1', expected: '/b' } }]);
  });

  it('an unknown or missing column, an empty file, a missing file: one clear sentence, exit 2', async () => {
    expect(await usageError(probeList(await file('unknown.csv', 'source,target\nhttp://a/,http://b/\n')))).toBe(
      `${join(dir, 'unknown.csv')}: unknown column 'target' in the header row. The columns are: source, expected, status, max_hops (source required).`,
    );
    expect(await usageError(probeList(await file('nosource.csv', 'expected,status\n/x,301\n')))).toMatch(
      /the header row has no 'source' column/,
    );
    expect(await usageError(probeList(await file('empty.csv', '\n\n')))).toMatch(/is empty/);
    expect(await usageError(probeList(join(dir, 'missing.csv')))).toBe(
      `cannot read ${join(dir, 'missing.csv')}: no such file.`,
    );
    expect(await usageError(probeList(dir))).toMatch(/is a folder/);
  });

  it('JSON Lines: numbers taken as text; a bad line is reported; an unknown key on the first object stops', async () => {
    const { kind, lines } = await read(
      await file(
        'list.jsonl',
        '{"source":"http://a.example/1","expected":"/x","status":301,"max_hops":2}\n' +
          '{"source": "http://a.example/2"\n' +
          '\n' +
          '["not", "an object"]\n' +
          '{"source":"http://a.example/3","note":"x"}\n',
      ),
    );
    expect(kind).toBe('jsonl');
    expect(lines).toEqual([
      { line: 1, fields: { source: 'http://a.example/1', expected: '/x', status: '301', max_hops: '2' } },
      { line: 2, problem: expect.stringMatching(/^malformed JSON line: /), text: '{"source": "http://a.example/2"' },
      { line: 4, problem: 'malformed JSON line: not a JSON object', text: '["not", "an object"]' },
      {
        line: 5,
        problem: "malformed JSON line: unknown key 'note' (the keys are: source, expected, status, max_hops)",
        text: '{"source":"http://a.example/3","note":"x"}',
      },
    ]);
    expect(await usageError(probeList(await file('first.jsonl', '{"url":"http://a/"}\n')))).toMatch(
      /line 1: unknown key 'url'/,
    );
    expect(await usageError(probeList(await file('array.json', '[{"source":"http://a/"}]')))).toMatch(/JSON array/);
  });

  it('a plain list of URLs, comments and blank lines skipped', async () => {
    const { kind, lines } = await read(await file('urls', '# old site\nhttp://a.example/1\n\n  a.example/2  \n'));
    expect(kind).toBe('list');
    expect(lines).toEqual([
      { line: 2, fields: { source: 'http://a.example/1' } },
      { line: 4, fields: { source: 'a.example/2' } },
    ]);
  });

  it('a sitemap, namespaced and gzipped; a sitemap index and broken XML say so', async () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' +
      '  <url><loc>https://a.example/1</loc><lastmod>2024-01-01</lastmod></url>\n' +
      '  <url>\n    <loc><![CDATA[https://a.example/2?x=1&y=2]]></loc>\n  </url>\n' +
      '  <url><loc> https://a.example/3?a=1&amp;b=2 </loc></url>\n' +
      '</urlset>\n';
    const plain = await read(await file('sitemap.xml', xml));
    const zipped = await read(await file('sitemap.xml.gz', gzipSync(xml)));
    const byContent = await read(await file('sitemap-no-extension', gzipSync(xml)));
    const expected = [
      { line: 3, fields: { source: 'https://a.example/1' } },
      { line: 5, fields: { source: 'https://a.example/2?x=1&y=2' } },
      { line: 7, fields: { source: 'https://a.example/3?a=1&b=2' } },
    ];
    for (const r of [plain, zipped, byContent]) {
      expect(r.kind).toBe('sitemap');
      expect(r.lines).toEqual(expected);
    }
    const index = await file(
      'index.xml',
      '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://a.example/s1.xml</loc></sitemap></sitemapindex>',
    );
    expect(await usageError(read(index))).toMatch(/is a sitemap index/);
    const broken = await read(
      await file('broken.xml', '<urlset>\n<url><loc>https://a.example/1</loc></url>\n<url><loc>x</lo>\n'),
    );
    expect(broken.lines[0]).toEqual({ line: 2, fields: { source: 'https://a.example/1' } });
    expect(broken.lines.at(-1)).toMatchObject({ line: 3, problem: expect.stringMatching(/^malformed XML/) });
  });

  it('tells the kinds apart by name first, by content otherwise', () => {
    expect(detectKind('a.csv', 'http://x/\n')).toBe('csv');
    expect(detectKind('a.txt', 'source,expected\n')).toBe('csv');
    expect(detectKind('-', 'source\texpected\n')).toBe('tsv');
    expect(detectKind('-', '  {"source":1}')).toBe('jsonl');
    expect(detectKind('-', '\uFEFF<?xml version="1.0"?><urlset>')).toBe('sitemap');
    expect(detectKind('-', 'http://a/,http://b/\n')).toBe('list');
  });
});

describe('--resume', () => {
  it('reads JSON Lines output, ignoring the summary and half a line at the end, and cuts them off to continue', async () => {
    const rows = ['{"source":"http://a/1","verdict":"pass"}', '{"source":"http://a/2","verdict":"error"}'];
    const path = await file('out.jsonl', `${rows.join('\n')}\n{"summary":{"total":2}}\n{"source":"http://a/3","ver`);
    const state = await readResume(path);
    expect(state).toMatchObject({ format: 'json', rows: 2 });
    expect(state?.keys).toEqual(new Set([sourceKey('http://a/1'), sourceKey('http://a/2')]));
    await trimForAppend(path, state as NonNullable<typeof state>);
    expect(await readFile(path, 'utf8')).toBe(`${rows.join('\n')}\n`);
  });

  it('reads CSV output by its source column', async () => {
    const path = await file('out.csv', 'line,source,verdict\n2,"http://a/1,x",pass\n3,http://a/2,error\n4,http://a/');
    const state = await readResume(path);
    expect(state).toMatchObject({ format: 'csv', rows: 2 });
    expect(state?.keys.has(sourceKey('http://a/1,x'))).toBe(true);
    expect(await readResume(join(dir, 'none.jsonl'))).toBeUndefined();
    expect(await usageError(readResume(await file('bad.csv', 'a,b\n1,2\n')))).toMatch(/no 'source' column/);
  });
});

describe('outputs', () => {
  const rows: CheckRow[] = [
    {
      source: 'http://a.example/1',
      expected: 'https://b.example/1',
      final: 'https://b.example/1',
      status: 200,
      hops: [301, 200],
      path: '301 → 200',
      verdict: 'pass',
      findings: [],
      line: 2,
      reason: '',
    },
    {
      source: 'http://a.example/<2>&"\u001b[31m',
      expected: '',
      final: 'http://a.example/x',
      status: 404,
      hops: [302, 404],
      path: '302 → 404',
      verdict: 'wrong-status',
      findings: [{ rule: 'ends-in-error', severity: 'error', hop: 1, message: 'The chain ends in 404 <b>.' }],
      line: 3,
      reason: 'ended with 404 Not Found at http://a.example/x.',
    },
    {
      source: 'not a url',
      expected: '',
      final: '',
      status: 0,
      hops: [],
      path: '',
      verdict: 'invalid',
      findings: [],
      line: 4,
      reason: "'not a url' is not a URL.",
    },
  ];

  async function write(format: 'csv' | 'junit' | 'json', out: string): Promise<string> {
    const notes: string[] = [];
    const sink = await openSink({
      format,
      out,
      withFile: false,
      notes: new Writable({
        write(chunk, _e, done) {
          notes.push(String(chunk));
          done();
        },
      }),
      stdout: process.stdout,
    });
    const counter = new SummaryCounter();
    for (const row of rows) {
      counter.add(row);
      await sink.write(row, 12);
    }
    await sink.finish(counter.summary({ resumed: 0, otherShards: 0, rechecked: 0, seconds: 1.5, failOn: 'error' }));
    return readFile(out, 'utf8');
  }

  it('CSV parses back to the same cells', async () => {
    const text = await write('csv', join(dir, 'results.csv'));
    const back = parseCsv(text, { columns: true }) as Array<Record<string, string>>;
    expect(back.map((r) => [r.line, r.source, r.verdict, r.hops, r.findings])).toEqual([
      ['2', rows[0]?.source, 'pass', '301 200', ''],
      ['3', rows[1]?.source, 'wrong-status', '302 404', 'error ends-in-error@2'],
      ['4', 'not a url', 'invalid', '', ''],
    ]);
  });

  it('JUnit XML parses with a JUnit parser: one test case a URL, failures and errors counted', async () => {
    const text = await write('junit', join(dir, 'results.xml'));
    const junit = (await parseJunit(text)) as {
      tests?: number;
      failures?: number;
      errors?: number;
      testsuite?: Array<{ testcase?: Array<{ name?: string; failure?: unknown[]; error?: unknown[] }> }>;
    };
    expect([junit.tests, junit.failures, junit.errors]).toEqual([3, 1, 1]);
    const cases = junit.testsuite?.[0]?.testcase ?? [];
    expect(cases.map((c) => c.name)).toEqual(['http://a.example/1', 'http://a.example/<2>&"\uFFFD[31m', 'not a url']);
    expect(cases.map((c) => [Boolean(c.failure), Boolean(c.error)])).toEqual([
      [false, false],
      [true, false],
      [false, true],
    ]);
  });

  it('JSON Lines: a row a line, then the summary', async () => {
    const lines = (await write('json', join(dir, 'results.jsonl'))).trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l).verdict ?? Object.keys(JSON.parse(l))[0])).toEqual([
      'pass',
      'wrong-status',
      'invalid',
      'summary',
    ]);
  });

  it('the format follows --out when --format is not given', () => {
    expect(['a.jsonl', 'a.csv', 'a.xml', 'a.md', 'a.bin'].map(formatOfPath)).toEqual([
      'json',
      'csv',
      'junit',
      'markdown',
      undefined,
    ]);
  });
});

describe('options and the bundled demo list', () => {
  it('durations are milliseconds, as hopscope trace takes them, or seconds with an s', () => {
    expect(parseDuration('3000', '--settle')).toBe(3000);
    expect(parseDuration('1.5s', '--timeout')).toBe(1500);
    expect(parseDuration('250ms', '--settle')).toBe(250);
    expect(() => parseDuration('soon', '--timeout')).toThrow(UserError);
    expect(defaultConcurrency()).toBeGreaterThanOrEqual(2);
  });

  it('the demo list parses, with every kind of row in it', async () => {
    const text = await demoList({ origin: () => 'http://localhost:1234', refusedPort: 9 });
    expect(text).not.toMatch(/\{origin\}|\{refused\}/);
    const { lines } = await read(await file('demo.csv', text));
    expect(lines.filter((l) => 'fields' in l)).toHaveLength(10);
    expect(lines.filter((l) => 'problem' in l)).toHaveLength(1);
  });
});
