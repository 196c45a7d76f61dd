/**
 * The chain store: the chains kept, and the bookkeeping persistence needs (what changed since
 * the last write, what was removed, how many bytes the kept chains take, the caps).
 */
import type { Chain } from '../model/chain.ts';

export interface StoreLimits {
  /** Most chains kept; the oldest finished ones are evicted first. */
  maxChains: number;
  /** Most bytes of chain JSON kept (the storage.session quota is 10 MB). */
  maxBytes: number;
}

export interface ChainChanges {
  put: Chain[];
  /** The JSON of each chain in `put` (same order), as measured for the byte cap. */
  json?: string[];
  remove: string[];
  evicted: number;
}

export type ChainListener = (change: { type: 'put'; chain: Chain } | { type: 'remove'; ids: string[] }) => void;

export class ChainStore {
  private readonly chains = new Map<string, Chain>();
  /** Length of each chain's JSON text, as last measured. */
  private readonly sizes = new Map<string, number>();
  /** Changed since the last takeChanges. */
  private readonly dirty = new Set<string>();
  /** Removed since the last takeChanges. */
  private readonly removed = new Set<string>();
  private readonly listeners = new Set<ChainListener>();
  private totalBytes = 0;
  private evictedCount = 0;

  constructor(private readonly limits: StoreLimits) {}

  get evicted(): number {
    return this.evictedCount;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get size(): number {
    return this.chains.size;
  }

  /** Chains oldest first. */
  list(): Chain[] {
    return [...this.chains.values()];
  }

  values(): IterableIterator<Chain> {
    return this.chains.values();
  }

  get(id: string): Chain | undefined {
    return this.chains.get(id);
  }

  subscribe(listener: ChainListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A free id for a new chain of this request: the requestId, then `requestId~2`, `~3`, … */
  freeId(requestId: string): string {
    let id = requestId;
    for (let n = 2; this.chains.has(id); n++) id = `${requestId}~${n}`;
    return id;
  }

  /** The newest chain of a requestId (a requestId is reused across restarts of the browser). */
  latest(requestId: string): Chain | undefined {
    let latest = this.chains.get(requestId);
    for (let n = 2; ; n++) {
      const next = this.chains.get(`${requestId}~${n}`);
      if (!next) break;
      latest = next;
    }
    return latest;
  }

  add(chain: Chain): void {
    this.chains.set(chain.id, chain);
    this.touch(chain);
  }

  /** Puts back a persisted chain (not a change to write again); false when it is already here. */
  restore(chain: Chain, size: number | undefined): boolean {
    if (this.chains.has(chain.id)) return false;
    this.chains.set(chain.id, chain);
    // The length of the JSON text it was stored as, when known: no need to serialize it again.
    const bytes = size ?? JSON.stringify(chain).length;
    this.sizes.set(chain.id, bytes);
    this.totalBytes += bytes;
    return true;
  }

  restoreEvicted(evicted: number): void {
    this.evictedCount = Math.max(this.evictedCount, evicted);
  }

  /** The chain changed: it goes with the next write, and listeners hear of it now. */
  touch(chain: Chain): void {
    this.dirty.add(chain.id);
    this.removed.delete(chain.id);
    this.emit({ type: 'put', chain });
  }

  /** Forgets chains and tells listeners; returns the chains forgotten. */
  drop(ids: readonly string[]): Chain[] {
    const gone: Chain[] = [];
    for (const id of ids) {
      const chain = this.chains.get(id);
      if (!chain) continue;
      gone.push(chain);
      this.chains.delete(id);
      this.totalBytes -= this.sizes.get(id) ?? 0;
      this.sizes.delete(id);
      this.dirty.delete(id);
      this.removed.add(id);
    }
    this.emit({ type: 'remove', ids: [...ids] });
    return gone;
  }

  /**
   * Hands over what changed since the last call, for persistence, after enforcing the caps
   * (`onEvict` hears of the chains evicted). Sizes are measured here, once a batch, not on every
   * event.
   */
  takeChanges(onEvict: (victims: Chain[]) => void): ChainChanges {
    const texts = new Map<string, string>();
    for (const id of this.dirty) {
      const chain = this.chains.get(id);
      if (!chain) continue;
      const text = JSON.stringify(chain);
      texts.set(id, text);
      this.totalBytes += text.length - (this.sizes.get(id) ?? 0);
      this.sizes.set(id, text.length);
    }
    const victims = this.overCaps();
    if (victims.length) {
      this.evictedCount += victims.length;
      onEvict(this.drop(victims));
    }
    const put: Chain[] = [];
    const json: string[] = [];
    for (const id of this.dirty) {
      const chain = this.chains.get(id);
      const text = texts.get(id);
      if (chain && text !== undefined) {
        put.push(chain);
        json.push(text);
      }
    }
    const remove = [...this.removed];
    this.dirty.clear();
    this.removed.clear();
    return { put, json, remove, evicted: this.evictedCount };
  }

  /** Whether takeChanges would have something to write. */
  get hasChanges(): boolean {
    return this.dirty.size > 0 || this.removed.size > 0;
  }

  /** Changes that could not be stored: they go again with the next takeChanges (if still kept). */
  retryLater(changes: Pick<ChainChanges, 'put' | 'remove'>): void {
    for (const chain of changes.put) if (this.chains.has(chain.id)) this.dirty.add(chain.id);
    for (const id of changes.remove) if (!this.chains.has(id)) this.removed.add(id);
  }

  /** Lowers the byte budget (storage refused a write) and evicts down to it on the next batch. */
  shrink(factor: number): void {
    this.limits.maxBytes = Math.max(64 * 1024, Math.floor(Math.min(this.limits.maxBytes, this.totalBytes) * factor));
  }

  /** The chains to evict: oldest finished ones first; chains under way only when nothing else is left. */
  private overCaps(): string[] {
    const { maxChains, maxBytes } = this.limits;
    if (this.chains.size <= maxChains && this.totalBytes <= maxBytes) return [];
    const victims: string[] = [];
    let count = this.chains.size;
    let bytes = this.totalBytes;
    for (const underWayPass of [false, true]) {
      for (const chain of this.chains.values()) {
        if (count <= maxChains && bytes <= maxBytes) break;
        if ((chain.outcome.state === 'pending') !== underWayPass) continue;
        victims.push(chain.id);
        count--;
        bytes -= this.sizes.get(chain.id) ?? 0;
      }
    }
    return victims;
  }

  private emit(change: Parameters<ChainListener>[0]): void {
    for (const l of this.listeners) l(change);
  }
}
