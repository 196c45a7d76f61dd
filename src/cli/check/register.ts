/**
 * `hopscope check` on the command line: its options and defaults. The runner (command.ts) and
 * the libraries it reads and writes lists with load only when the command runs, so that
 * `hopscope trace` does not pay for them at start-up.
 */
import { availableParallelism } from 'node:os';
import { type Command, CommanderError, Option } from 'commander';
import { type FindingOptions, withFindingOptions } from '../report.ts';
import { FORMATS } from './formats.ts';

export const DEFAULT_CHECK_TIMEOUT_MS = 30_000;
/**
 * Shorter than trace's settle window: it applies only to pages with scripts, and a list of
 * thousands pays it on every one. Redirects scripts make on load come well within it.
 */
export const DEFAULT_CHECK_SETTLE_MS = 1_000;

/** Tabs at once: the visits mostly wait on the network, so twice the cores, 2 to 16. */
export function defaultConcurrency(): number {
  return Math.max(2, Math.min(16, availableParallelism() * 2));
}

export interface CheckOptions extends FindingOptions {
  concurrency?: string;
  format?: string;
  out?: string;
  base?: string;
  shard?: string;
  resume?: string;
  browser?: string;
  browserArg: string[];
  /** commander's `--no-https-upgrades`. */
  httpsUpgrades: boolean;
  timeout?: string;
  settle?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Adds `hopscope check` to the program; the action sets the program's `exitCode` option value. */
export function registerCheck(program: Command): Command {
  const check = program
    .command('check')
    .description(
      'Check the redirects of a list of URLs (CSV/TSV, JSON Lines, a plain list, a sitemap.xml) in Chromium with the extension, several tabs at once.',
    )
    .argument('<file...>', 'lists of URLs; - reads standard input')
    .option('--concurrency <n>', `tabs at once (default ${defaultConcurrency()}, from the cores)`)
    .addOption(new Option('--format <format>', 'output format (default: from --out, else table)').choices([...FORMATS]))
    .option('--out <file>', 'write the results to this file instead of standard output')
    .option('--base <url>', 'check another origin: rewrites the origin of every source (and same-origin targets)')
    .option('--shard <i/n>', 'check only the I-th of N stable shares of the list (by a hash of the source)')
    .option('--resume <file>', 'skip the sources already in this earlier output (JSON Lines or CSV)')
    .addOption(new Option('--browser <path>', 'Chromium or Chrome for Testing to run').env('CHROME_PATH'))
    .option('--browser-arg <arg>', 'pass a flag to Chromium (repeatable)', collect, [])
    .option('--no-https-upgrades', "switch off Chrome's own upgrade of http:// navigations to https")
    .option('--timeout <ms>', `the most one URL may take, waits included (default ${DEFAULT_CHECK_TIMEOUT_MS})`)
    .option(
      '--settle <ms>',
      `how long a page with scripts is watched for a redirect of its own (default ${DEFAULT_CHECK_SETTLE_MS})`,
    )
    // A bad option or argument is a usage problem: exit 2 (commander's own code is 1).
    .exitOverride((error) => {
      throw error.exitCode === 0 ? error : new CommanderError(2, error.code, error.message);
    });
  // --fail-on, --rule and --config (hopscope.config.json), as hopscope trace has them; a row fails
  // on a finding at --fail-on or worse.
  return withFindingOptions(check).action(async (files: string[], opts: CheckOptions) => {
    // The runner and its libraries (CSV, XML, the progress line) load only when check runs.
    const { runCheck } = await import('./command.ts');
    program.setOptionValue('exitCode', await runCheck(files, opts));
  });
}
