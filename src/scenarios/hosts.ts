/**
 * Host names of the HTTPS-Upgrades scenarios. Chrome upgrades http:// navigations only on the
 * default port and only for names under a real top-level domain (not localhost, `.test`,
 * `.local`, single labels), so these are `*.example.com` names that Chromium's
 * `--host-resolver-rules` send to the scenario server (see `hostResolverRules` in server.ts).
 */

/** Chrome upgrades http:// of this host to https, and https works (HTTPS-Upgrades scenarios). */
export const UPGRADE_HOST = 'up.example.com';
/**
 * Any other `*.example.com` host: Chrome upgrades it, https is refused, Chrome falls back to
 * http. Chrome then remembers the host and stops upgrading it: a fresh name per visit
 * (`fallbackHost()`) shows the fallback every time, even in a profile that saw it before.
 */
export const FALLBACK_DOMAIN = 'example.com';

/** A fresh `fb-<random>.example.com` host for the HTTPS-Upgrades fallback scenario. */
export function fallbackHost(): string {
  return `fb-${Math.random().toString(36).slice(2, 10)}.${FALLBACK_DOMAIN}`;
}
