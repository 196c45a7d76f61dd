/**
 * Subresource chains are recorded while a page that shows them (the DevTools panel, the panel
 * in a tab) is open, as DevTools' Network panel records while it is open: listening to every
 * subresource is most of what an extension's webRequest listeners cost a page (README, "The
 * listener set"), and nothing else shows those chains.
 *
 * The MV3 catch: a listener added after the worker's first turn is not there when a stopped
 * worker is started again by its event, so that event would be lost. So the worker starts with
 * the subresource listeners on, and takes them off only once it knows nobody watches: at once
 * when the last worker stopped with nobody watching (a flag in session storage says so), else
 * after a grace period in which the open panels, whose ports the stop closed, connect again.
 *
 * When the last panel goes, the listeners stay a little longer (UNWATCH_GRACE_MS): a panel that
 * reloads (DevTools reopened, the panel tab refreshed) connects again within it and misses
 * nothing, and most requests under way when it closed end as recorded chains instead of staying
 * under way for good (once the listeners are off, nothing reports their end).
 */
import type { SubresourceListeners } from './listeners.ts';
import type { StorageAreaLike } from './persistence.ts';

/** Session-storage key: a page was watching when this worker last changed the listeners. */
export const WATCHING_KEY = 'watching';
/** How long a started worker waits for the pages that were watching to connect again. */
export const RECONNECT_GRACE_MS = 5000;
/** How long the listeners stay on after the last watching page went. */
export const UNWATCH_GRACE_MS = 3000;

export class SubresourceWatch {
  private watchers = 0;
  /** Until the worker knows whether a page was watching, the listeners stay on. */
  private undecided = true;
  /** What session storage says (undefined: not read yet). */
  private stored: boolean | undefined;
  private writes: Promise<unknown> = Promise.resolve();
  /** The last page went: the listeners go when this fires, unless a page comes back first. */
  private leaving: ReturnType<typeof setTimeout> | undefined;

  private readonly graceMs: number;
  private readonly unwatchGraceMs: number;
  private readonly stopped: (() => void) | undefined;

  /** `stopped`: the listeners went (each time they do), so the chains they left under way can end. */
  constructor(
    private readonly listeners: SubresourceListeners,
    private readonly area: Pick<StorageAreaLike, 'get' | 'set' | 'remove'>,
    options: { reconnectGraceMs?: number; unwatchGraceMs?: number; stopped?: () => void } = {},
  ) {
    this.graceMs = options.reconnectGraceMs ?? RECONNECT_GRACE_MS;
    this.unwatchGraceMs = options.unwatchGraceMs ?? UNWATCH_GRACE_MS;
    this.stopped = options.stopped;
    // Synchronously, in the worker's first turn: a subresource event that started it is delivered.
    listeners.add();
  }

  /** Reads whether a page was watching and, once known, switches the listeners to match. */
  async restore(): Promise<void> {
    let was = false;
    try {
      was = (await this.area.get(WATCHING_KEY))[WATCHING_KEY] === true;
    } catch {
      // Unreadable: as if nobody was watching; a page that is connects and switches them on.
    }
    this.stored = was;
    if (was && this.watchers === 0) {
      await new Promise((resolve) => setTimeout(resolve, this.graceMs));
    }
    this.undecided = false;
    this.apply();
  }

  /** A page that shows subresource chains is open; call the returned function when it closes. */
  watch(): () => void {
    this.watchers++;
    if (this.leaving !== undefined) clearTimeout(this.leaving);
    this.leaving = undefined;
    this.apply();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.watchers--;
      if (this.watchers > 0) return;
      this.leaving = setTimeout(() => {
        this.leaving = undefined;
        this.apply();
      }, this.unwatchGraceMs);
    };
  }

  /** How many pages that show subresource chains are subscribed. */
  get watching(): number {
    return this.watchers;
  }

  private apply(): void {
    // A page watches, or the last one went less than UNWATCH_GRACE_MS ago.
    const want = this.watchers > 0 || this.leaving !== undefined;
    if (want || this.undecided) this.listeners.add();
    else if (this.listeners.on) {
      this.listeners.remove();
      this.stopped?.();
    }
    if (this.stored === undefined || this.stored === want || this.undecided) return;
    this.stored = want;
    // In order: the last write says how this worker left things.
    this.writes = this.writes
      .then(() => (want ? this.area.set({ [WATCHING_KEY]: true }) : this.area.remove(WATCHING_KEY)))
      .catch(() => {
        // Storage refused: a later start waits the grace period for nothing, or not at all.
      });
  }
}
