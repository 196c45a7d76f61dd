/**
 * `hopscope trace` always ends, and follows every client redirect: after the load it waits a
 * settle window for a page that moves on by itself, and gives up at --timeout with one line
 * saying what it was waiting for (exit 3). Each run is a separate process, as a user runs it.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/cli/browser.ts';
import type { AnalyzedChain as Chain } from '../../src/core/analyze/index.ts';
import { browserArgsFor, SCENARIOS, type ScenarioServer, startScenarioServer } from '../../src/scenarios/index.ts';

const BIN = join(REPO_ROOT, 'src/cli/hopscope.mjs');
let server: ScenarioServer;
let o: string;
/** A trace of one plain page: start-up, one visit and shut-down, as measured on this machine now. */
let baselineMs: number;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

function hopscope(args: string[]): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 90_000 }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: number }).code ?? 1) : 0;
      resolve({ code, stdout, stderr, ms: Math.round(performance.now() - started) });
    });
  });
}

/**
 * Runs hopscope and measures its visit as the server sees it: from the first request for
 * `pathname` to the process's exit. Start-up (a second or more on a busy machine) is left out.
 */
async function timedVisit(args: string[], pathname: string): Promise<Run & { visitMs: number }> {
  const before = server.hits(pathname);
  let firstHit: number | undefined;
  const poll = setInterval(() => {
    if (firstHit === undefined && server.hits(pathname) > before) firstHit = performance.now();
  }, 10);
  const started = performance.now();
  const run = await hopscope(args);
  clearInterval(poll);
  const ended = started + run.ms;
  // NaN, failing every bound, when the server never saw the visit.
  return { ...run, visitMs: firstHit === undefined ? Number.NaN : Math.round(ended - firstHit) };
}

const serverArgs = () => browserArgsFor(server).map((a) => `--browser-arg=${a}`);
const scenarioUrl = (id: string): string => {
  const scenario = SCENARIOS.find((s) => s.id === id);
  if (!scenario) throw new Error(`no scenario ${id}`);
  return scenario.urls(server)[0] as string;
};
const enc = encodeURIComponent;

/** The chains of a `--json` run, one list per visit: each visit has its own tab. */
function byVisit(stdout: string): Chain[][] {
  const visits = new Map<number, Chain[]>();
  for (const chain of JSON.parse(stdout) as Chain[]) {
    visits.set(chain.tabId, [...(visits.get(chain.tabId) ?? []), chain]);
  }
  return [...visits.values()];
}

/** kind, status, client redirect type and path of each hop. */
const shape = (chain: Chain | undefined) =>
  chain?.hops.map((h) => [h.kind, h.statusCode, h.clientRedirect?.type, new URL(h.url).pathname]);

const TIMEOUT_LINE = (what: string) =>
  new RegExp(
    `^hopscope: gave up after 3 s waiting for ${what}( \\(\\d+ client redirects? followed\\))?; raise --timeout to wait longer\\.\\n$`,
  );
/**
 * A --timeout 3000 visit ends at 3 s: from its first request to the process's exit (which adds
 * printing and closing the browser) it takes at least the timeout and little more.
 */
function onTime(run: { visitMs: number; ms: number }): void {
  const took = `the visit took ${run.visitMs} ms (the process ${run.ms} ms; a plain trace ${baselineMs} ms)`;
  console.info(took);
  // The deadline runs from the navigation, which starts before the server sees the first
  // request (up to some hundreds of ms on a busy machine): the visit measured here is shorter
  // than --timeout by that much. It must still have waited most of it, not given up early.
  expect(run.visitMs, took).toBeGreaterThanOrEqual(2000);
  // And it ended at --timeout, plus what closing a browser costs on this machine now: a plain
  // trace measured in the same run (a busy machine slows both alike).
  expect(run.visitMs, took).toBeLessThan(3000 + Math.max(2500, 2 * baselineMs));
}
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

beforeAll(async () => {
  server = await startScenarioServer({ testRoutes: true });
  o = server.origin();
  const run = await hopscope(['trace', `${o}/ok`, ...serverArgs()]);
  expect(run.code).toBe(0);
  baselineMs = run.ms;
});
afterAll(async () => {
  await server?.close();
});

describe('hopscope trace follows every client redirect and always ends', () => {
  it('follows the meta refresh after a 302 and the JavaScript timer: 20 runs in a row, each under 10 s', async () => {
    const meta = scenarioUrl('client-meta-after-302');
    const timer = scenarioUrl('client-js-timer');
    expect(meta).toBe(`${o}/r/302?to=${enc('/client/meta?delay=0&to=/end')}`);
    expect(timer).toBe(`${o}/client/timer?ms=50&to=${enc('/end')}`);
    const times: number[] = [];
    const processTimes: number[] = [];
    for (let run = 0; run < 20; run++) {
      // Each process traces both, so each is 20 times the first visit after start-up (10) or the
      // second (10): the first is where a worker just started meets the page.
      const order = run % 2 ? [timer, meta] : [meta, timer];
      const result = await timedVisit(
        ['trace', ...order, '--json', ...serverArgs()],
        new URL(order[0] as string).pathname,
      );
      const context = `run ${run + 1}: ${result.stderr}`;
      expect(result.code, context).toBe(0);
      expect(result.stderr, context).toBe('');
      const visits = byVisit(result.stdout);
      expect(visits.length, context).toBe(2);
      for (const [i, url] of order.entries()) {
        const chains = visits[i] as Chain[];
        // One journey per visit: the client hop joined, nothing left pending.
        expect(chains.length, context).toBe(1);
        const chain = chains[0] as Chain;
        expect(chain.hops[0]?.url, context).toBe(url);
        expect(chain.outcome, context).toEqual({ state: 'completed', statusCode: 200 });
        if (url === meta) {
          expect(shape(chain), context).toEqual([
            ['server', 302, undefined, '/r/302'],
            ['client', 200, 'meta-refresh', '/client/meta'],
            ['server', 200, undefined, '/end'],
          ]);
          expect(chain.hops[1]?.clientRedirect?.delaySeconds, context).toBe(0);
        } else {
          expect(shape(chain), context).toEqual([
            ['client', 200, 'javascript', '/client/timer'],
            ['server', 200, undefined, '/end'],
          ]);
        }
        expect(chain.hops.at(-1)?.url, context).toBe(`${o}/end`);
      }
      // From the first request of the first trace to the process's exit, both traces and the
      // browser's shut-down included, under 10 s: so is each trace. (Start-up is left out: on a
      // busy machine it alone takes seconds.)
      expect(result.visitMs, context).toBeLessThan(10_000);
      times.push(result.visitMs);
      processTimes.push(result.ms);
    }
    const stats = (list: number[]) => {
      const sorted = [...list].sort((a, b) => a - b);
      return `min ${sorted[0]} ms, median ${sorted[10]} ms, max ${sorted[19]} ms`;
    };
    console.info(
      `20 runs of \`trace <meta after 302> <js timer>\` in ${(processTimes.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s; both traces + exit: ${stats(times)}; whole process: ${stats(processTimes)} (a plain one-page trace: ${baselineMs} ms)`,
    );
  }, 400_000);

  it('starts the settle window again each time the page moves on; --settle sets its length', async () => {
    // Two pages, each moving on 1 s after it loaded: within a 1.5 s window both moves are followed.
    const twoTimers = `${o}/client/timer?ms=1000&to=${enc(`/client/timer?ms=1000&to=${enc('/end')}`)}`;
    const followed = await hopscope(['trace', twoTimers, '--settle', '1500', '--json', ...serverArgs()]);
    expect(followed.code).toBe(0);
    const [chains] = byVisit(followed.stdout);
    expect(chains?.length).toBe(1);
    expect(shape(chains?.[0])).toEqual([
      ['client', 200, 'javascript', '/client/timer'],
      ['client', 200, 'javascript', '/client/timer'],
      ['server', 200, undefined, '/end'],
    ]);
    // A 0.5 s window ends before the first page moves on: the trace shows where the page was.
    const short = await hopscope(['trace', twoTimers, '--settle', '500', '--json', ...serverArgs()]);
    expect(short.code).toBe(0);
    expect(shape(byVisit(short.stdout)[0]?.[0])).toEqual([['server', 200, undefined, '/client/timer']]);
  });

  it('gives up at --timeout on a JavaScript redirect loop: one line, exit 3, on time', async () => {
    // location.replace('') every 100 ms: the page reloads itself forever.
    const loop = `${o}/client/timer?ms=100&to=`;
    const run = await timedVisit(['trace', loop, '--timeout', '3000', ...serverArgs()], '/client/timer');
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(TIMEOUT_LINE(`${esc(loop)} to stop moving on by itself`));
    // What was recorded until then is still printed.
    expect(run.stdout).toContain(`GET ${loop}`);
    onTime(run);
  });

  it('gives up at --timeout on a page that refreshes itself forever', async () => {
    // `Refresh: 1; url=` (empty): the page reloads itself every second.
    const forever = `${o}/client/refresh?delay=1&to=`;
    const run = await timedVisit(['trace', forever, '--timeout', '3000', ...serverArgs()], '/client/refresh');
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      new RegExp(
        `^hopscope: gave up after 3 s waiting for the page's announced refresh \\(${esc(forever)} asks for one after 1 s(; \\d+ client redirects? followed)?\\); raise --timeout to wait longer\\.\\n$`,
      ),
    );
    onTime(run);
  });

  it('gives up at --timeout on a page that never finishes loading, naming the request', async () => {
    const held = server.hold('/slow/final');
    try {
      const run = await timedVisit(['trace', `${o}/slow/start`, '--timeout', '3000', ...serverArgs()], '/slow/start');
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(TIMEOUT_LINE(`${esc(`${o}/slow/final`)} to finish loading`));
      onTime(run);
    } finally {
      held.release();
    }
  });

  it('notes a refresh announced for later than --timeout and does not wait for it', async () => {
    const later = `${o}/client/refresh?delay=60&to=${enc('/end')}`;
    const run = await hopscope(['trace', later, ...serverArgs()]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      `hopscope: note: ${later} announces a refresh after 60 s, longer than --timeout: not followed (raise --timeout to follow it).\n`,
    );
    expect(run.stdout).toContain('0 redirects, completed with 200');
    // Neither the 60 s nor the 30 s --timeout: about as long as a plain trace.
    expect(run.ms - baselineMs, `took ${run.ms} ms; a plain trace ${baselineMs} ms`).toBeLessThan(10_000);
  });
});
