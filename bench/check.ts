/**
 * "check throughput": `hopscope check` on a list of sources that each go through two 302s on
 * the local bench server, against the same navigations in the same Chromium without the
 * extension (same number of tabs, cache off the same way), alternating B A B A; once, the same
 * navigations with the extension but nothing read back (what the recorder alone costs); a plain
 * `curl -sIL` loop for reference; and the memory (this process's RSS plus the PSS of every
 * Chromium process, after garbage collection everywhere) at the end of a run of 1,000 sources
 * and at the end of one of BENCH_CHECK_MEMORY_SOURCES.
 *
 * Environment: BENCH_CHECK_SOURCES (default 1000), BENCH_CHECK_ROUNDS (default 2),
 * BENCH_CHECK_CONCURRENCY (default: hopscope check's own default), BENCH_CHECK_MEMORY_SOURCES
 * (default 3000; the issue's figure is 10000, whose run alone takes ~12 minutes on 2 cores: set
 * it to 10000 to measure that; 1000 or less skips the memory figure).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { launchWithExtension } from '../src/cli/browser.ts';
import { runCheck } from '../src/cli/check/command.ts';
import { defaultConcurrency } from '../src/cli/check/register.ts';
import type { HeavyServer } from './heavy-server.ts';
import { launchPlain, log, sleep } from './page-load.ts';
import { nodeGc, type Result, summarize } from './report.ts';
import { attachToWorker } from './worker-cdp.ts';

const SOURCES = Number(process.env.BENCH_CHECK_SOURCES ?? 1000);
const ROUNDS = Number(process.env.BENCH_CHECK_ROUNDS ?? 2);
const CONCURRENCY = Number(process.env.BENCH_CHECK_CONCURRENCY ?? defaultConcurrency());
const MEMORY_SOURCES = Number(process.env.BENCH_CHECK_MEMORY_SOURCES ?? 3000);
const CURL_SOURCES = 200;

/** Every source goes through two 302s (/r2/ → /r1/ → /final), each URL a new one. */
function sources(server: HeavyServer, tag: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${server.origin}/r2/final?run=${tag}&i=${i}`);
}

const quiet = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

/** hopscope check on the list, in this process: its own rate (from the first visit on). */
async function withExtension(browserPath: string, list: string): Promise<number> {
  const out = `${list}.jsonl`;
  const code = await runCheck(
    [list],
    {
      format: 'json',
      out,
      browser: browserPath,
      browserArg: [],
      httpsUpgrades: true,
      concurrency: String(CONCURRENCY),
    },
    { stdout: quiet(), stderr: quiet() },
  );
  const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
  const summary = JSON.parse(lines.at(-1) as string).summary as { passed: number; urlsPerSecond: number };
  if (code !== 0 || summary.passed !== lines.length - 1) {
    throw new Error(`hopscope check exited with ${code}: ${summary.passed} of ${lines.length - 1} passed`);
  }
  return summary.urlsPerSecond;
}

/** As many tabs as check opens, the cache off and service workers bypassed the same way, each URL loaded. */
async function navigations(context: BrowserContext, urls: readonly string[]): Promise<number> {
  const tabs: Array<{ page: Page; cdp: CDPSession }> = [];
  for (let i = 0; i < CONCURRENCY; i++) {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable', { maxTotalBufferSize: 0, maxResourceBufferSize: 0 });
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.setBypassServiceWorker', { bypass: true });
    tabs.push({ page, cdp });
  }
  let next = 0;
  const start = performance.now();
  await Promise.all(
    tabs.map(async ({ page }) => {
      for (let i = next++; i < urls.length; i = next++) {
        await page.goto(urls[i] as string, { waitUntil: 'load' });
        if (!page.url().includes('/final?')) throw new Error(`${urls[i]} did not land on /final`);
      }
    }),
  );
  return urls.length / ((performance.now() - start) / 1000);
}

/** The same navigations in the same Chromium without the extension. */
async function withoutExtension(browserPath: string, urls: readonly string[]): Promise<number> {
  const b = await launchPlain(browserPath);
  try {
    return await navigations(b.context, urls);
  } finally {
    await b.close();
  }
}

/** The same navigations with the extension recording, nothing read back: the recorder's share. */
async function recorderOnly(browserPath: string, urls: readonly string[]): Promise<number> {
  const b = await launchWithExtension({ browserPath });
  try {
    return await navigations(b.context, urls);
  } finally {
    await b.close();
  }
}

function curlRate(urls: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    // One shell loop: the cost of starting curl is part of what a curl script pays.
    const script = 'for u in "$@"; do curl -sIL -o /dev/null "$u" || exit 1; done';
    const child = spawn('sh', ['-c', script, 'curl-loop', ...urls], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(urls.length / ((performance.now() - start) / 1000))
        : reject(new Error(`curl loop exited with ${code}`)),
    );
  });
}

/** PSS of a process (shared pages divided among their users), in bytes; 0 when it is gone. */
function pss(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** This process's descendants (the browsers Playwright started and their children). */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(name), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  for (const pid of parent.keys()) {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === root) {
        out.push(pid);
        break;
      }
    }
  }
  return out;
}

function memoryNow(): { node: number; browser: number } {
  return {
    node: process.memoryUsage().rss,
    browser: descendants(process.pid)
      .filter((pid) => !/curl|sh$/.test(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()))
      .reduce((sum, pid) => sum + pss(pid), 0),
  };
}

/**
 * The memory at the end of a run of `n` sources, the browser still up: after a garbage
 * collection in this process, in every tab and in the extension's worker, so what is measured
 * is what is kept, not what a collector has not reached yet.
 */
async function memoryAtEnd(
  browserPath: string,
  server: HeavyServer,
  dir: string,
  n: number,
): Promise<{ node: number; browser: number }> {
  const list = join(dir, `memory-${n}.txt`);
  await writeFile(list, `${sources(server, `mem${n}`, n).join('\n')}\n`);
  let measured: { node: number; browser: number } | undefined;
  const gc = nodeGc();
  const t = Date.now();
  await runCheck(
    [list],
    { format: 'json', browser: browserPath, browserArg: [], httpsUpgrades: true, concurrency: String(CONCURRENCY) },
    {
      stdout: quiet(),
      stderr: quiet(),
      onDone: async (b) => {
        for (const page of b.context.pages()) {
          const cdp = await b.context.newCDPSession(page).catch(() => undefined);
          await cdp?.send('HeapProfiler.collectGarbage').catch(() => undefined);
          await cdp?.detach().catch(() => undefined);
        }
        const worker = await attachToWorker(b.context, b.extensionId);
        await worker.send('HeapProfiler.collectGarbage');
        await worker.detach();
        gc();
        await sleep(1000);
        measured = memoryNow();
      },
    },
  );
  if (!measured) throw new Error(`the memory run of ${n} sources did not finish`);
  log(
    `check memory: ${n} sources in ${((Date.now() - t) / 1000).toFixed(0)} s, then node RSS ${(measured.node / 1e6).toFixed(0)} MB, Chromium PSS ${(measured.browser / 1e6).toFixed(0)} MB`,
  );
  return measured;
}

/** The memory after 1,000 sources and after MEMORY_SOURCES, each run to its end. */
async function memoryRun(browserPath: string, server: HeavyServer, dir: string): Promise<Result[]> {
  const small = await memoryAtEnd(browserPath, server, dir, 1000);
  const large = await memoryAtEnd(browserPath, server, dir, MEMORY_SOURCES);
  const growth = (large.node + large.browser - small.node - small.browser) / 1e6;
  return [
    summarize(
      `check: memory growth, 1,000 → ${MEMORY_SOURCES.toLocaleString('en-US')} sources (node RSS + Chromium PSS, after GC)`,
      [growth],
      'MB',
      50,
    ),
    summarize('  of which the hopscope process (RSS)', [(large.node - small.node) / 1e6], 'MB', null),
  ];
}

export async function checkThroughput(browserPath: string, server: HeavyServer): Promise<Result[]> {
  const dir = await mkdtemp(join(tmpdir(), 'hopscope-bench-check-'));
  try {
    const ext: number[] = [];
    const plain: number[] = [];
    const ratio: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const urls = sources(server, `r${round}`, SOURCES);
      const list = join(dir, `round${round}.txt`);
      await writeFile(list, `${urls.join('\n')}\n`);
      const e = await withExtension(browserPath, list);
      const p = await withoutExtension(browserPath, sources(server, `p${round}`, SOURCES));
      ext.push(e);
      plain.push(p);
      ratio.push(p / e);
      log(
        `check ${round + 1}/${ROUNDS}: ${e.toFixed(1)} URLs/s with the extension, ${p.toFixed(1)} without (${CONCURRENCY} tabs)`,
      );
    }
    // Where the difference goes: the recorder itself, or check reading the chains back.
    const recorder = await recorderOnly(browserPath, sources(server, 'rec', SOURCES));
    log(`check: ${recorder.toFixed(1)} URLs/s navigating with the extension, nothing read back`);
    const curl = await curlRate(sources(server, 'curl', CURL_SOURCES));
    log(`check: curl -sIL loop ${curl.toFixed(1)} URLs/s`);
    const label = `${SOURCES.toLocaleString('en-US')} sources × 2 redirects, ${CONCURRENCY} tabs`;
    const results = [
      // report.ts targets are upper bounds: 30 URLs/s is at most 33.3 ms a URL, and a rate of at
      // least 0.8 of the one without the extension is that one ÷ ours at most 1.25.
      summarize(
        `check: ms per URL (${label})`,
        ext.map((r) => 1000 / r),
        'ms',
        1000 / 30,
      ),
      summarize('  check URLs/s with the extension', ext, 'URLs/s', null),
      summarize('  the same navigations without the extension', plain, 'URLs/s', null),
      summarize('  without ÷ with the extension', ratio, '×', 1.25),
      summarize('  the navigations with the extension, nothing read back (once)', [recorder], 'URLs/s', null),
      summarize(`  curl -sIL loop (${CURL_SOURCES} sources, one at a time)`, [curl], 'URLs/s', null),
    ];
    if (MEMORY_SOURCES > 1000) results.push(...(await memoryRun(browserPath, server, dir)));
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
