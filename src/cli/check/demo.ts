/**
 * The `hopscope check` part of `npm start`: a small migration list (demo-list.csv) checked
 * against the demo's scenario server, so a newcomer sees the command's output without writing
 * a list: a few passes and each kind of failure, on purpose.
 *
 * The list names the server as `{origin}` and a port nothing listens on as `{refused}`; they
 * are filled in for the running server.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { browserArgsFor, type ScenarioServer } from '../../scenarios/index.ts';
import { REPO_ROOT } from '../browser.ts';
import { runCheck } from './command.ts';

/** The list in the repository (the compiled command in dist-cli/ reads it there too). */
export const DEMO_LIST = join(REPO_ROOT, 'src/cli/check/demo-list.csv');

/** The bundled list with the server's origin and a refused port filled in. */
export async function demoList(server: Pick<ScenarioServer, 'origin' | 'refusedPort'>): Promise<string> {
  const template = await readFile(DEMO_LIST, 'utf8');
  return template
    .replaceAll('{origin}', server.origin())
    .replaceAll('{refused}', `http://127.0.0.1:${server.refusedPort}`);
}

export interface CheckDemoOptions {
  /** Chromium to run (the demo's --browser). */
  browser?: string;
  out?: Writable;
  err?: Writable;
}

/**
 * Checks the bundled migration list against the running demo server and prints the table.
 * Returns `hopscope check`'s exit code: 1, since the list fails on purpose.
 */
export async function checkDemo(server: ScenarioServer, opts: CheckDemoOptions = {}): Promise<number> {
  const out = opts.out ?? process.stdout;
  const dir = await mkdtemp(join(tmpdir(), 'hopscope-check-demo-'));
  const list = join(dir, 'migration.csv');
  try {
    await writeFile(list, await demoList(server));
    out.write(
      '━━ hopscope check: a migration list ━━\n' +
        'Each line names an old URL and where it must land (optionally its status and the most hops);\n' +
        'every URL is visited in Chromium with the extension, several tabs at once. Most lines fail on purpose,\n' +
        `one of each kind (the list: ${DEMO_LIST}):\n\n`,
    );
    return await runCheck(
      [list],
      {
        // The scenario routes take their target as ?to=, which every redirect drops on purpose.
        rule: ['lost-query-param=off'],
        browser: opts.browser,
        browserArg: browserArgsFor(server),
        httpsUpgrades: true,
        concurrency: '4',
      },
      { stdout: out, stderr: opts.err ?? process.stderr },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
