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
// Types only: playwright-core takes ~0.3 s to load, and only commands that start a browser need it.
import type { BrowserContext, Page, Worker } from 'playwright-core';
import type { Chain } from '../core/model/chain.ts';
import type { WorkerApi } from '../shared/worker-api.ts';
import { playwrightTab, type VisitTab } from './tabs.ts';

/** The package's root: the folder above this file with package.json (src/cli/ or dist-cli/). */
export const REPO_ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)));

function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return resolve(from, '../..');
  }
}
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

const versions = new Map<string, Promise<string>>();

/** `PATH --version`, run once per path in a process (the answer is asked for before and during a launch). */
export function browserVersion(path: string): Promise<string> {
  let version = versions.get(path);
  if (!version) {
    version = promisify(execFile)(path, ['--version'], { timeout: 15_000 }).then(
      ({ stdout }) => stdout.trim(),
      (error) => {
        throw new UserError(`could not run ${path} --version: ${(error as Error).message.split('\n')[0]}`);
      },
    );
    versions.set(path, version);
  }
  return version;
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
 * Playwright's own `--disable-features` list (playwright-core 1.65, `disabledFeatures` in
 * lib/coreBundle.js; a unit test compares the two). Chromium keeps only the LAST
 * `--disable-features` switch, so launchWithExtension always appends one merged switch: this
 * list, the caller's features, and, unless the caller asked for `httpsUpgrades: false`, without
 * the two entries that switch off Chrome's own upgrade of http:// navigations to https
 * (`HTTPS_UPGRADE_FEATURES`): users run Chrome with it on, so Hopscope does too by default.
 */
export const PLAYWRIGHT_DISABLED_FEATURES: readonly string[] = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];

/** The features that make Chrome upgrade http:// navigations itself (on in Chrome by default). */
export const HTTPS_UPGRADE_FEATURES: readonly string[] = ['HttpsUpgrades', 'HttpsFirstBalancedModeAutoEnable'];

export interface BrowserArgsOptions {
  /** Chrome's HTTPS-Upgrades as users have it (default true); false: http:// stays http://. */
  httpsUpgrades?: boolean;
}

/**
 * The Chromium switches Hopscope adds to Playwright's defaults: the extension, headless mode,
 * `BASE_ARGS`, the caller's switches, and last one `--disable-features` switch (see
 * `PLAYWRIGHT_DISABLED_FEATURES`) that merges Playwright's list with the caller's.
 */
export function mergeBrowserArgs(
  extensionPath: string,
  headless: boolean,
  extra: readonly string[],
  { httpsUpgrades = true }: BrowserArgsOptions = {},
): string[] {
  const features: string[] = [];
  const rest: string[] = [];
  for (const arg of extra) {
    if (arg.startsWith('--disable-features=')) features.push(...arg.slice('--disable-features='.length).split(','));
    else rest.push(arg);
  }
  const playwright = httpsUpgrades
    ? PLAYWRIGHT_DISABLED_FEATURES.filter((f) => !HTTPS_UPGRADE_FEATURES.includes(f))
    : PLAYWRIGHT_DISABLED_FEATURES;
  return [
    `--disable-extensions-except=${extensionPath}`,
    `--load-extension=${extensionPath}`,
    ...(headless ? ['--headless=new'] : []),
    ...BASE_ARGS,
    ...rest,
    `--disable-features=${[...new Set([...playwright, ...features.map((f) => f.trim()).filter(Boolean)])].join(',')}`,
  ];
}

/** `Chromium 156.0.8078.114 built on Debian…` → { name: 'Chromium', version: '156.0.8078.114' }. */
export function parseBrowserVersion(versionOutput: string): { name: string; version: string } | undefined {
  const m = /^\s*(.*?)\s+v?(\d+(?:\.\d+)+)/.exec(versionOutput);
  if (!m?.[1] || !m[2]) return undefined;
  return { name: m[1], version: m[2] };
}

export interface LaunchOptions {
  browserPath?: string;
  extensionPath?: string;
  headless?: boolean;
  args?: readonly string[];
  /**
   * Chrome's own upgrade of http:// navigations to https (HTTPS-Upgrades), on in every Chrome
   * since 115 and on by default here; false launches the browser with it off, as Playwright does.
   */
  httpsUpgrades?: boolean;
}

/** A browser running the built extension, as `hopscope trace` uses it: Chromium or Firefox. */
export interface RecordingBrowser {
  kind: 'chromium' | 'firefox';
  /** Chromium: the extension id; Firefox: the moz-extension UUID of this launch. */
  extensionId: string;
  browserPath: string;
  /** The browser that runs, as HAR's `log.browser` names it, e.g. { name: 'Chromium', version: '156.0.8078.114' }. */
  browser: { name: string; version: string };
  /** Chrome's HTTPS-Upgrades on or off; undefined for Firefox, which has no such switch here. */
  httpsUpgrades?: boolean;
  /** The browser's user data directory (a fresh one per launch, removed by close()). */
  profile: string;
  /** The chains the extension recorded, read from its own store. */
  chains(): Promise<Chain[]>;
  /** The worker's counters (chains, bytes, evicted, writes, pending). */
  stats(): ReturnType<WorkerApi['stats']>;
  /** A new tab for one visit. */
  newTab(): Promise<VisitTab>;
  close(): Promise<void>;
}

export interface ExtensionBrowser extends RecordingBrowser {
  kind: 'chromium';
  context: BrowserContext;
  /**
   * Whether the browser upgrades http:// navigations itself: LaunchOptions.httpsUpgrades, unless
   * the caller's own arguments disable the feature.
   */
  httpsUpgrades: boolean;
  /** The extension's service worker, started again if it was stopped. */
  worker(): Promise<Worker>;
  /** Runs a function in the service worker, waking it first when it was stopped. */
  evaluate<T, A = undefined>(fn: (arg: A) => Promise<T>, arg?: A): Promise<T>;
  close(): Promise<void>;
}

export async function launchWithExtension(options: LaunchOptions = {}): Promise<ExtensionBrowser> {
  const browserPath = resolveBrowserPath(options.browserPath);
  // `--version` runs while the browser starts (it is a whole second process start); its
  // verdict is awaited before anything is done in the browser.
  const version = browserVersion(browserPath).then(
    (output) => ({ output, problem: brandedChromeProblem(output) }),
    (error: unknown) => ({ error }),
  );
  const extensionPath = requireBuild(options.extensionPath);
  const headless = options.headless ?? true;
  const args = mergeBrowserArgs(extensionPath, headless, options.args ?? [], {
    httpsUpgrades: options.httpsUpgrades ?? true,
  });
  // What the browser will do: a caller's own --disable-features=HttpsUpgrades switches it off too.
  const httpsUpgrades = !(args.at(-1) ?? '').slice('--disable-features='.length).split(',').includes('HttpsUpgrades');
  const profile = await mkdtemp(join(tmpdir(), 'hopscope-profile-'));
  const { chromium } = await import('playwright-core');
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: browserPath,
      headless: false, // --headless=new below: the old headless mode loads no extensions
      // Playwright's own --disable-features switch stays (ignoreDefaultArgs would also drop an
      // identical switch of ours); the one mergeBrowserArgs appends comes last, so it wins.
      ignoreDefaultArgs: ['--disable-extensions'],
      args,
      viewport: headless ? { width: 1280, height: 800 } : null,
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    const checked = await version;
    if ('error' in checked) throw checked.error;
    if (checked.problem) throw new UserError(checked.problem);
    throw new UserError(`${browserPath} did not start: ${(error as Error).message.split('\n')[0]}`);
  }
  const close = async () => {
    await context.close().catch(() => undefined);
    await rm(profile, { recursive: true, force: true }).catch(() => undefined);
  };
  const checked = await version;
  if ('error' in checked || checked.problem) {
    await close();
    if ('error' in checked) throw checked.error;
    throw new UserError(checked.problem as string);
  }
  const versionOutput = checked.output;
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
  let initial: Page | undefined = context.pages()[0];
  const parsed = parseBrowserVersion(versionOutput);
  const browser = {
    name: parsed?.name ?? 'Chromium',
    version: context.browser()?.version() || parsed?.version || '',
  };
  return {
    kind: 'chromium',
    context,
    extensionId,
    browserPath,
    browser,
    httpsUpgrades,
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
    newTab: async () => {
      // The first tab is the one the browser opened with (about:blank, not recorded): a new
      // page costs a round trip to the browser (~100 ms of `hopscope trace`'s start).
      const page =
        initial && !initial.isClosed() && initial.url() === 'about:blank' ? initial : await context.newPage();
      initial = undefined;
      return playwrightTab(page);
    },
    close,
  };
}
