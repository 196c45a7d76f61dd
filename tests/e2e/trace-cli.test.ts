/**
 * `hopscope trace` as a user runs it: a separate process against the fixture server, checked
 * on what it prints, the HAR it writes, its exit code and its one-line errors.
 */
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyzedChain as Chain } from '../../src/core/analyze/index.ts';
import {
  browserArgsFor,
  clientJourneyUrl,
  fallbackHost,
  type ScenarioServer,
  startScenarioServer,
  UPGRADE_HOST,
} from '../../src/scenarios/index.ts';
import { runHopscope } from '../support/cli.ts';
import { assertValidHar } from '../support/har-validator.ts';

let server: ScenarioServer;
let o: string;
let tmp: string;

const hopscope = (args: string[], env: NodeJS.ProcessEnv = {}) => runHopscope(args, { env });

/** A port nothing listens on: bound once by us, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const serverArgs = () => browserArgsFor(server).map((a) => `--browser-arg=${a}`);

beforeAll(async () => {
  server = await startScenarioServer({ testRoutes: true });
  o = server.origin();
  tmp = await mkdtemp(join(tmpdir(), 'hopscope-cli-'));
});
afterAll(async () => {
  await server?.close();
});

describe('hopscope trace', () => {
  it('prints the chain as a table and writes a valid HAR', async () => {
    const har = join(tmp, 'chain.har');
    const run = await hopscope(['trace', `${o}/chain/start`, '--har', har, ...serverArgs()]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(`GET ${o}/chain/start`);
    expect(lines[1]).toMatch(/#\s+STATUS\s+METHOD\s+KIND\s+CACHE\s+TIME\s+URL/);
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
    expect(run.stdout).toContain('→ /chain/final');
    expect(run.stdout).toContain('5 redirects, completed with 200');
    const doc = JSON.parse(await readFile(har, 'utf8'));
    assertValidHar(doc);
    expect(doc.log.entries.map((e: { response: { status: number } }) => e.response.status)).toEqual([
      301, 302, 303, 307, 308, 200,
    ]);
    expect(doc.log.entries[0].response.redirectURL).toBe(`${o}/chain/2`);
  });

  it('visits URLs in one profile, so a repeated 301 comes from the cache', async () => {
    const before = server.hits('/cache/301');
    const run = await hopscope(['trace', `${o}/cache/301`, `${o}/cache/301`, '--json', ...serverArgs()]);
    expect(run.code).toBe(0);
    const chains = JSON.parse(run.stdout) as Chain[];
    expect(chains.map((c) => c.hops[0]?.fromCache)).toEqual([false, true]);
    expect(server.hits('/cache/301') - before).toBe(1);
  });

  it('sends --method POST --data as a real form submission', async () => {
    const before = server.received('/echo').length;
    const run = await hopscope(['trace', `${o}/post/307`, '--method', 'POST', '--data', 'a=1&b=two', ...serverArgs()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\s+1\s+307 Temporary Redirect\s+POST\s/m);
    expect(run.stdout).toMatch(/^\s+2\s+200 OK\s+POST\s/m);
    expect(server.received('/echo').slice(before)).toMatchObject([
      { method: 'POST', body: 'a=1&b=two', host: 'localhost' },
    ]);
    const changed = await hopscope(['trace', `${o}/post/302`, '--method', 'POST', '--data', 'a=1', ...serverArgs()]);
    expect(changed.stdout).toMatch(/^\s+1\s+302 Found\s+POST → GET\s/m);
  });

  it('shows the HSTS upgrade learnt from a header as an internal hop', async () => {
    const run = await hopscope([
      'trace',
      `${server.origin('sts.test', 'https')}/sts/set`,
      `${server.origin('sts.test', 'http')}/sts/page`,
      ...serverArgs(),
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\s+1\s+307 Internal Redirect\s+GET\s+internal \(HSTS\)\s+—/m);
  });

  it('follows a meta refresh into the same journey and exports the client hop', async () => {
    const har = join(tmp, 'client.har');
    const run = await hopscope(['trace', clientJourneyUrl(server, 'meta', 1), '--har', har, ...serverArgs()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\s+3\s+200 OK\s+GET\s+client \(meta refresh, 1 s\)/m);
    expect(run.stdout).toMatch(/^\s+5\s+200 OK\s+GET\s+server\s/m);
    expect(run.stdout).toContain('4 redirects, completed with 200');
    const doc = JSON.parse(await readFile(har, 'utf8'));
    assertValidHar(doc);
    const hops = doc.log.entries.map((e: { _hopscope: { kind: string; clientRedirect?: { type: string } } }) => [
      e._hopscope.kind,
      e._hopscope.clientRedirect?.type,
    ]);
    expect(hops).toEqual([
      ['server', undefined],
      ['server', undefined],
      ['client', 'meta-refresh'],
      ['server', undefined],
      ['server', undefined],
    ]);
  });

  it('reports a loop with a clear line and a non-zero exit', async () => {
    const run = await hopscope(['trace', `${o}/loop/a`, ...serverArgs()]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('redirect loop: the browser gave up after 20 redirects');
    expect(run.stderr.trim()).toBe(
      `hopscope: ${o}/loop/a redirects in a loop: the browser gave up after 20 redirects.`,
    );
  });

  it("prints a server's escape sequences and markup as inert text", async () => {
    const har = join(tmp, 'hostile.har');
    const run = await hopscope(['trace', `${o}/hostile/terminal`, '--har', har, ...serverArgs()]);
    expect(run.code).toBe(0);
    // What the server sent did reach the recorder (so the check below can fail)…
    const sent = (
      JSON.parse(await readFile(har, 'utf8')) as { log: { entries: Array<{ response: { statusText: string } }> } }
    ).log.entries[0]?.response.statusText;
    expect(sent).toContain('\x1b]0;pwned\x07');
    // …and none of its control characters reached the terminal: each is shown as U+FFFD.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: what is looked for
    expect(run.stdout + run.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    expect(run.stdout).toContain('302 Found\uFFFD]0;pwned\uFFFD\uFFFD[2J');
    expect(run.stdout).toContain(`${o}/ok?tag=after-escape`);

    const markup = await hopscope(['trace', `${o}/hostile`, ...serverArgs()]);
    expect(markup.code).toBe(0);
    expect(markup.stdout).toContain('/ok?q=%3Cimg%20src=x%20onerror=alert(1)%3E&u=javascript:alert(2)');
  });

  it('reports the chain up to an unreachable host, then says what to do', async () => {
    const port = await closedPort();
    const run = await hopscope(['trace', `http://localhost:${port}/nothing-here`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('failed: net::ERR_CONNECTION_REFUSED');
    expect(run.stderr.trim().split('\n')).toEqual([
      `hopscope: could not load localhost:${port} (net::ERR_CONNECTION_REFUSED): nothing is listening there: check the host and port, or start the server.`,
    ]);
  });

  it('rejects a URL that does not parse, in one line', async () => {
    const run = await hopscope(['trace', 'http://exa mple.com/']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "hopscope: 'http://exa mple.com/' is not a URL. Give a full URL such as https://example.com/path.\n",
    );
    const ftp = await hopscope(['trace', 'ftp://example.com/']);
    expect(ftp.stderr).toContain('is not an http(s) URL');
  });

  it('says where it looked when there is no browser', async () => {
    const run = await hopscope(['trace', `${o}/ok`], { CHROME_PATH: '/nonexistent/chromium' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^hopscope: no browser found at \/nonexistent\/chromium \(from --browser\)\..*apt-get install chromium/,
    );
  });

  it('points away from branded Chrome, which ignores --load-extension', async () => {
    const fake = join(tmp, 'google-chrome');
    await writeFile(fake, '#!/bin/sh\necho "Google Chrome 141.0.7390.54"\n');
    await chmod(fake, 0o755);
    const run = await hopscope(['trace', `${o}/ok`, '--browser', fake]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Google Chrome 141.0.7390.54 ignores --load-extension');
    expect(run.stderr).toContain('Chrome for Testing');
  });

  it('says plainly when the extension has not been built', async () => {
    const run = await hopscope(['trace', `${o}/ok`], { HOPSCOPE_EXTENSION_DIR: join(tmp, 'no-dist') });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no extension build in');
    expect(run.stderr).toContain('Run `npm run build` first');
  });
});

interface HarDoc {
  log: {
    browser?: { name: string; version: string };
    _hopscope?: { httpsUpgrades: boolean };
    entries: Array<{
      request: { url: string };
      response: { status: number };
      _hopscope: { kind: string; internalReason?: string; inferred?: boolean };
    }>;
  };
}

/** url, status, kind, internal reason and whether Hopscope inferred the hop, per hop. */
const hopFacts = (chain: Chain | undefined) =>
  chain?.hops.map((h) => [h.url, h.statusCode, h.kind, h.internalReason, h.inferred]);

describe('hopscope trace runs Chromium as users have it: HTTPS-Upgrades on', () => {
  const http = `http://${UPGRADE_HOST}/`;
  const https = `https://${UPGRADE_HOST}/`;

  it('shows the upgrade webRequest does not report as an inferred hop; the HAR names the browser and the choice', async () => {
    const har = join(tmp, 'upgrade.har');
    const run = await hopscope(['trace', http, '--har', har, ...serverArgs()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\s+1\s+307 Temporary Redirect\s+GET\s+internal \(HttpsUpgrades/m);
    expect(run.stdout).toContain(`→ ${https}`);
    expect(run.stdout).toMatch(/^\s+2\s+200 OK\s+GET\s+server\s/m);
    const doc = JSON.parse(await readFile(har, 'utf8')) as HarDoc;
    assertValidHar(doc);
    expect(doc.log.browser).toEqual({
      name: expect.any(String),
      version: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/),
    });
    expect(doc.log._hopscope).toEqual({ httpsUpgrades: true });
    expect(
      doc.log.entries.map((e) => [
        e.request.url,
        e.response.status,
        e._hopscope.kind,
        e._hopscope.internalReason,
        e._hopscope.inferred,
      ]),
    ).toEqual([
      [http, 307, 'internal', 'HttpsUpgrades', true],
      [https, 200, 'server', undefined, undefined],
    ]);
  });

  it('--no-https-upgrades traces what the server itself answers over plain http', async () => {
    const har = join(tmp, 'no-upgrade.har');
    const before = server.hits('/', UPGRADE_HOST);
    const run = await hopscope(['trace', http, '--no-https-upgrades', '--json', '--har', har, ...serverArgs()]);
    expect(run.code).toBe(0);
    const chains = JSON.parse(run.stdout) as Chain[];
    expect(chains.map(hopFacts)).toEqual([[[http, 200, 'server', undefined, undefined]]]);
    expect(server.hits('/', UPGRADE_HOST) - before).toBe(1);
    const doc = JSON.parse(await readFile(har, 'utf8')) as HarDoc;
    assertValidHar(doc);
    expect(doc.log._hopscope).toEqual({ httpsUpgrades: false });
    expect(doc.log.browser?.version).toMatch(/^\d+\./);
  });

  it('shows the fallback (https refused, back to http) as one chain', async () => {
    const host = fallbackHost();
    const run = await hopscope(['trace', `http://${host}/`, '--json', ...serverArgs()]);
    expect(run.code).toBe(0);
    const chains = JSON.parse(run.stdout) as Chain[];
    expect(chains.map(hopFacts)).toEqual([
      [
        [`http://${host}/`, 307, 'internal', 'HttpsUpgrades', true],
        [`https://${host}/`, 307, 'internal', 'HttpsUpgrades', true],
        [`http://${host}/`, 200, 'server', undefined, undefined],
      ],
    ]);
    expect(chains[0]?.hops[1]?.error).toBe('net::ERR_CONNECTION_REFUSED');
  });
});

describe('hopscope trace: findings', () => {
  it('prints the findings under each chain; an error finding exits 1, --rule and --fail-on change that', async () => {
    const url = `${server.origin('secure.test', 'https')}/downgrade`;
    const run = await hopscope(['trace', url, ...serverArgs()]);
    expect(run.stdout).toMatch(/Findings: 1 error/);
    expect(run.stdout).toMatch(
      / {2}error {4}downgrade \(hop 1\): https:\/\/secure\.test:\d+\/downgrade sends the browser from https to http/,
    );
    expect(run.stdout).toContain(
      'source: RFC 9110 §15.4, Redirection 3xx <https://www.rfc-editor.org/rfc/rfc9110#section-15.4>',
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('hopscope: 1 chain with a finding at --fail-on error or worse (see above).\n');

    const demoted = await hopscope(['trace', url, '--rule', 'downgrade=warning', ...serverArgs()]);
    expect(demoted.stdout).toMatch(/ {2}warning {2}downgrade \(hop 1\)/);
    expect(demoted.code).toBe(0);
    const strict = await hopscope([
      'trace',
      url,
      '--rule',
      'downgrade=warning',
      '--fail-on',
      'warning',
      ...serverArgs(),
    ]);
    expect(strict.code).toBe(1);
  });

  it('--rule long-chain=N, --json with the findings, a hopscope.config.json, and bad settings in one line', async () => {
    const url = `${o}/chain/start`;
    const json = await hopscope([
      'trace',
      url,
      '--json',
      '--rule',
      'long-chain=2',
      '--rule',
      'permanent-cached-forever=off',
      ...serverArgs(),
    ]);
    const [chain] = JSON.parse(json.stdout) as Array<{
      findings: Array<{ rule: string; severity: string; hop: number }>;
    }>;
    expect(chain?.findings.map((f) => `${f.rule}@${f.hop}`)).toEqual(['long-chain@2']);
    expect(json.code).toBe(0);

    const config = join(tmp, 'hopscope.config.json');
    await writeFile(config, JSON.stringify({ rules: { 'long-chain': 'error' }, failOn: 'error' }));
    const configured = await hopscope(['trace', url, '--config', config, ...serverArgs()]);
    expect(configured.stdout).toMatch(/ {2}error {4}long-chain \(hop 4\)/);
    expect(configured.code).toBe(1);

    const never = await hopscope(['trace', url, '--config', config, '--fail-on', 'never', ...serverArgs()]);
    expect(never.code).toBe(0);

    const bad = await hopscope(['trace', url, '--rule', 'long-chain=loud', ...serverArgs()]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'hopscope: --rule long-chain=loud: the value must be off, info, warning, error, or a number (long-chain only)\n',
    );
    await writeFile(config, '{"rules": {"nope": "off"}}');
    const badConfig = await hopscope(['trace', url, '--config', config, ...serverArgs()]);
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toMatch(/^hopscope: .*hopscope\.config\.json: rules\.nope: unknown rule\. The rules: /);
  });

  it('one trace, one scenario per rule family: each finding under its chain', async () => {
    const run = await hopscope([
      'trace',
      `${server.origin('sts.test', 'https')}/sts/set`,
      `${server.origin('sts.test', 'http')}/sts/page`,
      `${o}/chain/start`,
      clientJourneyUrl(server, 'meta', 1),
      `${o}/loop/a`,
      '--fail-on',
      'never',
      ...serverArgs(),
    ]);
    expect(run.code).toBe(0);
    for (const rule of [
      'browser-upgraded',
      'long-chain',
      'permanent-cached-forever',
      'client-redirect',
      'refresh-delay',
      'lost-query-param',
      'loop',
    ]) {
      expect(run.stdout, rule).toMatch(new RegExp(`^ {2}(error|warning|info) +${rule} \\(hop \\d+\\): `, 'm'));
    }
  });
});
