/**
 * The service worker's recording adapter: browser events in, the core recorder, persistence
 * out. Events that arrive while the persisted state is still loading (the worker was woken by
 * the event itself) are queued and replayed in order; each is also written to a journal at
 * once, so that a worker stopped before it finished loading loses none of them: the next one
 * replays the journal after the chains, then deletes it.
 */
import type { CommitDetails, MetaRefreshDetails, NavigationDetails, RequestEvent } from '../core/record/events.ts';
import { Recorder, type RecorderOptions } from '../core/record/recorder.ts';
import { JOURNAL_KEY_PREFIX, type JournalStep, loadChains, type StorageAreaLike, saveChanges } from './persistence.ts';

/**
 * Every change is handed to storage at most this long after the event that made it: one write
 * per batch, not one per event (a write is an IPC into the browser process that is loading the
 * page, and per event it cost the page more than the events themselves; npm run bench). A
 * worker killed outright loses at most what it received in this window (and the write under
 * way); one stopped the way browsers stop it (30 s idle, update) has written everything long
 * before, and runtime.onSuspend flushes too.
 */
export const FLUSH_INTERVAL_MS = 200;
/** What an abrupt kill may lose, stated and checked by tests/e2e/faults.test.ts: the window and the write under way. */
export const MAX_LOSS_MS = 250;

/**
 * The worker stopped listening to subresources. Queued while loading like the steps received,
 * but not journalled: a worker that stops before it has loaded decides again when it starts.
 */
type Step = JournalStep | { kind: 'subresourcesStopped'; timeStamp: number };

export class RecordingSession {
  readonly recorder: Recorder;
  private queue: Step[] | undefined = [];
  /** This worker's own journal keys start with this; its queue holds the same steps. */
  private readonly journalPrefix =
    `${JOURNAL_KEY_PREFIX}${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}:`;
  private journalSeq = 0;
  /** Journal keys replayed or queued, deleted with the next write of chains. */
  private journalDone: string[] = [];
  /** Steps journalled in the current task, written together at its end. */
  private journalBatch: Record<string, string> | undefined;
  /** How many times a refused write has lowered the byte budget. */
  private shrinks = 0;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private writeQueued = false;
  private writeCount = 0;
  readonly ready: Promise<void>;

  constructor(
    private readonly area: StorageAreaLike,
    options: RecorderOptions = {},
  ) {
    this.recorder = new Recorder(options);
    this.ready = this.restore();
  }

  get writes(): number {
    return this.writeCount;
  }

  handle(event: RequestEvent): void {
    this.apply({ kind: 'event', event });
  }

  /** A main-frame navigation started (webNavigation.onBeforeNavigate). */
  navigate(details: NavigationDetails): void {
    this.apply({ kind: 'navigate', details });
  }

  /** A main-frame navigation committed (webNavigation.onCommitted). */
  commit(details: CommitDetails): void {
    this.apply({ kind: 'commit', details });
  }

  /** A tab was closed (tabs.onRemoved): its chains under way end. */
  tabClosed(tabId: number, timeStamp: number): void {
    this.apply({ kind: 'tabClosed', tabId, timeStamp });
  }

  metaRefresh(details: MetaRefreshDetails): void {
    this.apply({ kind: 'metaRefresh', details });
  }

  /** The subresource listeners went (no panel open): their chains under way end. */
  subresourcesStopped(timeStamp: number): void {
    this.apply({ kind: 'subresourcesStopped', timeStamp });
  }

  private apply(step: Step): void {
    if (this.queue) {
      this.queue.push(step);
      if (step.kind !== 'subresourcesStopped') this.journal(step);
      return;
    }
    this.run(step);
    // An event that changed no chain (a request never worth one) needs no write.
    if (this.recorder.hasChanges) this.scheduleFlush();
  }

  /** Journals a step received while loading; the steps of one task are one write. */
  private journal(step: JournalStep): void {
    const key = `${this.journalPrefix}${String(this.journalSeq++).padStart(6, '0')}`;
    this.journalDone.push(key);
    if (this.journalBatch) {
      this.journalBatch[key] = JSON.stringify(step);
      return;
    }
    const batch: Record<string, string> = { [key]: JSON.stringify(step) };
    this.journalBatch = batch;
    queueMicrotask(() => {
      this.journalBatch = undefined;
      this.area.set(batch).catch((error: unknown) => {
        console.warn('Hopscope: could not journal events received while loading', error);
      });
    });
  }

  private run(step: Step): void {
    const r = this.recorder;
    if (step.kind === 'event') r.handle(step.event);
    else if (step.kind === 'subresourcesStopped') r.subresourcesStopped(step.timeStamp);
    else if (step.kind === 'commit') r.onCommitted(step.details);
    else if (step.kind === 'navigate') r.onBeforeNavigate(step.details);
    else if (step.kind === 'tabClosed') r.tabClosed(step.tabId, step.timeStamp);
    else r.noteMetaRefresh(step.details);
  }

  /**
   * Writes at the end of the task that made the change: MV3 may stop the worker at any moment,
   * and whatever is then only in memory is lost. Events handled in one task are one write.
   */
  private writeSoon(): void {
    if (this.writeQueued) return;
    this.writeQueued = true;
    queueMicrotask(() => {
      this.writeQueued = false;
      void this.flush();
    });
  }

  /**
   * Writes what changed now, without waiting for a write under way (storage applies writes in
   * the order they were made), and resolves once every write so far is done.
   */
  flush(): Promise<void> {
    if (this.flushTimer !== undefined) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    this.flushing = Promise.all([this.flushing, this.write()]).then(() => undefined);
    return this.flushing;
  }

  private async restore(): Promise<void> {
    let journal: Array<{ key: string; step: JournalStep }> = [];
    try {
      const sizes = new Map<string, number>();
      const loaded = await loadChains(this.area, sizes);
      this.recorder.restore(loaded.chains, loaded.evicted, sizes);
      journal = loaded.journal;
    } catch (error) {
      console.error('Hopscope: could not read recorded chains back from storage', error);
    }
    // Steps an earlier worker received while it was loading, and may not have recorded: the
    // recorder ignores those it has already seen (same event delivered twice).
    const earlier = journal.filter((j) => !j.key.startsWith(this.journalPrefix));
    for (const { step } of earlier) this.run(step);
    this.journalDone.push(...earlier.map((j) => j.key));
    const queued = this.queue ?? [];
    this.queue = undefined;
    for (const step of queued) this.run(step);
    if (queued.length || this.journalDone.length) this.writeSoon();
  }

  /**
   * A write FLUSH_INTERVAL_MS after the first change not yet written, whatever comes after it:
   * a deadline, not a debounce, so a steady stream of events cannot hold the write back.
   */
  private scheduleFlush(): void {
    if (this.flushTimer !== undefined) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, FLUSH_INTERVAL_MS);
  }

  private async write(): Promise<void> {
    const changes = this.recorder.takeChanges();
    const journal = this.queue ? [] : this.journalDone.splice(0);
    if (!changes.put.length && !changes.remove.length && !journal.length) return;
    const shrinksBefore = this.shrinks;
    let saved = false;
    try {
      this.writeCount += await saveChanges(this.area, changes);
      saved = true;
    } catch (error) {
      // Quota reached (other data may share storage.session): keep less and try once more.
      // Several writes can fail at once (one per event task): the budget is halved once for all.
      console.warn('Hopscope: storage write failed, evicting older chains', error);
      if (this.shrinks === shrinksBefore) {
        this.shrinks++;
        this.recorder.shrink(0.5);
      }
      const retry = this.recorder.takeChanges();
      const put = [...new Map([...changes.put, ...retry.put].map((c) => [c.id, c])).values()].filter(
        (c) => this.recorder.get(c.id) !== undefined,
      );
      try {
        // The first write's removals too: its remove() may have failed with its set().
        const remove = [...new Set([...changes.remove, ...retry.remove])];
        this.writeCount += await saveChanges(this.area, { put, remove, evicted: retry.evicted });
        saved = true;
      } catch (again) {
        // Kept in memory, and written with the next change that storage accepts: no retry loop.
        console.error('Hopscope: storage write failed again; chains stay in memory until the next write', again);
        this.recorder.retryLater({ put, remove: [...changes.remove, ...retry.remove] });
      }
    }
    if (!journal.length) return;
    // The journal goes only once what it recorded is stored; otherwise it waits for a later write.
    if (!saved) {
      this.journalDone.unshift(...journal);
      return;
    }
    try {
      await this.area.remove(journal);
      this.writeCount++;
    } catch {
      this.journalDone.unshift(...journal);
    }
  }
}
