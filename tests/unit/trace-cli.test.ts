/**
 * `hopscope trace` without a browser: its options, the lines it prints when a visit gives up or
 * leaves a refresh out, and its exit codes.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram, main, parseMs } from '../../src/cli/main.ts';
import {
  DEFAULT_SETTLE_MS,
  DEFAULT_TIMEOUT_MS,
  EXIT,
  exitCodeOf,
  type GaveUp,
  gaveUpLine,
  noteLine,
  problemLine,
  type TraceResult,
} from '../../src/cli/trace.ts';
import { analyze } from '../../src/core/analyze/index.ts';
import type { Chain } from '../../src/core/model/chain.ts';

const target = { url: 'http://x.test/' };

function chain(outcome: Chain['outcome']): Chain {
  return {
    id: 'c1',
    requestId: '1',
    tabId: 1,
    frameId: 0,
    type: 'main_frame',
    startTime: 0,
    endTime: 10,
    outcome,
    hops: [
      {
        url: 'http://x.test/',
        method: 'GET',
        statusCode: outcome.state === 'error' ? 0 : 200,
        httpVersion: 'HTTP/1.1',
        statusText: 'OK',
        requestHeaders: [],
        responseHeaders: [],
        redirectUrl: '',
        fromCache: false,
        startTime: 0,
        endTime: 10,
        kind: 'server',
        ...(outcome.state === 'error' ? { error: outcome.error } : {}),
      },
    ],
  };
}

const completed = analyze(chain({ state: 'completed', statusCode: 200 }));
const failed = analyze(chain({ state: 'error', error: 'net::ERR_CONNECTION_REFUSED' }));
const gaveUp = (g: Partial<GaveUp>): GaveUp => ({
  waitingFor: 'load',
  url: 'http://x.test/slow',
  timeoutMs: 30_000,
  clientRedirects: 0,
  ...g,
});

describe('hopscope trace: what a visit that gives up prints', () => {
  it('says in one line what it was waiting for', () => {
    expect(gaveUpLine(gaveUp({}))).toBe(
      'gave up after 30 s waiting for http://x.test/slow to finish loading; raise --timeout to wait longer.',
    );
    expect(
      gaveUpLine(gaveUp({ waitingFor: 'refresh', url: 'http://x.test/r', refreshSeconds: 1, clientRedirects: 2 })),
    ).toBe(
      "gave up after 30 s waiting for the page's announced refresh (http://x.test/r asks for one after 1 s; 2 client redirects followed); raise --timeout to wait longer.",
    );
    expect(
      gaveUpLine(gaveUp({ waitingFor: 'moving', url: 'http://x.test/js', timeoutMs: 3000, clientRedirects: 1 })),
    ).toBe(
      'gave up after 3 s waiting for http://x.test/js to stop moving on by itself (1 client redirect followed); raise --timeout to wait longer.',
    );
    expect(gaveUpLine(gaveUp({ timeoutMs: 2500 }))).toContain('gave up after 2.5 s');
    for (const waitingFor of ['load', 'refresh', 'moving'] as const) {
      expect(gaveUpLine(gaveUp({ waitingFor, clientRedirects: 3 }))).not.toContain('\n');
    }
  });

  it('exits 3 when a visit gave up, 1 when a chain failed, 0 otherwise; giving up is the problem it reports', () => {
    const ok: TraceResult = { target, chains: [completed] };
    const error: TraceResult = { target, chains: [failed] };
    const timedOut: TraceResult = { target, chains: [failed], gaveUp: gaveUp({}) };
    expect([ok, error, timedOut].map(exitCodeOf)).toEqual([EXIT.ok, EXIT.chainError, EXIT.timeout]);
    expect(EXIT).toEqual({ ok: 0, chainError: 1, usage: 2, timeout: 3 });
    expect(problemLine(timedOut)).toBe(gaveUpLine(gaveUp({})));
    expect(problemLine(ok)).toBeUndefined();
  });

  it('notes a refresh longer than --timeout without making it a problem', () => {
    const result: TraceResult = {
      target,
      chains: [completed],
      refreshNotFollowed: { url: 'http://x.test/', delaySeconds: 300 },
    };
    expect(noteLine(result)).toBe(
      'note: http://x.test/ announces a refresh after 300 s, longer than --timeout: not followed (raise --timeout to follow it).',
    );
    expect(problemLine(result)).toBeUndefined();
    expect(exitCodeOf(result)).toBe(EXIT.ok);
    expect(noteLine({ target, chains: [completed] })).toBeUndefined();
  });
});

describe('hopscope trace: options', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('lists --settle, --timeout and --no-https-upgrades with their defaults', () => {
    const trace = buildProgram().commands.find((c) => c.name() === 'trace');
    const help = trace?.helpInformation() ?? '';
    expect(help).toContain('--settle <ms>');
    expect(help).toContain(`(default ${DEFAULT_SETTLE_MS})`);
    expect(help).toContain('--timeout <ms>');
    expect(help).toContain(`(default ${DEFAULT_TIMEOUT_MS})`);
    expect(help).toContain('--no-https-upgrades');
    expect([DEFAULT_SETTLE_MS, DEFAULT_TIMEOUT_MS]).toEqual([3000, 30_000]);
  });

  it('takes whole milliseconds and refuses anything else in one line, exit 2', async () => {
    expect(parseMs('0', '--settle', 0)).toBe(0);
    expect(parseMs(' 2500 ', '--timeout', 1)).toBe(2500);
    for (const bad of ['', '-1', '1.5', '3s', 'abc', '1e3']) expect(() => parseMs(bad, '--settle', 0)).toThrow();
    expect(() => parseMs('0', '--timeout', 1)).toThrow(/--timeout takes a whole number of milliseconds above 0/);

    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    // Checked before any browser starts: no browser is needed for this.
    const code = await main(['node', 'hopscope', 'trace', 'http://x.test/', '--timeout', '3s']);
    expect(code).toBe(EXIT.usage);
    expect(stderr.mock.calls.map((c) => String(c[0]))).toEqual([
      "hopscope: --timeout takes a whole number of milliseconds above 0, e.g. --timeout 30000; got '3s'.\n",
    ]);
  });

  it('runs Chromium with HTTPS-Upgrades unless --no-https-upgrades', async () => {
    const program = buildProgram();
    const trace = program.commands.find((c) => c.name() === 'trace');
    if (!trace) throw new Error('no trace command');
    const seen: unknown[] = [];
    trace.action((_urls: string[], opts: { httpsUpgrades: boolean }) => {
      seen.push(opts.httpsUpgrades);
    });
    await program.parseAsync(['node', 'hopscope', 'trace', 'http://x.test/']);
    await program.parseAsync(['node', 'hopscope', 'trace', 'http://x.test/', '--no-https-upgrades']);
    expect(seen).toEqual([true, false]);
  });
});
