/** Keys in `storage.session`. One key per chain, so chains never overwrite each other. */
export const CHAIN_KEY_PREFIX = 'chain:';
export const META_KEY = 'meta';
export const STORAGE_VERSION = 2;

export interface StoredMeta {
  version: number;
  /** Chains dropped by the caps since the browser started. */
  evicted: number;
}

export function chainKey(id: string): string {
  return CHAIN_KEY_PREFIX + id;
}
