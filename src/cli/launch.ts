/**
 * Which browser `hopscope trace` runs: Chromium (the default), or Firefox with `--firefox` or
 * when `--browser` names a Firefox. Each gets the same options in its own terms.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  browserVersion,
  launchWithExtension,
  type RecordingBrowser,
  resolveBrowserPath,
  UserError,
} from './browser.ts';
import { isFirefox, launchFirefoxWithExtension, resolveFirefoxPath } from './firefox.ts';

export interface TraceLaunchOptions {
  /** --browser: Chromium, Chrome for Testing or Firefox. */
  browserPath?: string;
  /** --firefox: run Firefox (--browser, FIREFOX_PATH, or where Debian puts it). */
  firefox?: boolean;
  headless?: boolean;
  /** --browser-arg: command-line arguments for the browser. */
  args?: readonly string[];
  /** Chrome's HTTPS-Upgrades (Chromium only). */
  httpsUpgrades?: boolean;
  /** --firefox-pref NAME=VALUE (Firefox only). */
  firefoxPrefs?: readonly string[];
  /** --trust-cert FILE: PEM certificates trusted in the launched profile only. */
  trustCertificates?: readonly string[];
}

/** `name=value` → a Firefox preference; true/false and whole numbers keep their type. */
export function parseFirefoxPref(option: string): [string, string | number | boolean] {
  const eq = option.indexOf('=');
  const name = option.slice(0, eq).trim();
  if (eq <= 0 || !/^[\w.-]+$/.test(name)) {
    throw new UserError(
      `--firefox-pref takes NAME=VALUE, e.g. --firefox-pref network.dns.forceResolve=127.0.0.1; got '${option}'.`,
    );
  }
  const value = option.slice(eq + 1);
  if (value === 'true' || value === 'false') return [name, value === 'true'];
  if (/^-?\d+$/.test(value)) return [name, Number(value)];
  return [name, value];
}

/** Chromium trusts a certificate by the sha256 of its public key: the switch for these files. */
async function spkiSwitch(files: readonly string[]): Promise<string[]> {
  if (!files.length) return [];
  const hashes: string[] = [];
  for (const file of files) {
    let spki: Buffer;
    try {
      const der = new X509Certificate(await readFile(file)).publicKey.export({ type: 'spki', format: 'der' });
      spki = Buffer.from(der);
    } catch (error) {
      throw new UserError(
        `--trust-cert ${file}: not a readable PEM certificate (${(error as Error).message.split('\n')[0]}).`,
      );
    }
    hashes.push(createHash('sha256').update(spki).digest('base64'));
  }
  return [`--ignore-certificate-errors-spki-list=${hashes.join(',')}`];
}

/** Whether these options run Firefox: --firefox, or a --browser whose --version says Firefox. */
export async function wantsFirefox(options: Pick<TraceLaunchOptions, 'browserPath' | 'firefox'>): Promise<boolean> {
  if (options.firefox) return true;
  if (!options.browserPath) return false;
  const path = resolveBrowserPath(options.browserPath);
  // The file's name says it for the usual installs, without starting the browser a first time
  // (~0.1–0.3 s before the launch); a name that says neither is asked its --version.
  const name = basename(path).toLowerCase();
  if (/firefox/.test(name)) return true;
  if (/chrom|msedge|brave/.test(name)) return false;
  return isFirefox(await browserVersion(path));
}

export async function launchForTrace(options: TraceLaunchOptions): Promise<RecordingBrowser> {
  const certificates = options.trustCertificates ?? [];
  if (await wantsFirefox(options)) {
    const prefs = Object.fromEntries((options.firefoxPrefs ?? []).map(parseFirefoxPref));
    return launchFirefoxWithExtension({
      browserPath: resolveFirefoxPath(options.browserPath),
      headless: options.headless,
      args: options.args,
      prefs,
      trustCertificates: certificates,
    });
  }
  if (options.firefoxPrefs?.length) {
    throw new UserError('--firefox-pref applies to Firefox only: add --firefox (or --browser PATH to a Firefox).');
  }
  return launchWithExtension({
    browserPath: options.browserPath,
    headless: options.headless,
    args: [...(options.args ?? []), ...(await spkiSwitch(certificates))],
    httpsUpgrades: options.httpsUpgrades,
  });
}
