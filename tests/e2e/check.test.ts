/**
 * `hopscope check` as a user runs it: a separate process against the scenario server, in real
 * Chromium with the built extension. A 500-row migration list with every kind of failure gives
 * exactly the expected verdicts in its order and reversed (the cookies and HSTS one row leaves
 * never change another's); the outputs parse with a JUnit and a CSV parser; shards add up to the
 * whole list; an interrupted run is continued with --resume; the progress line is on a terminal
 * and nowhere else.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseJunit } from 'junit2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckSummary, Verdict } from '../../src/core/check/types.ts';
import { browserArgsFor, fallbackHost, type ScenarioServer, startScenarioServer } from '../../src/scenarios/index.ts';
import { HOPSCOPE_BIN, runHopscope } from '../support/cli.ts';

const ENTRY = [HOPSCOPE_BIN, 'check'];

let server: ScenarioServer;
let o: string;
let tmp: string;

const check = (args: string[], timeout?: number) => runHopscope(['check', ...args], { timeout });

const serverArgs = () => browserArgsFor(server).map((a) => `--browser-arg=${a}`);

interface JsonRow {
  source: string;
  expected: string;
  final: string;
  status: number;
  hops: number[];
  verdict: Verdict;
  findings: Array<{ rule: string; severity: string }>;
  line: number;
  reason: string;
}

function jsonOutput(text: string): { rows: JsonRow[]; summary: CheckSummary } {
  const objects = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const summaries = objects.filter((x) => 'summary' in x);
  expect(summaries).toHaveLength(1);
  expect(objects.at(-1)).toBe(summaries[0]);
  return { rows: objects.filter((x) => !('summary' in x)), summary: summaries[0].summary };
}

const enc = encodeURIComponent;

/** What a row saw, to compare two runs of the same line. */
const comparable = (r: JsonRow) => ({
  source: r.source,
  verdict: r.verdict,
  final: r.final,
  status: r.status,
  hops: r.hops,
});

/** The 500-row list: [CSV line, expected verdict]. */
function migrationList(): Array<[string, Verdict]> {
  const rows: Array<[string, Verdict]> = [];
  const add = (n: number, make: (i: number) => string, verdict: Verdict) => {
    for (let i = 0; i < n; i++) rows.push([make(i), verdict]);
  };
  const sts = server.origin('sts.test', 'https');
  const stsHttp = server.origin('sts.test', 'http');
  const refused = `http://127.0.0.1:${server.refusedPort}`;
  add(170, (i) => `${o}/r/301?to=${enc(`/ok?n=${i}`)},/ok?n=${i},permanent,1`, 'pass');
  // Cookies: /cookie/set gives one, and /cookie/gate sends a visitor who has it to /end. Every
  // row is a first visit, so a gate row lands on /ok whatever came before it in the list.
  add(
    10,
    (i) => (i % 2 ? `${o}/cookie/gate?c=${i},/ok?c=${i},302,1` : `${o}/cookie/set?c=${i},/ok?c=${i},302,1`),
    'pass',
  );
  add(60, (i) => `${o}/r/301?to=${enc(`/ok?w=${i}`)},/end?w=${i},,`, 'wrong-target');
  add(50, (i) => `${o}/r/302?to=${enc(`/ok?t=${i}`)},/ok?t=${i},permanent,`, 'wrong-status');
  add(20, (i) => `${o}/r/301?to=${enc(`/missing/${i}`)},/missing/${i},,`, 'wrong-status');
  add(40, (i) => `${o}/r/301?to=${enc(`/r/302?to=${enc(`/ok?h=${i}`)}`)},/ok?h=${i},,1`, 'too-many-hops');
  add(20, (i) => `${o}/loop/a?n=${i},/ok,,`, 'loop');
  // HSTS from a header: the /sts/set rows make the browser remember sts.test; a first visit of
  // http://sts.test/sts/page is still plain http, whichever order they come in.
  add(
    30,
    (i) =>
      i % 2
        ? `${stsHttp}/sts/page?n=${i},${stsHttp}/sts/page?n=${i},200,0`
        : `${sts}/sts/set?n=${i},${sts}/sts/set?n=${i},200,0`,
    'pass',
  );
  // The preload list (.dev): upgraded by the browser where the build applies it, passes either way.
  add(5, (i) => `${server.origin('hsts.dev', 'http')}/?n=${i},,,`, 'pass');
  // HTTPS-Upgrades: Chrome's own 307 to https, and a host whose https is refused (back to http).
  add(20, (i) => `http://up.example.com/?n=${i},https://up.example.com/?n=${i},,0`, 'pass');
  add(
    5,
    () => {
      const host = fallbackHost();
      return `http://${host}/,http://${host}/,,`;
    },
    'pass',
  );
  add(20, (i) => `${o}/client/meta?delay=0&to=${enc(`/end?m=${i}`)},/end?m=${i},,`, 'pass');
  add(10, (i) => `${o}/client/meta?delay=0&to=${enc(`/end?p=${i}`)},/end?p=${i},permanent,`, 'wrong-status');
  add(10, (i) => `${o}/r/302?to=${enc(`${refused}/?u=${i}`)},,,`, 'error');
  add(5, (i) => `${refused}/direct?u=${i},,,`, 'error');
  // An https page that sends the browser to http: the target is right, the downgrade (an error
  // finding) fails the row.
  add(
    5,
    (i) =>
      `${server.origin('secure.test', 'https')}/downgrade?n=${i},http://plain.test:${server.port}/downgrade/landed,,`,
    'error',
  );
  add(10, (i) => `not a url ${i},,,`, 'invalid');
  add(5, (i) => `"${o}/ok?bad=${i},"broken quote,,`, 'invalid');
  add(5, (i) => `${o}/ok?extra=${i},/ok,200,0,one too many`, 'invalid');
  return rows;
}

beforeAll(async () => {
  server = await startScenarioServer({ testRoutes: true });
  o = server.origin();
  tmp = await mkdtemp(join(tmpdir(), 'hopscope-check-e2e-'));
});
afterAll(async () => {
  await server?.close();
});

describe('hopscope check', () => {
  it('gives the expected verdict for each of 500 rows, the same in the order given and reversed', async () => {
    const list = migrationList();
    expect(list).toHaveLength(500);
    const header = 'source,expected,status,max_hops';
    const forward = join(tmp, 'forward.csv');
    const backward = join(tmp, 'backward.csv');
    await writeFile(forward, `${header}\n${list.map(([l]) => l).join('\n')}\n`);
    await writeFile(
      backward,
      `${header}\n${[...list]
        .reverse()
        .map(([l]) => l)
        .join('\n')}\n`,
    );
    const want: Partial<Record<Verdict, number>> = {};
    for (const [, v] of list) want[v] = (want[v] ?? 0) + 1;

    const results = [];
    for (const file of [forward, backward]) {
      const out = join(tmp, `${file.endsWith('forward.csv') ? 'forward' : 'backward'}.jsonl`);
      // 500 visits: ~25 s on an idle 2-core machine, minutes on a loaded one; the limits are for a hang.
      const run = await check([file, '--format', 'json', '--out', out, '--concurrency', '4', ...serverArgs()], 420_000);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(1);
      const { rows, summary } = jsonOutput(await readFile(out, 'utf8'));
      expect(rows).toHaveLength(500);
      // Written in the order of the list.
      expect(rows.map((r) => r.line)).toEqual(Array.from({ length: 500 }, (_, i) => i + 2));
      // The rows that got another verdict than their line's, named with what they saw.
      const order = file === forward ? list : [...list].reverse();
      const wrong = rows
        .filter((r, i) => r.verdict !== order[i]?.[1])
        .map((r) => ({ ...comparable(r), line: r.line, want: order[r.line - 2]?.[1], reason: r.reason }));
      expect(wrong).toEqual([]);
      const got: Partial<Record<Verdict, number>> = {};
      for (const r of rows) got[r.verdict] = (got[r.verdict] ?? 0) + 1;
      expect(got).toEqual(want);
      expect(summary).toMatchObject({ total: 500, passed: want.pass, failed: 500 - (want.pass ?? 0) });
      results.push(rows);
    }
    const forwardRows = results[0] as JsonRow[];
    const key = (r: JsonRow) => `${r.line}`;
    const byLine = new Map(forwardRows.map((r) => [key(r), r]));
    for (const r of results[1] as JsonRow[]) {
      const twin = byLine.get(String(503 - r.line));
      expect(comparable(r)).toEqual(comparable(twin as JsonRow));
    }
    // What the rows say: the net error is named; the HSTS page stayed on http in both orders.
    const refusedRow = forwardRows.find((r) => r.source.includes('/direct?u=0'));
    expect(refusedRow?.reason).toMatch(/^net::ERR_CONNECTION_REFUSED \(connection refused\) at /);
    const malformed = forwardRows.find((r) => r.source.includes('?bad=0'));
    expect(malformed?.reason).toMatch(/^malformed CSV line: /);
    const stsPage = forwardRows.find((r) => r.source.includes('/sts/page?n=1'));
    expect(stsPage).toMatchObject({ hops: [200], final: stsPage?.source });
    const upgraded = forwardRows.find((r) => r.source === 'http://up.example.com/?n=0');
    expect(upgraded?.hops).toEqual([307, 200]);
  }, 900_000);

  it('checks again, alone, a visit that met HSTS another visit left while both ran', async () => {
    const sts = server.origin('sts.test', 'https');
    const page = `${server.origin('sts.test', 'http')}/sts/page?race=1`;
    const list = join(tmp, 'race.csv');
    // B's first hop is held at the server until A has made the browser remember HSTS for
    // sts.test; then B goes on to http://sts.test, which the browser upgrades itself: state A
    // left. B is checked again alone, in a clean profile, and reports plain http, as a first visit.
    await writeFile(
      list,
      `source,expected\n${sts}/sts/set?race=1,${sts}/sts/set?race=1\n${o}/r/302?to=${enc(page)},${page}\n`,
    );
    const held = server.hold('/r/302');
    const setBefore = server.hits('/sts/set');
    const run = check([list, '--format', 'json', '--concurrency', '2', ...serverArgs()]);
    await held.arrived;
    for (let i = 0; i < 200 && server.hits('/sts/set') === setBefore; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    held.release();
    const { code, stdout } = await run;
    expect(code).toBe(0);
    const { rows, summary } = jsonOutput(stdout);
    expect(summary.rechecked).toBe(1);
    expect(rows.map((r) => [r.verdict, r.final, r.hops])).toEqual([
      ['pass', `${sts}/sts/set?race=1`, [200]],
      ['pass', page, [302, 200]],
    ]);
  });

  it('JUnit XML and CSV parse with their parsers, and shard 1/2 plus shard 2/2 is the whole run', async () => {
    const list = join(tmp, 'small.csv');
    const lines = [
      `${o}/r/302?to=%2Fok,/ok,permanent`,
      `${o}/loop/a,/ok,`,
      'nonsense here,,',
      `${o}/chain/start,/chain/final,`,
      ...Array.from({ length: 20 }, (_, i) => `${o}/r/30${i % 2 ? 1 : 7}?to=${enc(`/ok?s=${i}`)},/ok?s=${i},`),
    ];
    await writeFile(list, `source,expected,status\n${lines.join('\n')}\n`);
    // The whole list as JSON Lines; its first half (shard 1/2) as JUnit, the other as CSV.
    const whole = await check([list, '--format', 'json', '--concurrency', '4', ...serverArgs()]);
    expect(whole.code).toBe(1);
    const { rows } = jsonOutput(whole.stdout);
    expect(rows.map((r) => r.verdict).slice(0, 4)).toEqual(['wrong-status', 'loop', 'invalid', 'pass']);
    const junitFile = join(tmp, 'shard1.xml');
    const one = await check([list, '--shard', '1/2', '--out', junitFile, '--concurrency', '4', ...serverArgs()]);
    const two = await check([list, '--shard', '2/2', '--format', 'csv', '--concurrency', '4', ...serverArgs()]);
    expect(two.stderr).toMatch(/^hopscope check: \d+ URLs: .*shard 2\/2, \d+ sources in other shards/);

    const doc = (await parseJunit(await readFile(junitFile, 'utf8'))) as {
      tests?: number;
      failures?: number;
      errors?: number;
      testsuite?: Array<{ testcase?: Array<{ name?: string; failure?: Array<{ type?: string }>; error?: unknown[] }> }>;
    };
    const cases = doc.testsuite?.[0]?.testcase ?? [];
    expect(doc.tests).toBe(cases.length);
    expect(doc.failures).toBe(cases.filter((c) => c.failure).length);
    expect(doc.errors).toBe(cases.filter((c) => c.error).length);
    const fromJunit = cases.map((c) => ({
      source: c.name,
      verdict: c.error ? 'invalid' : (c.failure?.[0]?.type ?? 'pass'),
    }));
    const csv = parseCsv(two.stdout, { columns: true }) as Array<Record<string, string>>;
    const fromCsv = csv.map((r) => ({ source: r.source, verdict: r.verdict }));
    expect(fromJunit.length).toBeGreaterThan(3);
    expect(fromCsv.length).toBeGreaterThan(3);
    // Each shard fails exactly when one of its rows does.
    expect(one.code).toBe(fromJunit.some((r) => r.verdict !== 'pass') ? 1 : 0);
    expect(two.code).toBe(fromCsv.some((r) => r.verdict !== 'pass') ? 1 : 0);
    // The shards never overlap, and together are the whole run, row for row.
    const key = (r: { source?: string }) => r.source ?? '';
    expect([...fromJunit, ...fromCsv].sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
      rows.map((r) => ({ source: r.source, verdict: r.verdict })).sort((a, b) => key(a).localeCompare(key(b))),
    );
    // CSV carries the same cells as the JSON rows of those sources.
    const bySource = new Map(rows.map((r) => [r.source, r]));
    for (const r of csv) {
      const j = bySource.get(r.source ?? '') as JsonRow;
      expect([Number(r.line), r.expected, r.final, Number(r.status || 0), r.reason]).toEqual([
        j.line,
        j.expected,
        j.final,
        j.status,
        j.reason,
      ]);
      expect(r.hops ? r.hops.split(' ').map(Number) : []).toEqual(j.hops);
    }
  });

  it('--resume continues an interrupted run with the rest only', async () => {
    const list = join(tmp, 'resume.txt');
    const urls = Array.from({ length: 80 }, (_, i) => `${o}/r/301?to=${enc(`/ok?r=${i}`)}`);
    await writeFile(list, `${urls.join('\n')}\n`);
    const out = join(tmp, 'resume.jsonl');
    // The first run is stopped (SIGTERM, as CI cancels a job) once it has written some rows.
    const child = spawn(
      process.execPath,
      [...ENTRY, list, '--format', 'json', '--out', out, '--concurrency', '2', ...serverArgs()],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    for (let i = 0; i < 600; i++) {
      const text = existsSync(out) ? await readFile(out, 'utf8') : '';
      if (text.split('\n').length > 12) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(stderr).toMatch(/interrupted: \d+ rows written to .*--resume/);
    const first = jsonOutput(await readFile(out, 'utf8'));
    expect(first.rows.length).toBeGreaterThan(10);
    expect(first.rows.length).toBeLessThan(80);
    // As if the process had died mid-write: half a row at the end.
    await writeFile(out, `${(await readFile(out, 'utf8')).trimEnd()}\n{"source":"${o}/r/301?to=%2Fok%3Fr%3D14`);

    const second = await check([list, '--format', 'json', '--out', out, '--resume', out, ...serverArgs()]);
    expect(second.code).toBe(0);
    const all = jsonOutput(await readFile(out, 'utf8'));
    expect(all.summary.resumed).toBe(first.rows.length);
    expect(all.summary.total).toBe(80 - first.rows.length);
    expect(all.rows.map((r) => r.source).sort()).toEqual([...urls].sort());
    expect(all.rows.every((r) => r.verdict === 'pass')).toBe(true);
  });

  it('shows the progress line on a terminal, and nothing but results when piped', async () => {
    const list = join(tmp, 'progress.txt');
    await writeFile(list, `${Array.from({ length: 12 }, (_, i) => `${o}/r/301?to=${enc(`/ok?p=${i}`)}`).join('\n')}\n`);
    const args = [...ENTRY, list, '--concurrency', '2', ...serverArgs()];
    const quoted = [process.execPath, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
    const tty = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile('script', ['-qec', quoted, '/dev/null'], { timeout: 60_000 }, (error, stdout) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout }),
      );
    });
    expect(tty.code).toBe(0);
    expect(tty.stdout).toMatch(/hopscope check: \d+\/12 URLs · [\d.]+ URLs\/s/);
    // Redrawn in place: the terminal is told to erase the line before each new state of it.
    expect(tty.stdout).toContain('\u001b[2K');
    expect(tty.stdout).toContain('12 URLs: 12 pass; all passed.');
    const piped = await check([list, '--concurrency', '2', ...serverArgs()]);
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).not.toContain('URLs/s ·');
    expect(piped.stdout).not.toContain('\u001b');
    expect(piped.stdout).not.toContain('\r');
    expect(
      piped.stdout
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('pass ')),
    ).toHaveLength(12);
  });

  it('checks a sitemap against staging with --base, and a plain list', async () => {
    const sitemap = join(tmp, 'sitemap.xml');
    await writeFile(
      sitemap,
      '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' +
        '<url><loc>https://www.example.org/ok</loc></url>\n' +
        '<url><loc>https://www.example.org/r/301?to=%2Fok</loc></url>\n' +
        '<url><loc>https://www.example.org/gone</loc></url>\n</urlset>\n',
    );
    const run = await check([sitemap, '--base', o, '--format', 'json', ...serverArgs()]);
    expect(run.code).toBe(1);
    expect(jsonOutput(run.stdout).rows.map((r) => [r.source, r.verdict])).toEqual([
      [`${o}/ok`, 'pass'],
      [`${o}/r/301?to=%2Fok`, 'wrong-target'],
      [`${o}/gone`, 'wrong-status'],
    ]);
    const plain = join(tmp, 'plain.txt');
    await writeFile(
      plain,
      `# a plain list\n${o}/ok\n${o}/r/302?to=%2Fend\n${server.origin('secure.test', 'https')}/downgrade\n`,
    );
    const list = await check([plain, '--format', 'json', ...serverArgs()]);
    expect(jsonOutput(list.stdout).rows.map((r) => [r.line, r.verdict])).toEqual([
      [2, 'pass'],
      [3, 'pass'],
      [4, 'error'],
    ]);
  });

  it('a missing file, an unknown column or a bad option: one line, exit 2, no browser started', async () => {
    const missing = await check([join(tmp, 'nope.csv')]);
    expect([missing.code, missing.stdout, missing.stderr]).toEqual([
      2,
      '',
      `hopscope: cannot read ${join(tmp, 'nope.csv')}: no such file.\n`,
    ]);
    const columns = join(tmp, 'columns.csv');
    await writeFile(columns, 'url,target\nhttp://a/,http://b/\n');
    const unknown = await check([columns]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/unknown columns 'url', 'target' in the header row/);
    const shard = await check([columns, '--shard', '3/2']);
    expect([shard.code, shard.stderr]).toEqual([
      2,
      "hopscope: --shard '3/2' is not I/N with 1 ≤ I ≤ N, e.g. --shard 2/4.\n",
    ]);
  });
});
