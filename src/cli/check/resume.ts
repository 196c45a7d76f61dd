/**
 * `--resume FILE`: the sources an earlier run already wrote (JSON Lines or CSV output of
 * `hopscope check`), so this run checks only the rest. An interrupted run may have left half a
 * line at the end: it is ignored, and when the output is continued in the same file it is cut
 * off first, with the earlier run's summary line, so the file reads as one run.
 */
import { createReadStream } from 'node:fs';
import { truncate } from 'node:fs/promises';
import { parse as parseCsvLine } from 'csv-parse/sync';
import { sourceKey } from '../../core/check/shard.ts';
import { UserError } from '../browser.ts';

export interface ResumeState {
  /** sourceKey() of every source found. */
  keys: Set<number>;
  format: 'json' | 'csv';
  /** Rows found. */
  rows: number;
  /** Bytes up to the end of the last complete row (the header included). */
  keep: number;
}

/** Complete lines of a file with the byte offset where each ends (after its newline). */
async function* linesWithOffsets(path: string): AsyncGenerator<{ text: string; end: number }> {
  let pending: Buffer = Buffer.alloc(0);
  let offset = 0;
  for await (const chunk of createReadStream(path)) {
    pending = pending.length ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let nl = pending.indexOf(10, start); nl >= 0; nl = pending.indexOf(10, start)) {
      offset += nl + 1 - start;
      yield { text: pending.subarray(start, nl).toString('utf8').replace(/\r$/, ''), end: offset };
      start = nl + 1;
    }
    pending = pending.subarray(start);
  }
  // A last line without a newline is what an interrupted write leaves: not complete.
}

/** Reads an earlier output; undefined when the file does not exist. */
export async function readResume(path: string): Promise<ResumeState | undefined> {
  const state: ResumeState = { keys: new Set(), format: 'json', rows: 0, keep: 0 };
  let sourceColumn: number | undefined;
  let first = true;
  try {
    for await (const { text, end } of linesWithOffsets(path)) {
      const t = text.trim();
      if (!t) continue;
      if (first) {
        first = false;
        if (!t.startsWith('{')) {
          state.format = 'csv';
          const header = (parseCsvLine(t) as string[][])[0] ?? [];
          sourceColumn = header.findIndex((c) => c.trim().toLowerCase() === 'source');
          if (sourceColumn < 0) {
            throw new UserError(
              `--resume ${path}: not an output of hopscope check in JSON Lines or CSV (no 'source' column).`,
            );
          }
          state.keep = end;
          continue;
        }
      }
      let source: unknown;
      try {
        if (state.format === 'json') {
          const value = JSON.parse(t) as { source?: unknown; summary?: unknown };
          if (value.summary !== undefined) continue;
          source = value.source;
        } else {
          source = ((parseCsvLine(t, { relax_column_count: true }) as string[][])[0] ?? [])[sourceColumn ?? 0];
        }
      } catch {
        continue;
      }
      if (typeof source !== 'string') continue;
      state.keys.add(sourceKey(source));
      state.rows++;
      state.keep = end;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (error instanceof UserError) throw error;
    throw new UserError(`--resume ${path}: ${(error as Error).message}`);
  }
  return state;
}

/** Cuts an output to its complete rows before this run appends to it. */
export async function trimForAppend(path: string, state: ResumeState): Promise<void> {
  await truncate(path, state.keep);
}
