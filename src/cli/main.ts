/**
 * `hopscope trace <url...>` and `hopscope demo`: the extension's recorder, driven from a
 * terminal. Every error a user can meet ends in one line on stderr and a non-zero exit.
 */
import { Command, CommanderError, Option } from 'commander';
import { HOPSCOPE_VERSION } from '../core/har/export.ts';
import { plural } from '../core/present/plural.ts';
import { printable } from '../core/present/text.ts';
import { formatChainTable } from '../core/present/text-table.ts';
import { launchWithExtension, UserError } from './browser.ts';
import { writeHar } from './output.ts';
import { parseTargetUrl, problemLine, type TraceTarget, traceTargets } from './trace.ts';

interface TraceOptions {
  method: string;
  data?: string;
  har?: string;
  json?: boolean;
  browser?: string;
  browserArg: string[];
  headful?: boolean;
  includeSensitive?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export async function runTrace(urls: string[], opts: TraceOptions, out = process.stdout): Promise<number> {
  const method = opts.method.toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw new UserError(`'${opts.method}' is not an HTTP method.`);
  if (opts.data !== undefined && method === 'GET') {
    throw new UserError('--data needs --method POST (or another method with a body).');
  }
  const targets: TraceTarget[] = urls.map((u) => ({ url: parseTargetUrl(u), method, data: opts.data }));
  const browser = await launchWithExtension({
    browserPath: opts.browser,
    headless: !opts.headful,
    args: opts.browserArg,
  });
  try {
    const results = await traceTargets(browser, targets);
    const chains = results.flatMap((r) => r.chains);
    let failed = 0;
    if (opts.json) {
      out.write(`${JSON.stringify(chains, null, 2)}\n`);
    }
    for (const result of results) {
      if (!opts.json) {
        for (const chain of result.chains) out.write(`${formatChainTable(chain)}\n\n`);
      }
      const problem = problemLine(result);
      if (problem) {
        failed++;
        process.stderr.write(`hopscope: ${printable(problem)}\n`);
      }
    }
    if (opts.har) {
      await writeHar(opts.har, chains, opts.includeSensitive);
      process.stderr.write(`hopscope: wrote ${plural(chains.length, 'chain')} to ${opts.har}\n`);
    }
    return failed ? 1 : 0;
  } finally {
    await browser.close();
  }
}

export function buildProgram(): Command {
  const program = new Command('hopscope')
    .description('Record redirect chains in Chromium with the Hopscope extension and explain every hop.')
    .version(HOPSCOPE_VERSION)
    .showHelpAfterError('(run hopscope --help for usage)');
  program
    .command('trace')
    .description('Visit URLs in one fresh Chromium profile and print each redirect chain the extension recorded.')
    .argument('<url...>', 'URLs to visit, in order (the same URL twice shows what the cache does)')
    .option('--method <method>', 'HTTP method; anything but GET is sent as a real form submission', 'GET')
    .option('--data <body>', "form body for --method POST, e.g. 'a=1&b=2'")
    .option('--har <file>', 'write the HAR of all traced chains to this file')
    .option('--json', 'print the chains as JSON instead of tables')
    .option('--include-sensitive', 'keep cookies, credentials and secret URL parameters in the HAR')
    .addOption(new Option('--browser <path>', 'Chromium or Chrome for Testing to run').env('CHROME_PATH'))
    .option(
      '--browser-arg <arg>',
      'pass a flag to Chromium (repeatable), e.g. --browser-arg=--host-resolver-rules=...',
      collect,
      [],
    )
    .option('--headful', 'show the browser window')
    .action(async (urls: string[], opts: TraceOptions) => {
      program.setOptionValue('exitCode', await runTrace(urls, opts));
    });
  program
    .command('demo')
    .description('Run the bundled redirect scenarios: in a browser window with a display, traced headless without one.')
    .option('--headless', 'trace headless even when a display is available')
    .option('--har <file>', 'where the demo HAR goes', 'hopscope-demo.har')
    .addOption(new Option('--browser <path>', 'Chromium or Chrome for Testing to run').env('CHROME_PATH'))
    .action(async (opts: { headless?: boolean; har: string; browser?: string }) => {
      const { runDemo } = await import('./demo.ts');
      program.setOptionValue('exitCode', await runDemo(opts));
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
    return (program.getOptionValue('exitCode') as number | undefined) ?? 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof UserError) {
      process.stderr.write(`hopscope: ${printable(error.message)}\n`);
      return error.exitCode;
    }
    process.stderr.write(`hopscope: unexpected error: ${printable(String((error as Error)?.stack ?? error))}\n`);
    return 1;
  }
}
