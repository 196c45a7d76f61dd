import { chainsToHar, harText } from '../core/har/export.ts';
import {
  keyedHash,
  type NameChoices,
  type NameCount,
  NameInventory,
  NamePolicy,
  sanitizeHar,
} from '../core/har/sanitize.ts';
import type { Chain } from '../core/model/chain.ts';

/** Saves text as a file through a download link: works in DevTools panels and normal tabs. */
export function downloadText(filename: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Copies text; DevTools panels may not grant the Clipboard API, so fall back to execCommand. */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // fall through
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

export function harFileName(prefix = 'hopscope'): string {
  const stamp = new Date().toISOString().replace(/[:]/g, '-').replace(/\..*$/, '');
  return `${prefix}-${stamp}.har`;
}

/**
 * How an export treats secrets: `sanitized` removes them (Cookie, Set-Cookie, Authorization,
 * secret URL parameters), as Chrome's export does; `hashed` replaces each value by a keyed hash
 * (`REDACTED:3f9a…`, the same value the same hash within the file, as `hopscope sanitize`
 * writes it) and keeps JWTs without their signature; `secrets` keeps everything.
 */
export type HarExportMode = 'sanitized' | 'hashed' | 'secrets';

export const HAR_EXPORT_MODES: ReadonlyArray<{ mode: HarExportMode; label: string; title: string }> = [
  {
    mode: 'sanitized',
    label: 'removed',
    title: 'Cookie, Set-Cookie and Authorization headers removed, secret URL parameters replaced by REDACTED',
  },
  {
    mode: 'hashed',
    label: 'hashed',
    title:
      'Cookie, credential and token values replaced by keyed hashes (REDACTED:…): the same value has the same hash within the file, so requests stay correlatable; JWTs keep their claims without the signature',
  },
  {
    mode: 'secrets',
    label: 'kept',
    title: 'Cookie, Set-Cookie, Authorization headers and secret URL parameters kept as recorded',
  },
];

/**
 * The text of a HAR export in one of the modes. A hashed export draws a fresh random key each
 * time (Web Crypto), so hashes cannot be matched across files or found by hashing guesses.
 */
export function harExportText(
  chains: readonly Chain[],
  mode: HarExportMode,
  choices: NameChoices & { key?: Uint8Array } = {},
): string {
  if (mode !== 'hashed') return harText(chains, { includeSensitive: mode === 'secrets' });
  const key = choices.key ?? crypto.getRandomValues(new Uint8Array(32));
  const doc = sanitizeHar(chainsToHar(chains, { includeSensitive: true }), {
    hash: keyedHash(key),
    keep: choices.keep,
    redact: choices.redact,
  });
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** The header, cookie, query and form names in the chains' HAR, as `hopscope sanitize --list` counts them. */
export function harNames(chains: readonly Chain[]): NameCount[] {
  const inventory = new NameInventory();
  for (const entry of chainsToHar(chains, { includeSensitive: true }).log.entries) inventory.add(entry);
  return inventory.rows(new NamePolicy());
}

/** Whether a name's values are hashed by default (`hash`, or `url`: the secret parameters in it). */
export function hashedByDefault(row: NameCount): boolean {
  return row.action === 'hash' || row.action === 'url';
}

/** The user's choice per name (hash or keep) as `--keep` / `--redact` names: only what differs from the default. */
export function nameChoices(rows: readonly NameCount[], chosen: ReadonlyMap<string, 'hash' | 'keep'>): NameChoices {
  const keep = new Set<string>();
  const redact = new Set<string>();
  for (const row of rows) {
    const choice = chosen.get(row.name);
    if (choice === 'keep' && hashedByDefault(row)) keep.add(row.name);
    if (choice === 'hash' && !hashedByDefault(row)) redact.add(row.name);
  }
  return { keep: [...keep], redact: [...redact] };
}
