/**
 * Finds Chromium and launches it with the built extension loaded, for `hopscope trace`, the
 * demo, the end-to-end tests and the benchmarks. Never downloads a browser.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BrowserContext, chromium, type Worker } from 'playwright-core';
import type { Chain } from '../core/model/chain.ts';
import type { WorkerApi } from '../shared/worker-api.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The unpacked extension: `npm run build` output, or HOPSCOPE_EXTENSION_DIR. */
export const DIST_DIR = process.env.HOPSCOPE_EXTENSION_DIR ?? join(REPO_ROOT, 'dist');
export const DEFAULT_BROWSER = '/usr/bin/chromium';

/** A problem the user can fix; the CLI prints its message as one line and exits non-zero. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export function resolveBrowserPath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const path = explicit ?? env.CHROME_PATH ?? DEFAULT_BROWSER;
  if (!existsSync(path)) {
    const from = explicit ? '--browser' : env.CHROME_PATH ? 'CHROME_PATH' : 'the default location';
    throw new UserError(
      `no browser found at ${path} (from ${from}). Install Chromium (apt-get install chromium) or pass --browser PATH / set CHROME_PATH to Chromium or Chrome for Testing.`,
    );
  }
  return path;
}

/**
 * Google-branded Chrome 137+ ignores --load-extension (a policy of branded builds); Chromium
 * and Chrome for Testing still honour it. Returns a message when the browser is such a build.
 */
export function brandedChromeProblem(versionOutput: string): string | undefined {
  const m = /Google Chrome(?! for Testing)\s+(\d+)/.exec(versionOutput);
  if (m && Number(m[1]) >= 137) {
    return `${versionOutput.trim()} ignores --load-extension, so Hopscope cannot run inside it. Use Chromium (apt-get install chromium) or Chrome for Testing, via --browser PATH or CHROME_PATH.`;
  }
  return undefined;
}

export async function browserVersion(path: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(path, ['--version'], { timeout: 15_000 });
    return stdout.trim();
  } catch (error) {
    throw new UserError(`could not run ${path} --version: ${(error as Error).message.split('\n')[0]}`);
  }
}

export function requireBuild(dist = DIST_DIR): string {
  if (!existsSync(join(dist, 'manifest.json'))) {
    throw new UserError(`no extension build in ${dist}. Run \`npm run build\` first, then try again.`);
  }
  return dist;
}

/** Flags Hopscope always needs; see DESIGN.md "Testing in a real browser". */
const BASE_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Playwright passes its own --disable-features list and Chromium keeps only the last such
 * switch. When the caller disables features too, one merged switch carries both: Playwright's
 * entries that matter here (no HTTPS upgrades of http:// test URLs, no background requests)
 * and the caller's.
 */
const PLAYWRIGHT_DISABLED_FEATURES = [
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'MediaRouter',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
];

export function mergeBrowserArgs(extensionPath: string, headless: boolean, extra: readonly string[]): string[] {
  const features: string[] = [];
  const rest: string[] = [];
  for (const arg of extra) {
    if (arg.startsWith('--disable-features=')) features.push(...arg.slice('--disable-features='.length).split(','));
    else rest.push(arg);
  }
  const args = [
    `--disable-extensions-except=${extensionPath}`,
    `--load-extension=${extensionPath}`,
    ...(headless ? ['--headless=new'] : []),
    ...BASE_ARGS,
    ...rest,
  ];
  if (features.length) {
    args.push(
      `--disable-features=${[...new Set([...PLAYWRIGHT_DISABLED_FEATURES, ...features.filter(Boolean)])].join(',')}`,
    );
  }
  return args;
}

export interface LaunchOptions {
  browserPath?: string;
  extensionPath?: string;
  headless?: boolean;
  args?: readonly string[];
}

export interface ExtensionBrowser {
  context: BrowserContext;
  extensionId: string;
  browserPath: string;
  /** The browser's user data directory (a fresh one per launch, removed by close()). */
  profile: string;
  /** The extension's service worker, started again if it was stopped. */
  worker(): Promise<Worker>;
  /** The chains the extension recorded, read from its own store. */
  chains(): Promise<Chain[]>;
  /** The worker's counters (chains, bytes, evicted, writes, pending). */
  stats(): ReturnType<WorkerApi['stats']>;
  /** Runs a function in the service worker, waking it first when it was stopped. */
  evaluate<T, A = undefined>(fn: (arg: A) => Promise<T>, arg?: A): Promise<T>;
  close(): Promise<void>;
}

export async function launchWithExtension(options: LaunchOptions = {}): Promise<ExtensionBrowser> {
  const browserPath = resolveBrowserPath(options.browserPath);
  const problem = brandedChromeProblem(await browserVersion(browserPath));
  if (problem) throw new UserError(problem);
  const extensionPath = requireBuild(options.extensionPath);
  const headless = options.headless ?? true;
  const profile = await mkdtemp(join(tmpdir(), 'hopscope-profile-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: browserPath,
      headless: false, // --headless=new below: the old headless mode loads no extensions
      ignoreDefaultArgs: ['--disable-extensions'],
      args: mergeBrowserArgs(extensionPath, headless, options.args ?? []),
      viewport: headless ? { width: 1280, height: 800 } : null,
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw new UserError(`${browserPath} did not start: ${(error as Error).message.split('\n')[0]}`);
  }
  const close = async () => {
    await context.close().catch(() => undefined);
    await rm(profile, { recursive: true, force: true }).catch(() => undefined);
  };
  const findWorker = async (timeout: number): Promise<Worker> => {
    const existing = context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://'));
    if (existing) return existing;
    return context.waitForEvent('serviceworker', {
      timeout,
      predicate: (w) => w.url().startsWith('chrome-extension://'),
    });
  };
  let first: Worker;
  try {
    first = await findWorker(10_000);
  } catch {
    await close();
    throw new UserError(
      `${browserPath} started but did not load the extension from ${extensionPath}. Use Chromium or Chrome for Testing; branded Chrome ignores --load-extension.`,
    );
  }
  const extensionId = new URL(first.url()).host;
  // Playwright keeps listing a worker that Chromium has stopped: follow the newest one.
  let latest = first;
  context.on('serviceworker', (w) => {
    if (w.url().startsWith(`chrome-extension://${extensionId}/`)) latest = w;
  });
  /** Starts a stopped worker: the panel page connects to it. */
  const wake = async (): Promise<void> => {
    const started = context
      .waitForEvent('serviceworker', {
        timeout: 10_000,
        predicate: (w) => w.url().startsWith(`chrome-extension://${extensionId}/`),
      })
      .catch(() => undefined);
    const page = await context.newPage();
    try {
      // The popup takes `?tabId=` only as digits: it ignores -1 and follows the active tab of its
      // window, as a rule this page itself, which is never recorded. So it connects (which starts
      // the worker) and asks for one tab with no chains, not for the whole store.
      await page.goto(`chrome-extension://${extensionId}/extension/popup.html?tabId=-1`).catch(() => undefined);
      await started;
    } finally {
      await page.close();
    }
  };
  const worker = async (): Promise<Worker> => latest;
  const evaluate = async <T, A = undefined>(fn: (arg: A) => Promise<T>, arg?: A): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      // A stopped worker never answers: give up on it after a while and wake a new one.
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        return await Promise.race([
          latest.evaluate(fn as never, arg) as Promise<T>,
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('worker did not answer')), 3_000);
          }),
        ]);
      } catch (error) {
        if (attempt >= 5) throw error;
        await wake();
      } finally {
        // A pending timer would keep `hopscope trace` alive seconds after it printed.
        clearTimeout(timer);
      }
    }
  };
  // Pitfall (DESIGN.md): the first navigation is recorded only once the worker has answered.
  await evaluate(async () => {
    await globalThis.hopscope?.ready();
  });
  return {
    context,
    extensionId,
    browserPath,
    profile,
    worker,
    evaluate,
    chains: () =>
      evaluate(async () => {
        if (!globalThis.hopscope) throw new Error('the Hopscope service worker is not ready');
        return globalThis.hopscope.chains();
      }),
    stats: () =>
      evaluate(async () => {
        if (!globalThis.hopscope) throw new Error('the Hopscope service worker is not ready');
        return globalThis.hopscope.stats();
      }),
    close,
  };
}
