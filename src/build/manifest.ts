/**
 * The one place where the Chromium and Firefox builds differ: manifest.json is written for
 * Chromium, and `manifestFor('firefox')` applies what Firefox needs (verified on Firefox ESR 153):
 * - `background.scripts` (an ES-module event page) instead of a service worker: crxjs's loader
 *   runs as it is in both;
 * - `browser_specific_settings.gecko`: the id a temporary or signed add-on is known by (and the
 *   CLI fixes its moz-extension UUID by), and the data collection declaration AMO requires;
 * - `incognito`: Firefox reads Chromium's "split" as "not_allowed" (it has only "spanning" and
 *   "not_allowed"); Hopscope keeps private windows out in Firefox, and says so;
 * - no `minimum_chrome_version` (Firefox warns about keys it does not know).
 */
import base from '../../manifest.json' with { type: 'json' };

export type BuildBrowser = 'chromium' | 'firefox';

/** The add-on id in Firefox (browser_specific_settings.gecko.id). */
export const GECKO_ID = 'hopscope@hopscope.dev';
/** Firefox ESR 140 is the oldest with `data_collection_permissions`. */
export const FIREFOX_MIN_VERSION = '140.0';

/** Each browser's build directory. */
export const OUT_DIR: Record<BuildBrowser, string> = { chromium: 'dist', firefox: 'dist-firefox' };

type Manifest = typeof base & Record<string, unknown>;

export function manifestFor(browser: BuildBrowser): Manifest {
  const manifest: Manifest = structuredClone(base);
  if (browser === 'chromium') return manifest;
  const { minimum_chrome_version: _chrome, background, ...rest } = manifest;
  return {
    ...rest,
    incognito: 'not_allowed',
    background: { scripts: [background.service_worker], type: background.type },
    browser_specific_settings: {
      gecko: {
        id: GECKO_ID,
        strict_min_version: FIREFOX_MIN_VERSION,
        // Nothing leaves the browser: chains stay in session storage and files the user saves.
        data_collection_permissions: { required: ['none'] },
      },
    },
  } as unknown as Manifest;
}
