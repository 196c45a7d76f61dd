/**
 * Writes the recorder's changes to a storage area in batches and reads them back after a
 * worker restart. Takes the storage area as an argument, so it is unit-tested without a
 * browser.
 */

import type { Chain } from '../core/model/chain.ts';
import type { CommitDetails, MetaRefreshDetails, NavigationDetails, RequestEvent } from '../core/record/events.ts';
import type { ChainChanges } from '../core/record/recorder.ts';
import { CHAIN_KEY_PREFIX, chainKey, META_KEY, STORAGE_VERSION, type StoredMeta } from '../shared/storage-keys.ts';

export interface StorageAreaLike {
  get(keys?: null | string | string[]): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string | string[]): Promise<void>;
}

/** Something the worker received, as journalled while it was still loading. */
export type JournalStep =
  | { kind: 'event'; event: RequestEvent }
  | { kind: 'navigate'; details: NavigationDetails }
  | { kind: 'commit'; details: CommitDetails }
  | { kind: 'tabClosed'; tabId: number; timeStamp: number }
  | { kind: 'metaRefresh'; details: MetaRefreshDetails };

/** Keys of journalled steps: `journal:<worker>:<sequence>`, in the order received. */
export const JOURNAL_KEY_PREFIX = 'journal:';

const STEP_KINDS = new Set(['event', 'navigate', 'commit', 'tabClosed', 'metaRefresh']);

export interface Persisted {
  chains: Chain[];
  evicted: number;
  /** Steps journalled by a worker while it loaded, oldest first. */
  journal: Array<{ key: string; step: JournalStep }>;
}

/**
 * Reads back what was written. `sizes`, when given, receives the length of the JSON text each
 * chain was stored as: its size for the byte cap, so the recorder need not serialize it again.
 */
export async function loadChains(area: StorageAreaLike, sizes?: Map<string, number>): Promise<Persisted> {
  const all = await area.get(null);
  const meta = all[META_KEY] as StoredMeta | undefined;
  if (meta && meta.version !== STORAGE_VERSION) return { chains: [], evicted: 0, journal: [] };
  const chains: Chain[] = [];
  const journal: Persisted['journal'] = [];
  for (const [key, value] of Object.entries(all)) {
    if (key.startsWith(JOURNAL_KEY_PREFIX)) {
      const step = typeof value === 'string' ? parseJson(value) : undefined;
      if (isStep(step)) journal.push({ key, step });
      continue;
    }
    if (!key.startsWith(CHAIN_KEY_PREFIX)) continue;
    const chain = typeof value === 'string' ? parseJson(value) : value;
    if (!isChain(chain)) continue;
    chains.push(chain);
    if (typeof value === 'string') sizes?.set(chain.id, value.length);
  }
  journal.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { chains, evicted: meta?.evicted ?? 0, journal };
}

/** Enough of a chain's shape for the recorder to take it back (anything else is skipped). */
function isChain(value: unknown): value is Chain {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Partial<Chain>;
  return (
    typeof c.id === 'string' &&
    typeof c.requestId === 'string' &&
    Array.isArray(c.hops) &&
    typeof c.outcome === 'object' &&
    c.outcome !== null &&
    typeof c.startTime === 'number'
  );
}

function isStep(value: unknown): value is JournalStep {
  return typeof value === 'object' && value !== null && STEP_KINDS.has((value as { kind?: unknown }).kind as string);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // not ours, or cut short: skipped
  }
}

/**
 * One write per batch: each changed chain under its own key, removals, and the meta record.
 * A chain is stored as its JSON text: storage.session counts text about byte for byte, but an
 * object at about 3.3 bytes per byte of its JSON, and text is cheaper to hand to the browser.
 */
export async function saveChanges(area: StorageAreaLike, changes: ChainChanges): Promise<number> {
  // Both calls are made at once, in this order: the storage applies them in the order made,
  // and a write still waiting for an earlier one would be lost with a stopped worker.
  const calls: Promise<void>[] = [];
  if (changes.remove.length) calls.push(area.remove(changes.remove.map(chainKey)));
  const items: Record<string, unknown> = {};
  changes.put.forEach((chain, i) => {
    items[chainKey(chain.id)] = changes.json?.[i] ?? JSON.stringify(chain);
  });
  if (changes.put.length || changes.remove.length) {
    items[META_KEY] = { version: STORAGE_VERSION, evicted: changes.evicted } satisfies StoredMeta;
    calls.push(area.set(items));
  }
  await Promise.all(calls);
  return calls.length;
}
