/**
 * `hopscope trace --compare URL…`: the same visits in Chromium and in Firefox, each in a fresh
 * profile with its own build of the extension, then each visit's two chains side by side with
 * the differences named. The exit code is the worse of the two traces'.
 */
import { formatComparison } from '../core/present/compare.ts';
import { printable } from '../core/present/text.ts';
import { type RecordingBrowser, UserError } from './browser.ts';
import { launchForTrace, type TraceLaunchOptions } from './launch.ts';
import { type FindingSettings, failingChains, withFindings } from './report.ts';
import { EXIT, exitCodeOf, problemLine, type TraceResult, type TraceTarget, traceTargets } from './trace.ts';

export interface CompareOptions {
  launch: TraceLaunchOptions;
  settleMs: number;
  timeoutMs: number;
  settings: FindingSettings;
  json?: boolean;
}

function sideName(b: RecordingBrowser): string {
  return `${b.browser.name} ${b.browser.version}`.trim();
}

export async function runCompare(
  targets: readonly TraceTarget[],
  opts: CompareOptions,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  if (opts.launch.firefox) throw new UserError('--compare runs both browsers: leave out --firefox.');
  const { firefoxPrefs, ...chromiumOptions } = opts.launch;
  // One after the other: two browsers starting at once on a small machine only slow each other.
  const chromium = await launchForTrace({ ...chromiumOptions, firefox: false });
  if (chromium.kind !== 'chromium') {
    await chromium.close();
    throw new UserError(
      '--compare: --browser names a Firefox; give it a Chromium (Firefox comes from FIREFOX_PATH or /usr/bin/firefox-esr).',
    );
  }
  let firefox: RecordingBrowser | undefined;
  try {
    firefox = await launchForTrace({
      headless: opts.launch.headless,
      firefox: true,
      firefoxPrefs,
      trustCertificates: opts.launch.trustCertificates,
    });
    const sides = [chromium, firefox];
    const results: TraceResult[][] = await Promise.all(
      sides.map((b) => traceTargets(b, targets, { settleMs: opts.settleMs, timeoutMs: opts.timeoutMs })),
    );
    const [inChromium = [], inFirefox = []] = results;
    if (opts.json) {
      const json = sides.map((b, i) => ({
        browser: b.browser,
        visits: (results[i] ?? []).map((r) => ({ url: r.target.url, chains: withFindings(r.chains, opts.settings) })),
      }));
      out.write(`${JSON.stringify(json, null, 2)}\n`);
    }
    let exitCode: number = EXIT.ok;
    targets.forEach((target, i) => {
      const a = inChromium[i];
      const b = inFirefox[i];
      if (!a || !b) return;
      const seen = targets.slice(0, i).filter((t) => t.url === target.url).length;
      const title = `${target.method ?? 'GET'} ${target.url}${seen ? ` (visit ${seen + 1})` : ''}`;
      if (!opts.json) {
        out.write(
          `${formatComparison(title, { name: sideName(chromium), chains: a.chains }, { name: sideName(firefox as RecordingBrowser), chains: b.chains })}\n\n`,
        );
      }
      for (const [side, result] of [
        [chromium, a],
        [firefox as RecordingBrowser, b],
      ] as const) {
        const problem = problemLine(result);
        if (problem) process.stderr.write(`hopscope: ${side.browser.name}: ${printable(problem)}\n`);
        exitCode = Math.max(exitCode, exitCodeOf(result));
        if (failingChains(withFindings(result.chains, opts.settings), opts.settings.failOn)) {
          exitCode = Math.max(exitCode, EXIT.chainError);
        }
      }
    });
    return exitCode;
  } finally {
    await Promise.all([chromium.close(), firefox?.close()]);
  }
}
