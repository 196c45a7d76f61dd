import { parseUrl } from '../model/url.ts';

export function isCrossOrigin(from: string, to: string): boolean {
  if (!to) return false;
  const a = parseUrl(from);
  const b = parseUrl(to);
  if (!a || !b) return false;
  // An upgrade of the same host to https (HSTS, HttpsUpgrades) is not the kind of origin
  // change a user looks for: it gets its own flags (internal hop, no downgrade).
  if (a.protocol === 'http:' && b.protocol === 'https:' && a.hostname === b.hostname) return false;
  return a.origin !== b.origin;
}

export function isDowngrade(from: string, to: string): boolean {
  if (!to) return false;
  return parseUrl(from)?.protocol === 'https:' && parseUrl(to)?.protocol === 'http:';
}
