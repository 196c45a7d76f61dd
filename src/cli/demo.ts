/**
 * `npm start`: the bundled redirect scenarios. With a display, Chromium opens with the
 * extension and a page linking every scenario; without one, every scenario is traced headless,
 * its table printed, and all chains written to one HAR.
 */
import { plural } from '../core/present/plural.ts';
import { printable } from '../core/present/text.ts';
import { formatChainTable } from '../core/present/text-table.ts';
import { browserArgsFor, SCENARIOS, startScenarioServer } from '../scenarios/index.ts';
import { launchWithExtension } from './browser.ts';
import { checkDemo } from './check/demo.ts';
import { writeHar } from './output.ts';
import { problemLine, traceTargets } from './trace.ts';

export interface DemoOptions {
  headless?: boolean;
  har: string;
  browser?: string;
}

export async function runDemo(opts: DemoOptions, out = process.stdout): Promise<number> {
  const server = await startScenarioServer();
  const headless = opts.headless || !process.env.DISPLAY;
  try {
    const browser = await launchWithExtension({ browserPath: opts.browser, headless, args: browserArgsFor(server) });
    try {
      if (!headless) {
        const page = await browser.context.newPage();
        await page.goto(`${server.origin()}/`);
        out.write(
          `Hopscope demo: Chromium is open with the extension and the scenario page ${server.origin()}/.\n` +
            'Open DevTools (F12) and its Redirects panel, then click the scenarios. Close the browser to stop.\n\n',
        );
        const closed = new Promise<void>((resolve) => browser.context.once('close', () => resolve()));
        // Meanwhile, in the terminal: hopscope check on the bundled migration list (headless).
        await checkDemo(server, { browser: opts.browser, out });
        await closed;
        return 0;
      }
      const upgrades = browser.httpsUpgrades ? 'HTTPS-Upgrades on, as users run it' : 'HTTPS-Upgrades off';
      out.write(
        `Hopscope demo: tracing ${plural(SCENARIOS.length, 'scenario')} headless (no display found) in ${browser.browser.name} ${browser.browser.version} (${upgrades}).\n\n`,
      );
      const allChains = [];
      for (const scenario of SCENARIOS) {
        const targets = scenario.urls(server).map((url) => ({ url, method: scenario.method, data: scenario.data }));
        const results = await traceTargets(browser, targets);
        out.write(`━━ ${scenario.title} ━━\n${scenario.explains}\n\n`);
        for (const result of results) {
          for (const chain of result.chains) {
            allChains.push(chain);
            out.write(`${formatChainTable(chain)}\n\n`);
          }
          const problem = problemLine(result);
          // Loops and failures are what some scenarios show; say so, but the demo itself succeeded.
          if (problem) out.write(`  (${printable(problem)})\n\n`);
        }
      }
      await writeHar(opts.har, allChains, { browser: browser.browser, httpsUpgrades: browser.httpsUpgrades });
      out.write(
        `Wrote ${plural(allChains.length, 'chain')} to ${opts.har}. Load dist/ unpacked to see them in the DevTools panel.\n\n`,
      );
      // hopscope check on a small migration list; its rows fail on purpose, the demo does not.
      await checkDemo(server, { browser: opts.browser, out });
      return 0;
    } finally {
      await browser.close();
    }
  } finally {
    await server.close();
  }
}
