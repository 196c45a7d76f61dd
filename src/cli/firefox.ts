/**
 * Finds Firefox and launches it with the Firefox build of the extension (dist-firefox/), for
 * `hopscope trace --firefox`, `--compare` and the Firefox end-to-end tests. Never downloads a
 * browser. Verified on Firefox ESR 153 (DESIGN.md, the Firefox issue):
 * - Playwright cannot load Firefox extensions; puppeteer-core drives Firefox over WebDriver BiDi
 *   and installs the unpacked build as a temporary add-on (`webExtension.install`);
 * - the add-on's moz-extension UUID is random unless the pref `extensions.webextensions.uuids`
 *   fixes it before launch; its pages open only with a raw BiDi `browsingContext.navigate`
 *   (Puppeteer's `page.goto` to them never resolves), and from there `evaluate` can use the
 *   extension's APIs: the chains are read from the background page;
 * - host mapping is one pref (`network.dns.forceResolve`), and a test certificate is trusted by
 *   adding it to the profile's NSS database with certutil (`acceptInsecureCerts` would switch
 *   HSTS off altogether).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'puppeteer-core';
import type { Chain } from '../core/model/chain.ts';
import type { WorkerApi } from '../shared/worker-api.ts';
import { browserVersion, REPO_ROOT, type RecordingBrowser, requireBuild, UserError } from './browser.ts';
import { bounded, puppeteerTab } from './tabs.ts';

/** The Firefox build: `npm run build` output, or HOPSCOPE_FIREFOX_EXTENSION_DIR. */
export const FIREFOX_DIST_DIR = process.env.HOPSCOPE_FIREFOX_EXTENSION_DIR ?? join(REPO_ROOT, 'dist-firefox');
/** Where Debian's packages put Firefox: ESR first (`apt-get install firefox-esr`). */
export const FIREFOX_PATHS: readonly string[] = ['/usr/bin/firefox-esr', '/usr/bin/firefox'];

/** Firefox's `--version` says `Mozilla Firefox 153.8.0esr`. */
export function isFirefox(versionOutput: string): boolean {
  return /\bMozilla Firefox\b|\bFirefox\b/i.test(versionOutput) && !/Chrom/i.test(versionOutput);
}

/** The Firefox to run: `explicit` (--browser), FIREFOX_PATH, else the first of FIREFOX_PATHS that exists. */
export function resolveFirefoxPath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const path = explicit ?? env.FIREFOX_PATH ?? FIREFOX_PATHS.find((p) => existsSync(p));
  if (!path || !existsSync(path)) {
    const where = path ? `${path} (from ${explicit ? '--browser' : 'FIREFOX_PATH'})` : FIREFOX_PATHS.join(' or ');
    throw new UserError(
      `no Firefox found at ${where}. Install it (apt-get install firefox-esr) or pass --browser PATH / set FIREFOX_PATH.`,
    );
  }
  return path;
}

export interface FirefoxLaunchOptions {
  browserPath?: string;
  extensionPath?: string;
  headless?: boolean;
  /** Extra Firefox command-line arguments. */
  args?: readonly string[];
  /** Preferences set in the fresh profile, e.g. { 'network.dns.forceResolve': '127.0.0.1' }. */
  prefs?: Readonly<Record<string, string | number | boolean>>;
  /** PEM certificates trusted in the fresh profile only (certutil, from libnss3-tools). */
  trustCertificates?: readonly string[];
}

export interface FirefoxExtensionBrowser extends RecordingBrowser {
  kind: 'firefox';
  puppeteer: Browser;
  /** The extension page chains are read from; opens it again when it was closed. */
  extensionPage(): Promise<Page>;
  /** Opens an extension page (`/extension/panel.html`, …) in a new tab, as a user could. */
  openExtensionPage(path: string): Promise<Page>;
}

/** The add-on id the build declares (browser_specific_settings.gecko.id). */
async function geckoIdOf(dist: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(dist, 'manifest.json'), 'utf8')) as {
    browser_specific_settings?: { gecko?: { id?: string } };
  };
  const id = manifest.browser_specific_settings?.gecko?.id;
  if (!id) {
    throw new UserError(
      `${dist} is not a Firefox build (no browser_specific_settings.gecko.id). Run \`npm run build\`.`,
    );
  }
  return id;
}

/** Trusts each certificate in the profile's own NSS database, nowhere else. */
async function trustInProfile(profile: string, certificates: readonly string[]): Promise<void> {
  const run = promisify(execFile);
  const db = `sql:${profile}`;
  try {
    await run('certutil', ['-N', '-d', db, '--empty-password'], { timeout: 15_000 });
    for (const [i, pem] of certificates.entries()) {
      await run('certutil', ['-A', '-n', `hopscope-${i}`, '-t', 'C,,', '-i', resolve(pem), '-d', db], {
        timeout: 15_000,
      });
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError(
        'certutil not found: install libnss3-tools (apt-get install libnss3-tools) to trust a certificate in Firefox.',
      );
    }
    throw new UserError(
      `certutil could not trust ${certificates.join(', ')}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
}

/** BiDi `browsingContext.navigate`: the only way to an extension page (page.goto never resolves there). */
async function navigateRaw(page: Page, url: string): Promise<void> {
  const context = (
    page.mainFrame() as unknown as { browsingContext?: { navigate(url: string, wait: string): Promise<unknown> } }
  ).browsingContext;
  if (!context) throw new Error('this puppeteer-core has no BiDi browsing context on its frames');
  await context.navigate(url, 'complete');
}

/** Runs in the extension page: what the background page's `hopscope` API answers, as JSON, or null while it is not up. */
const askBackground = async (what: 'chains' | 'stats'): Promise<string | null> => {
  const ext = (globalThis as unknown as { browser: { runtime: { getBackgroundPage(): Promise<unknown> } } }).browser;
  const background = (await ext.runtime.getBackgroundPage()) as { hopscope?: WorkerApi } | null;
  const api = background?.hopscope;
  if (!api) return null;
  return JSON.stringify(what === 'chains' ? await api.chains() : await api.stats());
};

export async function launchFirefoxWithExtension(options: FirefoxLaunchOptions = {}): Promise<FirefoxExtensionBrowser> {
  const browserPath = resolveFirefoxPath(options.browserPath);
  const versionOutput = await browserVersion(browserPath);
  if (!isFirefox(versionOutput)) {
    throw new UserError(`${browserPath} is not Firefox (${versionOutput.trim() || 'no version'}).`);
  }
  const extensionPath = requireBuild(options.extensionPath ?? FIREFOX_DIST_DIR);
  const geckoId = await geckoIdOf(extensionPath);
  const uuid = randomUUID();
  const profile = await mkdtemp(join(tmpdir(), 'hopscope-firefox-'));
  let browser: Browser;
  try {
    if (options.trustCertificates?.length) await trustInProfile(profile, options.trustCertificates);
    // Loaded only here: a Chromium trace never pays for puppeteer-core.
    const { default: puppeteer } = await import('puppeteer-core');
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: browserPath,
      headless: options.headless ?? true,
      userDataDir: profile,
      // Lets WebDriver BiDi install an unsigned add-on (webExtension.install).
      args: ['--remote-allow-system-access', ...(options.args ?? [])],
      extraPrefsFirefox: {
        'extensions.webextensions.uuids': JSON.stringify({ [geckoId]: uuid }),
        ...options.prefs,
      },
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    if (error instanceof UserError) throw error;
    throw new UserError(`${browserPath} did not start: ${(error as Error).message.split('\n')[0]}`);
  }
  const close = async () => {
    const process = browser.process();
    if (
      !(await bounded(
        browser.close().then(() => true),
        10_000,
      ))
    )
      process?.kill('SIGKILL');
    await rm(profile, { recursive: true, force: true }).catch(() => undefined);
  };
  try {
    await browser.installExtension(extensionPath);
  } catch (error) {
    await close();
    throw new UserError(
      `${browserPath} did not install the extension from ${extensionPath}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  const origin = `moz-extension://${uuid}`;
  const openExtensionPage = async (path: string): Promise<Page> => {
    const page = await browser.newPage();
    await navigateRaw(page, `${origin}${path}`);
    return page;
  };
  let reader: Page | undefined;
  const extensionPage = async (): Promise<Page> => {
    if (!reader || reader.isClosed()) {
      // The popup asks for no tab's chains (tabId -1); opening it connects to the background
      // page, which starts an event page that had gone idle.
      reader = await openExtensionPage('/extension/popup.html?tabId=-1');
    }
    return reader;
  };
  const ask = async (what: 'chains' | 'stats'): Promise<string> => {
    for (let attempt = 0; ; attempt++) {
      const page = await extensionPage();
      const answer = await bounded(page.evaluate(askBackground, what), 5_000);
      if (answer) return answer;
      if (attempt >= 5) throw new Error('the Hopscope background page did not answer');
      // Not up (idle and restarting) or the page is stuck: open the page again, which wakes it.
      await page.close().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  try {
    await ask('stats');
  } catch (error) {
    await close();
    throw new UserError(
      `${browserPath} installed the extension but its background page did not answer: ${(error as Error).message}`,
    );
  }
  const version = (await browser.version()).split('/')[1] ?? versionOutput.replace(/^\D*/, '').trim();
  return {
    kind: 'firefox',
    puppeteer: browser,
    extensionId: uuid,
    browserPath,
    browser: { name: 'Firefox', version },
    profile,
    chains: async () => JSON.parse(await ask('chains')) as Chain[],
    stats: async () => JSON.parse(await ask('stats')) as Awaited<ReturnType<WorkerApi['stats']>>,
    newTab: async () => puppeteerTab(await browser.newPage()),
    extensionPage,
    openExtensionPage,
    close,
  };
}
