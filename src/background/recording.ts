/**
 * The service worker's recording adapter: browser events in, the core recorder, batched
 * persistence out. Events that arrive while the persisted state is still loading (the worker
 * was woken by the event itself) are queued and replayed in order.
 */
import type { CommitDetails, MetaRefreshDetails, RequestEvent } from '../core/events.ts';
import { Recorder, type RecorderOptions } from '../core/recorder.ts';
import { loadChains, type StorageAreaLike, saveChanges } from './persistence.ts';

/** Details of a hop under way (its start, its headers) are written at most this often. */
export const FLUSH_INTERVAL_MS = 100;

/** Events that add a hop or end a chain: written at once, so a worker stopped later keeps them. */
const HOP_EVENTS = new Set<RequestEvent['event']>(['onBeforeRedirect', 'onCompleted', 'onErrorOccurred']);

export class RecordingSession {
  readonly recorder: Recorder;
  private queue: Array<(recorder: Recorder) => void> | undefined = [];
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
    this.apply((recorder) => recorder.handle(event), HOP_EVENTS.has(event.event));
  }

  /** A main-frame navigation committed (webNavigation.onCommitted). */
  commit(details: CommitDetails): void {
    this.apply((recorder) => recorder.onCommitted(details));
  }

  /** A tab was closed (tabs.onRemoved): its chains under way end, written at once. */
  tabClosed(tabId: number, timeStamp: number): void {
    this.apply((recorder) => recorder.tabClosed(tabId, timeStamp), true);
  }

  metaRefresh(details: MetaRefreshDetails): void {
    this.apply((recorder) => recorder.noteMetaRefresh(details));
  }

  private apply(step: (recorder: Recorder) => void, now = false): void {
    if (this.queue) {
      this.queue.push(step);
      return;
    }
    step(this.recorder);
    if (now) this.writeSoon();
    else this.scheduleFlush();
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
    try {
      const { chains, evicted } = await loadChains(this.area);
      this.recorder.restore(chains, evicted);
    } catch (error) {
      console.error('Hopscope: could not read recorded chains back from storage', error);
    }
    const queued = this.queue ?? [];
    this.queue = undefined;
    for (const step of queued) step(this.recorder);
    if (queued.length) this.writeSoon();
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== undefined) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, FLUSH_INTERVAL_MS);
  }

  private async write(): Promise<void> {
    const changes = this.recorder.takeChanges();
    if (!changes.put.length && !changes.remove.length) return;
    try {
      this.writeCount += await saveChanges(this.area, changes);
    } catch (error) {
      // Quota reached (other data may share storage.session): keep less and try once more.
      console.warn('Hopscope: storage write failed, evicting older chains', error);
      this.recorder.shrink(0.5);
      const retry = this.recorder.takeChanges();
      const put = [...new Map([...changes.put, ...retry.put].map((c) => [c.id, c])).values()].filter(
        (c) => this.recorder.get(c.id) !== undefined,
      );
      try {
        this.writeCount += await saveChanges(this.area, { put, remove: retry.remove, evicted: retry.evicted });
      } catch (again) {
        console.error('Hopscope: storage write failed again; chains stay in memory only', again);
      }
    }
  }
}
