/**
 * Runs the `hopscope` command as a user does: a separate Node process of the bin
 * (src/cli/hopscope.mjs, which runs the compiled dist-cli/), with its exit code and output.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/cli/browser.ts';

export const HOPSCOPE_BIN = join(REPO_ROOT, 'src/cli/hopscope.mjs');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall time from start to exit, ms. */
  ms: number;
}

export interface CliOptions {
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Kills a hung run (ms); generous: a loaded machine is slow, not stuck. */
  timeout?: number;
}

export function runHopscope(args: readonly string[], opts: CliOptions = {}): Promise<CliRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [HOPSCOPE_BIN, ...args],
      { env: { ...process.env, ...opts.env }, timeout: opts.timeout ?? 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: number }).code ?? 1) : 0;
        resolve({ code, stdout, stderr, ms: Math.round(performance.now() - started) });
      },
    );
  });
}
