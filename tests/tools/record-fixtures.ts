/**
 * Records real webRequest event sequences from Chromium into tests/fixtures/events/<scenario>.json.
 *
 *   npx tsx tests/tools/record-fixtures.ts [scenario-id ...]
 *
 * Loads the throwaway raw logger extension (tests/tools/raw-logger), visits each scenario of the
 * scenario server on the fixed port 47801 in a fresh tab, and saves the events the logger saw for
 * that port, exactly as Chromium delivered them. The fixed port keeps URLs stable between
 * re-recordings; requestIds and timestamps still change.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page, type Worker } from 'playwright-core';
import { browserArgsFor, type ScenarioServer, startScenarioServer } from '../../src/scenarios/index.ts';

const PORT = 47801;
/** Nothing listens here: the `unreachable` scenario. */
const DEAD_PORT = 47899;
const here = path.dirname(fileURLToPath(import.meta.url));
const EXTENSION = path.join(here, 'raw-logger');
const OUT = path.resolve(here, '../fixtures/events');
const CHROME = process.env.CHROME_PATH || '/usr/bin/chromium';

interface RecordedEvent {
  event: string;
  details: { url: string; [key: string]: unknown };
}

type Step = (page: Page, s: ScenarioServer) => Promise<void>;

const visit =
  (...urls: Array<(s: ScenarioServer) => string>): Step =>
  async (page, s) => {
    for (const url of urls) await page.goto(url(s), { waitUntil: 'load' });
  };

/** Navigations that end in an error page: goto rejects with the net error, which is the point. */
const visitFailing =
  (url: (s: ScenarioServer) => string, expected: string): Step =>
  async (page, s) => {
    try {
      await page.goto(url(s), { waitUntil: 'load' });
      throw new Error(`expected ${expected}, but the page loaded`);
    } catch (e) {
      if (!String(e).includes(expected)) throw e;
    }
  };

/** A real form submission (not a fetch), so the browser itself follows the redirect. */
const postForm =
  (code: number): Step =>
  async (page, s) => {
    const action = `${s.origin()}/post/${code}`;
    await page.setContent(
      `<form method="POST" action="${action}"><input name="a" value="1"><button type="submit">go</button></form>`,
    );
    await Promise.all([page.waitForURL(`${s.origin()}/echo`, { waitUntil: 'load' }), page.click('button')]);
  };

const twice = (p: string): Step =>
  visit(
    (s) => `${s.origin()}${p}`,
    (s) => `${s.origin()}${p}`,
  );

const STEPS: Record<string, { step: Step; port?: number }> = {
  'chain-3xx': { step: visit((s) => `${s.origin()}/chain/start`) },
  'post-301': { step: postForm(301) },
  'post-302': { step: postForm(302) },
  'post-303': { step: postForm(303) },
  'post-307': { step: postForm(307) },
  'post-308': { step: postForm(308) },
  'cache-301': { step: twice('/cache/301') },
  'cache-308': { step: twice('/cache/308') },
  'cache-307-max-age': { step: twice('/cache/307-max-age') },
  'cache-302': { step: twice('/cache/302') },
  'hsts-preload': { step: visit((s) => `${s.origin('hsts.dev', 'http')}/`) },
  'hsts-header': {
    step: visit(
      (s) => `${s.origin('sts.test', 'https')}/sts/set`,
      (s) => `${s.origin('sts.test', 'http')}/sts/page`,
    ),
  },
  'hsts-midchain': {
    step: visit(
      (s) => `${s.origin('sts.test', 'https')}/sts/set`,
      (s) => `${s.origin('a.test', 'http')}/sts/via`,
    ),
  },
  loop: { step: visitFailing((s) => `${s.origin()}/loop/a`, 'net::ERR_TOO_MANY_REDIRECTS') },
  downgrade: { step: visit((s) => `${s.origin('secure.test', 'https')}/downgrade`) },
  'cross-host': { step: visit((s) => `${s.origin('a.test')}/hop`) },
  ok: { step: visit((s) => `${s.origin()}/ok`) },
  unreachable: {
    step: visitFailing(() => `http://localhost:${DEAD_PORT}/`, 'net::ERR_CONNECTION_REFUSED'),
    port: DEAD_PORT,
  },
  'burst-small': {
    step: async (page, s) => {
      await page.goto(`${s.origin()}/burst?n=5`, { waitUntil: 'load' });
      await page.waitForFunction(() => document.title === 'done');
    },
  },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Events keep arriving after `load` (onCompleted, late subresources): wait until they stop. */
async function settledEvents(sw: Worker, quietMs = 600, maxMs = 10_000): Promise<RecordedEvent[]> {
  const start = Date.now();
  let last = -1;
  let stableSince = Date.now();
  for (;;) {
    const n = await sw.evaluate(() => (self as unknown as { events: unknown[] }).events.length);
    if (n !== last) {
      last = n;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= quietMs || Date.now() - start > maxMs) {
      return sw.evaluate(() => (self as unknown as { events: RecordedEvent[] }).events);
    }
    await sleep(100);
  }
}

function onPort(port: number) {
  return (e: RecordedEvent): boolean => {
    if (e.details.url.startsWith('chrome-extension://')) return false;
    try {
      const u = new URL(e.details.url);
      return u.port === String(port);
    } catch {
      return false;
    }
  };
}

/** One line to eyeball: each request's hops as `status[c]` (c = fromCache), then what the server saw. */
function describe(events: RecordedEvent[], server: ScenarioServer): string {
  const chains = new Map<unknown, string[]>();
  const paths = new Set<string>();
  for (const { event, details: d } of events) {
    if (event === 'onBeforeRequest') paths.add(new URL(d.url).pathname);
    if (event !== 'onBeforeRedirect' && event !== 'onCompleted' && event !== 'onErrorOccurred') continue;
    const hop = event === 'onErrorOccurred' ? String(d.error) : `${d.statusCode}${d.fromCache ? 'c' : ''}`;
    chains.set(d.requestId, [...(chains.get(d.requestId) ?? []), hop]);
  }
  const hops = [...chains.values()].map((h) => h.join('>')).join(' ');
  const hits = [...paths].map((p) => `${p}=${server.hits(p)}`).join(' ');
  const echo = server.received('/echo').map((r) => `${r.method} '${r.body}'`);
  return `hops ${hops}; server hits ${hits}${echo.length ? `; /echo got ${echo.join(', ')}` : ''}`;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const unknown = only.filter((id) => !(id in STEPS));
  if (unknown.length)
    throw new Error(`unknown scenario(s): ${unknown.join(', ')}; known: ${Object.keys(STEPS).join(', ')}`);

  const server = await startScenarioServer({ port: PORT });
  const profile = await mkdtemp(path.join(tmpdir(), 'hopscope-record-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROME,
    headless: false,
    ignoreDefaultArgs: ['--disable-extensions'],
    args: [
      `--disable-extensions-except=${EXTENSION}`,
      `--load-extension=${EXTENSION}`,
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...browserArgsFor(server),
    ],
  });
  try {
    const sw = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    // The first navigation is not seen until the worker has answered once (DESIGN.md).
    await sw.evaluate(() => (self as unknown as { events: unknown[] }).events.length);
    const version = execFileSync(CHROME, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    console.log(`${version}; logger ${sw.url()}`);

    await mkdir(OUT, { recursive: true });
    for (const [id, { step, port = PORT }] of Object.entries(STEPS)) {
      if (only.length && !only.includes(id)) continue;
      await sw.evaluate(() => {
        (self as unknown as { events: unknown[] }).events.length = 0;
      });
      server.resetCounts();
      const page = await context.newPage();
      await step(page, server);
      const events = (await settledEvents(sw)).filter(onPort(port));
      await page.close();
      await writeFile(path.join(OUT, `${id}.json`), `${JSON.stringify(events, null, 2)}\n`);
      console.log(`${id}: ${events.length} events; ${describe(events, server)}`);
      if (id === 'hsts-preload' && !events.some((e) => e.details.statusLine === 'HTTP/1.1 307 Internal Redirect'))
        console.warn(
          'WARNING hsts-preload: no HSTS upgrade. Chromium ignores its preload list when the build is more than 10 weeks older than the clock.',
        );
    }
  } finally {
    await context.close();
    await server.close();
    await rm(profile, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
