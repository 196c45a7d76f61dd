/**
 * `npm start` without a display: `hopscope demo` traces every scenario of the catalogue headless,
 * in Chromium with HTTPS-Upgrades on as users run it, so a newcomer sees the inferred hop, then
 * checks the bundled migration list with `hopscope check`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/cli/browser.ts';
import { SCENARIOS } from '../../src/scenarios/index.ts';
import { assertValidHar } from '../support/har-validator.ts';

interface DemoHar {
  log: {
    browser?: { name: string; version: string };
    _hopscope?: { httpsUpgrades: boolean };
    entries: Array<{
      request: { url: string };
      response: { status: number; redirectURL: string };
      _hopscope: { internalReason?: string; inferred?: boolean };
    }>;
  };
}

it('traces every scenario with HTTPS-Upgrades on and shows the inferred hops', async () => {
  const har = join(await mkdtemp(join(tmpdir(), 'hopscope-demo-')), 'demo.har');
  const { DISPLAY: _display, ...env } = process.env;
  const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, 'src/cli/hopscope.mjs'), 'demo', '--har', har],
      { env, timeout: 170_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toMatch(
    /^Hopscope demo: tracing \d+ scenarios headless .*\(HTTPS-Upgrades on, as users run it\)\.$/m,
  );
  // Every scenario of the catalogue, the HTTPS-Upgrades shapes and the client-redirect ones included.
  for (const scenario of SCENARIOS) expect(run.stdout).toContain(`━━ ${scenario.title} ━━`);
  for (const id of ['https-upgrade', 'https-upgrade-fallback', 'https-upgrade-midchain', 'client-js-timer']) {
    expect(SCENARIOS.map((s) => s.id)).toContain(id);
  }
  expect(run.stdout).toMatch(/307 Temporary Redirect\s+GET\s+internal \(HttpsUpgrades/);
  // No scenario ran out of time.
  expect(run.stdout).not.toMatch(/gave up after [\d.]+ s waiting for/);

  // Then hopscope check on the bundled migration list (src/cli/check/demo-list.csv): three
  // lines that pass and one of each kind of failure, as the list's lines were written to give;
  // the demo itself still exits 0.
  expect(run.stdout).toContain('━━ hopscope check: a migration list ━━');
  for (const verdict of ['pass', 'wrong-target', 'wrong-status', 'too-many-hops', 'loop', 'error', 'invalid']) {
    expect(run.stdout).toMatch(new RegExp(`^${verdict} +\\S`, 'm'));
  }
  expect(run.stdout).toContain(
    '11 URLs: 3 pass, 1 wrong-target, 2 wrong-status, 1 too-many-hops, 1 loop, 1 error, 2 invalid; 8 failed.',
  );

  const doc = JSON.parse(await readFile(har, 'utf8')) as DemoHar;
  assertValidHar(doc);
  expect(doc.log._hopscope).toEqual({ httpsUpgrades: true });
  expect(doc.log.browser?.version).toMatch(/^\d+\./);
  const inferred = doc.log.entries.filter((e) => e._hopscope.inferred);
  expect(inferred.length).toBeGreaterThanOrEqual(3);
  // HTTPS-Upgrades' hops, and the HSTS upgrade of a redirect's target (hsts-midchain).
  expect(new Set(inferred.map((e) => e._hopscope.internalReason))).toEqual(new Set(['HttpsUpgrades', 'HSTS']));
  const hsts = inferred.filter((e) => e._hopscope.internalReason === 'HSTS');
  expect(hsts.map((e) => [new URL(e.request.url).pathname, e.response.status, e.response.redirectURL])).toEqual([
    ['/sts/page', 307, e2eHttps(hsts[0]?.request.url)],
  ]);
}, 180_000);

/** The https URL of an http one, port kept: where an HSTS upgrade leads. */
function e2eHttps(url: string | undefined): string {
  return (url ?? '').replace(/^http:/, 'https:');
}
