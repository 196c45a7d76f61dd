/**
 * `hopscope check FILE...`: checks the redirects of a list of URLs in one Chromium with the
 * Hopscope extension, several tabs at once, and writes a verdict per URL (README
 * "`hopscope check`"). register.ts adds the command to the `hopscope` program and loads this
 * runner when the command runs.
 *
 * Exit codes: 0 every row passed, 1 a row failed, 2 a usage problem (missing file, unknown
 * column, bad option, no browser or build), 130/143 interrupted (the rows written so far are
 * complete lines: `--resume` continues from them).
 */
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { WriteStream } from 'node:tty';
import type { FailOn } from '../../core/analyze/index.ts';
import { type Fields, isInvalid, itemFromFields, parseBase } from '../../core/check/expect.ts';
import { SummaryCounter } from '../../core/check/format.ts';
import { inShard, parseShard, type Shard, sourceKey } from '../../core/check/shard.ts';
import type { CheckItem, CheckRow, InvalidItem } from '../../core/check/types.ts';
import { checkRow, invalidRow, type VerdictOptions } from '../../core/check/verdict.ts';
import { printable } from '../../core/present/text.ts';
import { type ExtensionBrowser, launchWithExtension, UserError } from '../browser.ts';
import { findingSettings } from '../report.ts';
import { FORMATS, type Format, formatOfPath } from './formats.ts';
import { openList, probeList } from './input.ts';
import { openSink, type RowSink } from './output.ts';
import { VisitPool } from './pool.ts';
import { Progress } from './progress.ts';
import {
  type CheckOptions,
  DEFAULT_CHECK_SETTLE_MS,
  DEFAULT_CHECK_TIMEOUT_MS,
  defaultConcurrency,
} from './register.ts';
import { type ResumeState, readResume, trimForAppend } from './resume.ts';

export interface CheckIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  /** Called after the last row, while the browser still runs (the bench measures memory there). */
  onDone?: (browser: ExtensionBrowser) => Promise<void>;
}

/** "3000" (milliseconds, as `hopscope trace` takes them), "3000ms", "3s", "1.5s" → milliseconds. */
export function parseDuration(text: string, option: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/i.exec(text);
  if (!m) throw new UserError(`${option} '${text}' is not a duration in milliseconds such as 3000 (or 3s).`);
  return Math.round(Number(m[1]) * (m[2]?.toLowerCase() === 's' ? 1000 : 1));
}

interface Settings {
  concurrency: number;
  format: Format;
  base?: string;
  shard?: Shard;
  verdict: VerdictOptions & { failOn: FailOn };
  timeoutMs: number;
  settleMs: number;
}

async function settingsOf(opts: CheckOptions): Promise<Settings> {
  const usage = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(`${(error as Error).message}.`);
    }
  };
  const concurrency = opts.concurrency === undefined ? defaultConcurrency() : Number(opts.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new UserError(`--concurrency '${opts.concurrency}' is not a whole number from 1 to 64.`);
  }
  const format = (opts.format ?? (opts.out ? formatOfPath(opts.out) : undefined) ?? 'table') as Format;
  if (!FORMATS.includes(format)) throw new UserError(`--format '${opts.format}' is not one of ${FORMATS.join(', ')}.`);
  const settings: Settings = {
    concurrency,
    format,
    // --rule, --fail-on and hopscope.config.json, read as hopscope trace reads them.
    verdict: await findingSettings(opts),
    timeoutMs: parseDuration(opts.timeout ?? String(DEFAULT_CHECK_TIMEOUT_MS), '--timeout'),
    settleMs: parseDuration(opts.settle ?? String(DEFAULT_CHECK_SETTLE_MS), '--settle'),
  };
  if (settings.timeoutMs < 100) throw new UserError('--timeout must be at least 100 (milliseconds).');
  if (opts.base !== undefined) settings.base = usage(() => parseBase(opts.base as string));
  if (opts.shard !== undefined) settings.shard = usage(() => parseShard(opts.shard as string));
  return settings;
}

interface Work {
  seq: number;
  item: CheckItem | InvalidItem;
  file?: string;
}

interface Counts {
  resumed: number;
  otherShards: number;
}

/** Every line of every list, as checks, in order; shards and resumed sources left out (and counted). */
async function* workItems(
  files: readonly string[],
  s: Settings,
  resume: ResumeState | undefined,
  counts: Counts,
  stopped: () => boolean,
): AsyncGenerator<Work> {
  let seq = 0;
  for (const path of files) {
    const list = await openList(path);
    try {
      for await (const raw of list.lines) {
        if (stopped()) return;
        const item: CheckItem | InvalidItem =
          'problem' in raw
            ? { line: raw.line, source: raw.text.trim(), expected: '', problem: raw.problem }
            : itemFromFields(raw.fields as Fields, { line: raw.line, kind: list.kind, base: s.base });
        if (!inShard(item.source, s.shard)) {
          counts.otherShards++;
          continue;
        }
        if (resume?.keys.has(sourceKey(item.source))) {
          counts.resumed++;
          continue;
        }
        const work: Work = { seq: seq++, item };
        if (files.length > 1) work.file = list.name;
        yield work;
      }
    } finally {
      list.close();
    }
  }
}

/** Writes rows in the order of the list, holding at most `window` finished rows back. */
class Ordered {
  private next = 0;
  private readonly done = new Map<number, { row: CheckRow; ms: number }>();
  private draining: Promise<void> = Promise.resolve();
  private roomWaiters: Array<() => void> = [];
  written = 0;

  constructor(
    private readonly sink: RowSink,
    private readonly window: number,
    private readonly onRow: (row: CheckRow) => void,
  ) {}

  private aborted = false;

  async room(seq: number): Promise<void> {
    while (!this.aborted && seq - this.next >= this.window) await new Promise<void>((r) => this.roomWaiters.push(r));
  }

  /** The run stops: nobody waits for room any more (rows after a gap are not written). */
  abort(): void {
    this.aborted = true;
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }

  put(seq: number, row: CheckRow, ms: number): void {
    this.done.set(seq, { row, ms });
    this.draining = this.draining.then(() => this.drain());
  }

  private async drain(): Promise<void> {
    for (let entry = this.done.get(this.next); entry; entry = this.done.get(this.next)) {
      this.done.delete(this.next);
      this.next++;
      this.written++;
      this.onRow(entry.row);
      await this.sink.write(entry.row, entry.ms);
      const waiters = this.roomWaiters;
      this.roomWaiters = [];
      for (const w of waiters) w();
    }
  }

  flushed(): Promise<void> {
    return this.draining;
  }
}

/** Counts the URLs a run will check (for the progress line), reading the lists once more. */
async function countWork(files: readonly string[], s: Settings, resume: ResumeState | undefined): Promise<number> {
  let n = 0;
  for await (const _ of workItems(files, s, resume, { resumed: 0, otherShards: 0 }, () => false)) n++;
  return n;
}

export async function runCheck(
  files: readonly string[],
  opts: CheckOptions,
  io: CheckIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  if (!files.length) throw new UserError('give at least one list of URLs to check.');
  const s = await settingsOf(opts);
  for (const file of files) await probeList(file);
  if (files.filter((f) => f === '-').length > 1) throw new UserError('standard input (-) can be read only once.');

  let resume: ResumeState | undefined;
  let append = false;
  if (opts.resume) {
    const sameFile = opts.out !== undefined && resolve(opts.out) === resolve(opts.resume);
    resume = await readResume(opts.resume);
    if (!resume && !sameFile) throw new UserError(`--resume ${opts.resume}: no such file.`);
    if (resume && sameFile) {
      const want = resume.format === 'json' ? 'json' : 'csv';
      if (s.format !== want) {
        throw new UserError(`--resume ${opts.resume} is ${want} output: continue it with --format ${want}.`);
      }
      await trimForAppend(opts.resume, resume);
      append = true;
    }
  }

  const progress = io.stderr.isTTY ? new Progress(io.stderr as WriteStream, undefined) : undefined;
  if (progress && !files.includes('-')) {
    void countWork(files, s, resume).then(
      (n) => progress.setTotal(n),
      () => undefined,
    );
  }
  let browser: ExtensionBrowser | undefined;
  let pool: VisitPool | undefined;
  let sink: RowSink | undefined;
  let stopped = false;
  let interrupted: NodeJS.Signals | undefined;
  const counts: Counts = { resumed: 0, otherShards: 0 };
  const summary = new SummaryCounter();
  let started = Date.now();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(signal === 'SIGINT' ? 130 : 143);
    interrupted = signal;
    stopped = true;
    ordered?.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let ordered: Ordered | undefined;
  try {
    browser = await launchWithExtension({
      browserPath: opts.browser,
      headless: true,
      args: opts.browserArg,
      httpsUpgrades: opts.httpsUpgrades,
    });
    pool = await VisitPool.open(browser, s.concurrency, { timeoutMs: s.timeoutMs, settleMs: s.settleMs });
    sink = await openSink({
      format: s.format,
      out: opts.out,
      append,
      withFile: files.length > 1,
      around: progress && io.stdout.isTTY ? (write) => progress.around(write) : undefined,
      notes: io.stderr,
      stdout: io.stdout,
    });

    const rows = new Ordered(sink, Math.max(256, s.concurrency * 64), (row) => {
      summary.add(row);
      progress?.update(summary.count, summary.failures);
    });
    ordered = rows;
    // The rate counts from the first visit: launching Chromium is not checking.
    started = Date.now();
    progress?.start();
    const work = workItems(files, s, resume, counts, () => stopped);
    let failure: unknown;
    const worker = async () => {
      for (;;) {
        const next = await work.next();
        if (next.done || stopped) return;
        const { seq, item, file } = next.value;
        await rows.room(seq);
        const t = performance.now();
        let row: CheckRow;
        if (isInvalid(item)) row = invalidRow(item);
        else {
          try {
            const result = await (pool as VisitPool).check(item.source);
            row = checkRow(item, result.outcome, s.verdict);
          } catch (error) {
            if (stopped) return;
            failure ??= error;
            stopped = true;
            rows.abort();
            return;
          }
        }
        if (file !== undefined) row.file = file;
        if (stopped && interrupted) return;
        rows.put(seq, row, performance.now() - t);
      }
    };
    await Promise.all(Array.from({ length: s.concurrency }, worker));
    if (!failure && !interrupted) {
      await rows.flushed();
      await io.onDone?.(browser);
    }
    if (failure) {
      throw new UserError(
        `the browser stopped working (${printable(String((failure as Error)?.message ?? failure).split('\n')[0] ?? '')}); rows so far are written, --resume continues.`,
        1,
      );
    }
  } finally {
    progress?.stop();
    await ordered?.flushed();
    const seconds = (Date.now() - started) / 1000;
    await sink?.finish(
      summary.summary({
        resumed: counts.resumed,
        otherShards: counts.otherShards,
        rechecked: pool?.rechecks ?? 0,
        seconds,
        failOn: s.verdict.failOn,
        ...(opts.shard ? { shard: `${s.shard?.index}/${s.shard?.count}` } : {}),
      }),
    );
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await pool?.close().catch(() => undefined);
    await browser?.close();
  }
  if (interrupted) {
    io.stderr.write(
      `hopscope check: interrupted: ${summary.count} rows written${opts.out ? ` to ${opts.out}; continue with --resume ${opts.out} --out ${opts.out}` : ''}.\n`,
    );
    return interrupted === 'SIGINT' ? 130 : 143;
  }
  return summary.failures ? 1 : 0;
}
