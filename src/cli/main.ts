/**
 * `hopscope trace <url...>` and `hopscope demo`: the extension's recorder, driven from a
 * terminal. Every error a user can meet ends in one line on stderr and a non-zero exit.
 */
import { Command, CommanderError, Option } from 'commander';
import { HOPSCOPE_VERSION } from '../core/har/export.ts';
import { plural } from '../core/present/plural.ts';
import { printable } from '../core/present/text.ts';
import { UserError } from './browser.ts';
import { registerCheck } from './check/register.ts';
import { registerHar } from './har-command.ts';
import { launchForTrace } from './launch.ts';
import { writeHar } from './output.ts';
import { chainReport, failingChains, findingSettings, withFindingOptions, withFindings } from './report.ts';
import { registerSanitize } from './sanitize.ts';
import {
  DEFAULT_SETTLE_MS,
  DEFAULT_TIMEOUT_MS,
  EXIT,
  exitCodeOf,
  noteLine,
  parseTargetUrl,
  problemLine,
  type TraceTarget,
  traceTargets,
} from './trace.ts';

interface TraceOptions {
  method: string;
  data?: string;
  har?: string;
  json?: boolean;
  browser?: string;
  firefox?: boolean;
  firefoxPref: string[];
  trustCert: string[];
  browserArg: string[];
  headful?: boolean;
  includeSensitive?: boolean;
  /** ms, as typed; runTrace checks it. */
  settle?: string;
  timeout?: string;
  /** false with --no-https-upgrades. */
  httpsUpgrades: boolean;
  rule?: string[];
  failOn?: string;
  config?: string;
  compare?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** A whole number of milliseconds from an option, or a one-line usage error. */
export function parseMs(value: string | number, option: string, min: number): number {
  const text = String(value).trim();
  const ms = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < min) {
    throw new UserError(
      `${option} takes a whole number of milliseconds${min > 0 ? ` above 0` : ''}, e.g. ${option} ${option === '--settle' ? DEFAULT_SETTLE_MS : DEFAULT_TIMEOUT_MS}; got '${text}'.`,
    );
  }
  return ms;
}

export async function runTrace(urls: string[], opts: TraceOptions, out = process.stdout): Promise<number> {
  const method = opts.method.toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw new UserError(`'${opts.method}' is not an HTTP method.`);
  if (opts.data !== undefined && method === 'GET') {
    throw new UserError('--data needs --method POST (or another method with a body).');
  }
  const settleMs = parseMs(opts.settle ?? DEFAULT_SETTLE_MS, '--settle', 0);
  const timeoutMs = parseMs(opts.timeout ?? DEFAULT_TIMEOUT_MS, '--timeout', 1);
  const targets: TraceTarget[] = urls.map((u) => ({ url: parseTargetUrl(u), method, data: opts.data }));
  const settings = await findingSettings(opts);
  if (opts.compare) {
    if (opts.har) {
      throw new UserError(
        '--compare writes no HAR: trace each browser on its own for that (hopscope trace --har A.har URL, then --firefox --har B.har URL).',
      );
    }
    const { runCompare } = await import('./compare.ts');
    return runCompare(
      targets,
      {
        launch: {
          browserPath: opts.browser,
          headless: !opts.headful,
          args: opts.browserArg,
          httpsUpgrades: opts.httpsUpgrades !== false,
          firefoxPrefs: opts.firefoxPref,
          trustCertificates: opts.trustCert,
          firefox: opts.firefox,
        },
        settleMs,
        timeoutMs,
        settings,
        json: opts.json,
      },
      out,
    );
  }
  const browser = await launchForTrace({
    browserPath: opts.browser,
    firefox: opts.firefox,
    headless: !opts.headful,
    args: opts.browserArg,
    httpsUpgrades: opts.httpsUpgrades !== false,
    firefoxPrefs: opts.firefoxPref,
    trustCertificates: opts.trustCert,
  });
  try {
    const results = await traceTargets(browser, targets, { settleMs, timeoutMs });
    // Each visit's chains with their findings, once: printed, counted, written.
    const visits = results.map((result) => ({ result, chains: withFindings(result.chains, settings) }));
    const chains = visits.flatMap((v) => v.chains);
    let exitCode: number = EXIT.ok;
    if (opts.json) {
      out.write(`${JSON.stringify(chains, null, 2)}\n`);
    }
    /** Failing chains of visits that had no line of their own on stderr (a failed chain, a timeout). */
    let unsaid = 0;
    for (const { result, chains: visited } of visits) {
      if (!opts.json) for (const chain of visited) out.write(chainReport(chain));
      const problem = problemLine(result);
      const line = problem ?? noteLine(result);
      if (line) process.stderr.write(`hopscope: ${printable(line)}\n`);
      if (!problem) unsaid += failingChains(visited, settings.failOn);
      // 3 when a visit gave up at --timeout; whether a chain fails is up to its findings and --fail-on.
      if (exitCodeOf(result) === EXIT.timeout) exitCode = EXIT.timeout;
    }
    const failing = failingChains(chains, settings.failOn);
    if (unsaid) {
      process.stderr.write(
        `hopscope: ${plural(unsaid, 'chain')} with a finding at --fail-on ${settings.failOn} or worse (see above).\n`,
      );
    }
    if (failing) exitCode = Math.max(exitCode, EXIT.chainError);
    if (opts.har) {
      await writeHar(opts.har, chains, {
        includeSensitive: opts.includeSensitive,
        browser: browser.browser,
        httpsUpgrades: browser.httpsUpgrades,
        rules: settings.rules,
      });
      process.stderr.write(`hopscope: wrote ${plural(chains.length, 'chain')} to ${opts.har}\n`);
    }
    return exitCode;
  } finally {
    await browser.close();
  }
}

export function buildProgram(): Command {
  const program = new Command('hopscope')
    .description('Record redirect chains in Chromium or Firefox with the Hopscope extension and explain every hop.')
    .version(HOPSCOPE_VERSION)
    .showHelpAfterError('(run hopscope --help for usage)');
  const trace = program
    .command('trace')
    .description(
      'Visit URLs in one fresh browser profile (Chromium, or Firefox with --firefox) and print each redirect chain the extension recorded.',
    )
    .argument('<url...>', 'URLs to visit, in order (the same URL twice shows what the cache does)')
    .option('--method <method>', 'HTTP method; anything but GET is sent as a real form submission', 'GET')
    .option('--data <body>', "form body for --method POST, e.g. 'a=1&b=2'")
    .option('--har <file>', 'write the HAR of all traced chains to this file')
    .option('--json', 'print the chains as JSON instead of tables')
    .option('--include-sensitive', 'keep cookies, credentials and secret URL parameters in the HAR')
    .addOption(
      new Option('--browser <path>', 'the browser to run: Chromium, Chrome for Testing or Firefox').env('CHROME_PATH'),
    )
    .option('--firefox', 'trace in Firefox (--browser PATH, FIREFOX_PATH, or /usr/bin/firefox-esr)')
    .option(
      '--compare',
      'trace in Chromium and in Firefox and show each visit side by side with the differences (--browser names the Chromium; Firefox from FIREFOX_PATH or /usr/bin/firefox-esr)',
    )
    .option(
      '--browser-arg <arg>',
      'pass a flag to the browser (repeatable), e.g. --browser-arg=--host-resolver-rules=...',
      collect,
      [],
    )
    .option(
      '--firefox-pref <name=value>',
      'set a Firefox preference in the fresh profile (repeatable), e.g. --firefox-pref network.dns.forceResolve=127.0.0.1',
      collect,
      [],
    )
    .option(
      '--trust-cert <file>',
      "trust this PEM certificate in the launched profile only (repeatable), e.g. a test server's",
      collect,
      [],
    )
    .option('--headful', 'show the browser window')
    .option(
      '--settle <ms>',
      `after a page loaded, how long it must stay put before its trace ends, in ms (default ${DEFAULT_SETTLE_MS}); a page may move on by itself (meta refresh, Refresh header, JavaScript), and the window starts again whenever it does`,
    )
    .option(
      '--timeout <ms>',
      `the most one URL may take, in ms (default ${DEFAULT_TIMEOUT_MS}); then the trace gives up with one line saying what it was waiting for, and exits with ${EXIT.timeout}`,
    )
    .option(
      '--no-https-upgrades',
      "run the browser without Chrome's HTTPS-Upgrades (on by default, as users have it): trace what the server itself answers over plain http, the chain the browser's own upgrade hides",
    );
  withFindingOptions(trace).action(async (urls: string[], opts: TraceOptions) => {
    // CHROME_PATH names a Chromium: with --firefox, only an explicit --browser counts.
    if (opts.firefox && trace.getOptionValueSource('browser') === 'env') opts.browser = undefined;
    program.setOptionValue('exitCode', await runTrace(urls, opts));
  });
  registerHar(program);
  registerSanitize(program);
  registerCheck(program);
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
