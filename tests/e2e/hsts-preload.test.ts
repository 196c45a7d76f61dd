/**
 * The HSTS upgrade Chromium makes from its built-in preload list (.dev is preloaded as a whole
 * TLD): recorded as an internal 307 that never reached the server.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ExtensionBrowser, launchWithExtension, resolveBrowserPath } from '../../src/cli/browser.ts';
import { traceTargets } from '../../src/cli/trace.ts';
import { browserArgsFor, type ScenarioServer, startScenarioServer } from '../../src/scenarios/index.ts';
import { hopRows } from '../support/extension-browser.ts';
import { browserWithTimelyClock } from '../support/timely-chromium.ts';

let server: ScenarioServer;
let browser: ExtensionBrowser;

beforeAll(async () => {
  server = await startScenarioServer();
  const browserPath = await browserWithTimelyClock(resolveBrowserPath());
  browser = await launchWithExtension({ browserPath, args: browserArgsFor(server) });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('records the HSTS preload upgrade as an internal hop the server never saw', async () => {
  const http = `${server.origin('hsts.dev', 'http')}/`;
  const https = `${server.origin('hsts.dev', 'https')}/`;
  const [result] = await traceTargets(browser, [{ url: http }]);
  const chain = result?.chains[0];
  expect(hopRows(chain)).toEqual([
    {
      status: 307,
      statusText: 'Internal Redirect',
      method: 'GET',
      kind: 'internal:HSTS',
      fromCache: false,
      url: http,
      redirectUrl: https,
    },
    { status: 200, statusText: 'OK', method: 'GET', kind: 'server', fromCache: false, url: https, redirectUrl: '' },
  ]);
  const hsts = chain?.hops[0];
  expect(hsts?.ip).toBeUndefined();
  expect(hsts?.cache.verdict).toBe('not-applicable');
  expect(hsts?.responseHeaders).toContainEqual({ name: 'Non-Authoritative-Reason', value: 'HSTS' });
  expect(chain?.summary.internal).toBe(true);
  // The server saw only the https request: the http one never left the browser.
  expect(server.received('/').map((r) => r.host)).toEqual(['hsts.dev']);
});
