import type { Chain } from '../core/model/chain.ts';

/**
 * What the service worker exposes on `globalThis.hopscope`, for `hopscope trace` and the
 * end-to-end tests (read through `worker.evaluate`). It reads the extension's own store: there
 * is no second recorder.
 */
export interface WorkerApi {
  /** Resolves once the state persisted before the last worker stop is back in memory. */
  ready(): Promise<void>;
  chains(): Promise<Chain[]>;
  /**
   * The main-frame chains of one tab that started at or after `since` (ms since the epoch).
   * With `waitMs`, answers once there is one and every one has ended, or when `waitMs` has
   * passed: `hopscope check` asks as a navigation starts and gets the answer without polling.
   */
  tabChains(query: { tabId: number; since: number; waitMs?: number }): Promise<Chain[]>;
  /** Writes every pending change to storage.session now. */
  flush(): Promise<void>;
  clear(): Promise<void>;
  /**
   * pending: requests under way the recorder tracks (returns to 0 once every request ended);
   * subresources: the worker listens to subresources (a panel watches, or a started worker does
   * not know yet whether one does); watching: the pages showing subresource chains subscribed.
   */
  stats(): Promise<{
    chains: number;
    bytes: number;
    evicted: number;
    writes: number;
    pending: number;
    subresources: boolean;
    watching: number;
  }>;
}

declare global {
  var hopscope: WorkerApi | undefined;
}
