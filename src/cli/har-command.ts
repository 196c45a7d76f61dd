/**
 * `hopscope har FILE...`: the chains of any HAR file (Chrome DevTools, Firefox, Charles, Fiddler,
 * mitmproxy, Playwright, Hopscope, …), read by the panel's own import and printed as
 * `hopscope trace` prints what it recorded: the same tables, the same `--json`, `--har OUT` to
 * write them again as a Hopscope HAR, the same exit codes. A file that cannot be read is one
 * line on stderr and exit 2.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { AnalyzedChain } from '../core/analyze/index.ts';
import { HarImportError, importHar } from '../core/har/import/index.ts';
import { plural } from '../core/present/plural.ts';
import { printable } from '../core/present/text.ts';
import { UserError } from './browser.ts';
import { writeHar } from './output.ts';
import {
  chainReport,
  type FindingOptions,
  failingChains,
  findingSettings,
  withFindingOptions,
  withFindings,
} from './report.ts';

export interface HarOptions extends FindingOptions {
  json?: boolean;
  har?: string;
  includeSensitive?: boolean;
}

export interface HarIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const defaultIo = (): HarIo => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

async function readInput(file: string, io: HarIo): Promise<string> {
  if (file === '-') return readStdin(io.stdin);
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new HarImportError(`cannot read ${file}: there is no such file.`);
    if (code === 'EISDIR') throw new HarImportError(`cannot read ${file}: it is a folder; give a HAR file.`);
    throw new HarImportError(`cannot read ${file} (${code ?? error}).`);
  }
}

/** The chains of each file, printed; resolves to the exit code (2 when a file could not be read). */
export async function runHar(files: string[], opts: HarOptions, io: HarIo = defaultIo()): Promise<number> {
  if (files.filter((f) => f === '-').length > 1) throw new UserError("'-' (standard input) can be given once.");
  const settings = await findingSettings(opts);
  const all: AnalyzedChain[] = [];
  let broken = 0;
  for (const file of files) {
    const source = file === '-' ? 'standard input' : file;
    let chains: AnalyzedChain[];
    try {
      const result = importHar(await readInput(file, io), { source });
      chains = withFindings(result.chains, settings);
      for (const warning of result.warnings) io.stderr.write(`hopscope: ${printable(source)}: ${printable(warning)}\n`);
    } catch (error) {
      if (!(error instanceof HarImportError)) throw error;
      broken++;
      io.stderr.write(`hopscope: ${printable(error.message)}\n`);
      continue;
    }
    all.push(...chains);
    if (opts.json) continue;
    if (files.length > 1) io.stdout.write(`==> ${printable(source)} <==\n\n`);
    for (const chain of chains) io.stdout.write(chainReport(chain));
  }
  if (opts.json) io.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
  if (opts.har) {
    await writeHar(opts.har, all, { includeSensitive: opts.includeSensitive, rules: settings.rules });
    io.stderr.write(`hopscope: wrote ${plural(all.length, 'chain')} to ${printable(opts.har)}\n`);
  }
  if (broken) return 2;
  const failing = failingChains(all, settings.failOn);
  if (failing) {
    io.stderr.write(`hopscope: ${plural(failing, 'chain')} with a finding at --fail-on ${settings.failOn} or worse.\n`);
  }
  return failing ? 1 : 0;
}

/** Adds `hopscope har` to the program (main.ts). */
export function registerHar(program: Command): Command {
  const command = program
    .command('har')
    .description(
      'Print the redirect chains of HAR files from any tool (DevTools, Firefox, Charles, Fiddler, mitmproxy, Playwright, Hopscope) as hopscope trace does.',
    )
    .argument('<file...>', "HAR files ('-' reads standard input)")
    .option('--json', 'print the chains as JSON instead of tables')
    .option('--har <file>', 'write the chains again as a Hopscope HAR (sanitized)')
    .option('--include-sensitive', 'keep cookies, credentials and secret URL parameters in the --har file');
  return withFindingOptions(command).action(async (files: string[], opts: HarOptions) => {
    program.setOptionValue('exitCode', await runHar(files, opts));
  });
}
