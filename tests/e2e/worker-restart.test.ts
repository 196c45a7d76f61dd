/**
 * MV3 stops service workers whenever it likes. A worker stopped between two hops of one chain
 * must lose nothing: the next hop's events wake it, it reads the chain back from
 * storage.session and continues it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AnalyzedChain as Chain } from '../../src/core/analyze/index.ts';
import { type E2E, hopRows, startE2E } from '../support/extension-browser.ts';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => {
  await e2e?.close();
});

interface SessionStorageGlobal {
  chrome: { storage: { session: { get(keys: null): Promise<Record<string, unknown>> } } };
}

it('continues a chain after the service worker was stopped between two hops', async () => {
  const o = e2e.server.origin();
  const held = e2e.server.hold('/slow/final');
  const page = await e2e.newPage();
  const loaded = page.goto(`${o}/slow/start`);
  await held.arrived;

  // Hop 1 is in storage.session (written by the worker's own batching, not forced).
  const before = await e2e.browser.worker();
  const deadline = Date.now() + 5_000;
  for (;;) {
    const stored = await before.evaluate(async () => {
      const all = await (globalThis as unknown as SessionStorageGlobal).chrome.storage.session.get(null);
      return Object.entries(all)
        .filter(([key]) => key.startsWith('chain:'))
        .map(([, text]) => JSON.parse(text as string) as Chain);
    });
    if (stored.some((c) => c.hops?.[0]?.url.endsWith('/slow/start'))) break;
    if (Date.now() > deadline) throw new Error('hop 1 never reached storage.session');
    await new Promise((r) => setTimeout(r, 20));
  }

  // Playwright keeps listing a stopped worker: follow its state through CDP instead.
  const cdp = await e2e.browser.context.newCDPSession(page);
  const states: string[] = [];
  const stopped = new Promise<void>((resolve) =>
    cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
      for (const v of versions) {
        if (!v.scriptURL.startsWith(`chrome-extension://${e2e.browser.extensionId}/`)) continue;
        states.push(v.runningStatus);
        if (v.runningStatus === 'stopped') resolve();
      }
    }),
  );
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await stopped;

  held.release();
  await loaded;
  const chains = await e2e.waitForChains((all) =>
    all.some((c) => c.hops[0]?.url.endsWith('/slow/start') && c.outcome.state === 'completed'),
  );
  // The hop-2 events started a new worker, which read hop 1 back from storage.session.
  expect(states.slice(states.indexOf('stopped'))).toContain('running');
  const chain = chains.find((c) => c.hops[0]?.url.endsWith('/slow/start'));
  expect(hopRows(chain).map((h) => [h.status, h.method, h.url, h.redirectUrl])).toEqual([
    [302, 'GET', `${o}/slow/start`, `${o}/slow/final`],
    [200, 'GET', `${o}/slow/final`, ''],
  ]);
  expect(chain?.outcome).toEqual({ state: 'completed', statusCode: 200 });
  expect(chains.filter((c) => c.hops[0]?.url.endsWith('/slow/start'))).toHaveLength(1);
  expect([e2e.server.hits('/slow/start'), e2e.server.hits('/slow/final')]).toEqual([1, 1]);
});
