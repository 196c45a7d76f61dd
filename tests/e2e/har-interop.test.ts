/**
 * Hopscope's HAR read by the programs people feed HAR files to (issue 15): the HAR 1.2 schema
 * behind har-validator, sitespeed.io's pagexray (which finds a page's main document and its
 * redirect chain through `pages` / `pageref`), Playwright's `routeFromHAR` replay in real
 * Chromium with the origin server off, and Grafana's har-to-k6. Each reads the export of a chain
 * Chromium recorded (tests/fixtures/events/chain-3xx: five redirects), moved to a port where
 * nothing listens, in both sanitized modes.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harText } from '../../src/core/har/export.ts';
import type { Chain } from '../../src/core/model/chain.ts';
import { harExportText } from '../../src/ui/download.ts';
import { assertValidHar } from '../support/har-validator.ts';
import { factsOf, loadFixture } from '../unit/helpers.ts';

const require = createRequire(import.meta.url);

interface PagexrayPage {
  url: string;
  finalUrl: string;
  documentRedirects: number;
  redirectChain: string[];
}
const pagexray = require('pagexray') as { convert(har: unknown): PagexrayPage[] };
const { liHARToK6Script } = require('har-to-k6') as { liHARToK6Script(har: unknown): Promise<{ main: string }> };

/** A port nothing listens on: bound by us, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let origin = '';
let chains: Chain[] = [];
let urls: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'hopscope-har-interop-'));

beforeAll(async () => {
  origin = `http://127.0.0.1:${await closedPort()}`;
  const events = JSON.parse(JSON.stringify(loadFixture('chain-3xx')).replaceAll('http://localhost:47801', origin));
  chains = factsOf(events).filter((c) => c.type === 'main_frame');
  urls = chains[0]?.hops.map((h) => h.url) ?? [];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MODES = ['sanitized', 'hashed'] as const;
const exported = (mode: (typeof MODES)[number]) => JSON.parse(harExportText(chains, mode));

describe("Hopscope's HAR in other programs", () => {
  it('is one chain of six hops, from /chain/start to /chain/final', () => {
    expect(chains).toHaveLength(1);
    expect(urls).toEqual(['start', '2', '3', '4', '5', 'final'].map((p) => `${origin}/chain/${p}`));
  });

  it.each(MODES)('validates against the HAR 1.2 schema (har-validator’s har-schema), %s', (mode) => {
    assertValidHar(exported(mode));
  });

  it.each(MODES)('pagexray finds the page, its main document and its redirect chain, %s', (mode) => {
    const pages = pagexray.convert(exported(mode));
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({
      url: urls[0],
      finalUrl: urls.at(-1),
      documentRedirects: 5,
      redirectChain: urls.slice(0, -1),
    });
  });

  it('har-to-k6 converts it into a script that requests every URL of the chain', async () => {
    const { main } = await liHARToK6Script(exported('sanitized'));
    expect(main).toContain("import http from 'k6/http'");
    for (const url of urls) expect(main).toContain(`http.get('${url}'`);
    expect(main).toContain(`group('page_1 - ${urls.at(-1)}'`);
  });

  it('Playwright replays it with routeFromHAR, the origin server off, and lands on the final URL', async () => {
    await expect(fetch(`${origin}/chain/start`)).rejects.toThrow();
    const file = join(dir, 'chain.har');
    writeFileSync(file, harText(chains));
    const browser = await chromium.launch({
      executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu'],
    });
    try {
      const context = await browser.newContext();
      await context.routeFromHAR(file, { notFound: 'abort' });
      const page = await context.newPage();
      const seen: string[] = [];
      page.on('request', (r) => {
        if (r.isNavigationRequest()) seen.push(r.url());
      });
      const response = await page.goto(urls[0] as string);
      expect(page.url()).toBe(urls.at(-1));
      expect(response?.status()).toBe(200);
      expect(seen[0]).toBe(urls[0]);
      expect(seen.at(-1)).toBe(urls.at(-1));
    } finally {
      await browser.close();
    }
  });
});
