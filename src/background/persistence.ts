/**
 * Writes the recorder's changes to a storage area in batches and reads them back after a
 * worker restart. Takes the storage area as an argument, so it is unit-tested without a
 * browser.
 */
import type { ChainChanges } from '../core/recorder.ts';
import type { Chain } from '../core/types.ts';
import { CHAIN_KEY_PREFIX, chainKey, META_KEY, STORAGE_VERSION, type StoredMeta } from '../shared/storage-keys.ts';

export interface StorageAreaLike {
  get(keys?: null | string | string[]): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string | string[]): Promise<void>;
}

export interface Persisted {
  chains: Chain[];
  evicted: number;
}

export async function loadChains(area: StorageAreaLike): Promise<Persisted> {
  const all = await area.get(null);
  const meta = all[META_KEY] as StoredMeta | undefined;
  if (meta && meta.version !== STORAGE_VERSION) return { chains: [], evicted: 0 };
  const chains: Chain[] = [];
  for (const [key, value] of Object.entries(all)) {
    if (!key.startsWith(CHAIN_KEY_PREFIX)) continue;
    const chain = typeof value === 'string' ? parseChain(value) : value;
    if (chain && typeof chain === 'object') chains.push(chain as Chain);
  }
  return { chains, evicted: meta?.evicted ?? 0 };
}

function parseChain(text: string): unknown {
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
