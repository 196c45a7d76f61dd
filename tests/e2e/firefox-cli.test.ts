/**
 * `hopscope trace --firefox` and `hopscope trace --compare` as a user runs them: a separate
 * process against the fixture server, checked on what it prints, the HAR it writes, its exit
 * code and its one-line errors. Each run starts its own browsers: few runs, many URLs each.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserArgsFor, type ScenarioServer, startScenarioServer, TLS_CERT_PATH } from '../../src/scenarios/index.ts';
import { runHopscope } from '../support/cli.ts';
import { assertValidHar } from '../support/har-validator.ts';

let server: ScenarioServer;
let o: string;
let tmp: string;

const hopscope = (args: string[], env: NodeJS.ProcessEnv = {}) => runHopscope(args, { env });

/** How the scenario hosts reach the server and its certificate is trusted, in both browsers. */
const serverOptions = () => [
  ...browserArgsFor(server)
    .filter((a) => a.startsWith('--host-resolver-rules'))
    .map((a) => `--browser-arg=${a}`),
  '--firefox-pref',
  'network.dns.forceResolve=127.0.0.1',
  '--trust-cert',
  TLS_CERT_PATH,
];

beforeAll(async () => {
  server = await startScenarioServer({ testRoutes: true });
  o = server.origin();
  tmp = await mkdtemp(join(tmpdir(), 'hopscope-firefox-cli-'));
});
afterAll(async () => {
  await server?.close();
});

describe('hopscope trace --firefox', () => {
  it('prints the same table, writes a HAR naming Firefox, and exits 1 on a loop', async () => {
    const har = join(tmp, 'firefox.har');
    const hsts = [`${server.origin('sts.test', 'https')}/sts/set`, `${server.origin('sts.test', 'http')}/sts/page`];
    const run = await hopscope([
      'trace',
      '--firefox',
      `${o}/chain/start`,
      ...hsts,
      `${o}/loop/a`,
      '--har',
      har,
      ...serverOptions().filter((a) => !a.startsWith('--browser-arg')),
    ]);
    expect(run.stderr).toContain(`hopscope: ${o}/loop/a redirects in a loop: the browser gave up after 20 redirects.`);
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n')[0]).toBe(`GET ${o}/chain/start`);
    for (const [n, status] of [
      [1, '301 Moved Permanently'],
      [2, '302 Found'],
      [3, '303 See Other'],
      [4, '307 Temporary Redirect'],
      [5, '308 Permanent Redirect'],
      [6, '200 OK'],
    ] as const) {
      expect(run.stdout).toMatch(new RegExp(`^\\s+${n}\\s+${status}\\s+GET\\s+server`, 'm'));
    }
    expect(run.stdout).toContain('5 redirects, completed with 200');
    expect(run.stdout).toMatch(/^\s+1\s+307\s+GET\s+internal \(HSTS\)\s+—/m);
    expect(run.stdout).toContain(
      '20 redirects, redirect loop: the browser gave up after 20 redirects (NS_ERROR_REDIRECT_LOOP)',
    );
    const doc = JSON.parse(await readFile(har, 'utf8'));
    assertValidHar(doc);
    expect(doc.log.browser).toEqual({ name: 'Firefox', version: expect.stringMatching(/^\d+\.\d+/) });
    expect(doc.log.entries.slice(0, 6).map((e: { response: { status: number } }) => e.response.status)).toEqual([
      301, 302, 303, 307, 308, 200,
    ]);
  });

  it('says in one line when Firefox is missing, and exits 2', async () => {
    const run = await hopscope(['trace', '--firefox', `${o}/ok`], { FIREFOX_PATH: '/nonexistent/firefox' });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'hopscope: no Firefox found at /nonexistent/firefox (from FIREFOX_PATH). Install it (apt-get install firefox-esr) or pass --browser PATH / set FIREFOX_PATH.\n',
    );
  });
});

describe('hopscope trace --compare', () => {
  it('names the differences: a revisited 301 cached in Chromium only, HSTS with each browser’s evidence', async () => {
    const page = `${server.origin('sts.test', 'http')}/sts/page`;
    const run = await hopscope([
      'trace',
      '--compare',
      `${o}/cache/301`,
      `${o}/cache/301`,
      `${server.origin('sts.test', 'https')}/sts/set`,
      page,
      ...serverOptions(),
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const visits = run.stdout.trimEnd().split('\n\n');
    expect(visits).toHaveLength(4);
    expect(visits[0]).toContain('No differences.');
    expect(visits[1]?.split('\n')[0]).toBe(`GET ${o}/cache/301 (visit 2)`);
    expect(visits[1]).toMatch(/#\s+CHROMIUM \d+[\d.]*\s+FIREFOX \d+[\d.]*\s+URL/);
    expect(visits[1]).toMatch(
      /^\s+1\s+301 Moved Permanently · server · from cache\s+301 Moved Permanently · server · not cacheable/m,
    );
    expect(visits[1]).toContain(
      `- hop 1 (301 Moved Permanently ${o}/cache/301): cached in Chromium, asked again in Firefox.`,
    );
    expect(visits[3]).toContain(
      `- hop 1 (${page}): internal in both (HSTS); Chromium said so with 307 "Internal Redirect" with Non-Authoritative-Reason: HSTS, Firefox with a redirect with status 0, no status line and no headers.`,
    );
  });
});
