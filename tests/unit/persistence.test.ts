import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { INCOGNITO_KEY_PREFIX, incognitoArea } from '../../src/background/incognito.ts';
import { JOURNAL_KEY_PREFIX, loadChains, type StorageAreaLike, saveChanges } from '../../src/background/persistence.ts';
import { FLUSH_INTERVAL_MS, MAX_LOSS_MS, RecordingSession } from '../../src/background/recording.ts';
import { type Chain, RECORDING_STOPPED } from '../../src/core/model/chain.ts';
import type { RequestEvent } from '../../src/core/record/events.ts';
import { CHAIN_KEY_PREFIX, chainKey, META_KEY, STORAGE_VERSION } from '../../src/shared/storage-keys.ts';
import { factsOf, loadFixture, redirectedRequest, roundTrip } from './helpers.ts';

/** storage.session in memory: values are copied in and out, like the real (structured-clone) area. */
class MemoryArea implements StorageAreaLike {
  readonly data = new Map<string, unknown>();
  readonly setCalls: Array<Record<string, unknown>> = [];
  readonly removeCalls: string[][] = [];
  /** How many of the next set() calls fail with a quota error. */
  failSets = 0;
  /** When set, a set() that would make the stored JSON larger than this fails, like QUOTA_BYTES. */
  quotaBytes: number | undefined;
  getDelay: Promise<void> | undefined;

  async get(keys?: null | string | string[]): Promise<Record<string, unknown>> {
    await this.getDelay;
    const wanted = keys == null ? [...this.data.keys()] : typeof keys === 'string' ? [keys] : keys;
    const out: Record<string, unknown> = {};
    for (const k of wanted) if (this.data.has(k)) out[k] = structuredClone(this.data.get(k));
    return out;
  }

  async set(items: Record<string, unknown>): Promise<void> {
    this.setCalls.push(items);
    if (this.failSets > 0) {
      this.failSets--;
      throw new Error('QUOTA_BYTES quota exceeded');
    }
    if (this.quotaBytes !== undefined) {
      const next = new Map(this.data);
      for (const [k, v] of Object.entries(items)) next.set(k, v);
      if (sizeOf(next) > this.quotaBytes) throw new Error('QUOTA_BYTES quota exceeded');
    }
    for (const [k, v] of Object.entries(items)) this.data.set(k, structuredClone(v));
  }

  async remove(keys: string | string[]): Promise<void> {
    const list = typeof keys === 'string' ? [keys] : keys;
    this.removeCalls.push(list);
    for (const k of list) this.data.delete(k);
  }

  storedChains(): Chain[] {
    return [...this.data.entries()]
      .filter(([k]) => k.startsWith(CHAIN_KEY_PREFIX))
      .map(([, v]) => JSON.parse(v as string) as Chain);
  }
}

function sizeOf(data: Map<string, unknown>): number {
  let n = 0;
  for (const [k, v] of data) n += k.length + JSON.stringify(v).length;
  return n;
}

function burst(count: number): RequestEvent[] {
  const all: RequestEvent[] = [];
  for (let n = 0; n < count; n++) all.push(...redirectedRequest(`b${n}`, n));
  return all;
}

const byStart = (chains: Chain[]) => [...chains].sort((a, b) => a.startTime - b.startTime || a.id.localeCompare(b.id));

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('RecordingSession', () => {
  it('events that arrive while storage is still being read are applied after it, in order', async () => {
    const area = new MemoryArea();
    const events = [...loadFixture('chain-3xx'), ...loadFixture('post-303'), ...loadFixture('loop')];
    // The state a previous worker left: the first 7 events were recorded and written.
    const previous = new RecordingSession(area);
    await previous.ready;
    for (const e of events.slice(0, 7)) previous.handle(e);
    await previous.flush();

    let release = () => {};
    area.getDelay = new Promise((resolve) => {
      release = resolve;
    });
    const session = new RecordingSession(area);
    for (const e of events.slice(7)) session.handle(e); // the worker was woken by these
    expect(session.recorder.list()).toEqual([]); // nothing applied before the stored state is back
    release();
    await session.ready;
    expect(roundTrip(session.recorder.list())).toEqual(roundTrip(factsOf(events)));
    await vi.advanceTimersByTimeAsync(FLUSH_INTERVAL_MS);
    await session.flush();
    expect(byStart(area.storedChains())).toEqual(roundTrip(byStart(factsOf(events))));
  });

  it('subresource listeners that go while storage is read: a stored chain under way ends after it is back, and is written', async () => {
    const area = new MemoryArea();
    // A previous worker recorded a fetch through its 302, then stopped before the 200.
    const events = redirectedRequest('f1', 1);
    const cut = events.findIndex((e) => e.event === 'onBeforeRedirect') + 2; // the 302 and the next request's start
    const previous = new RecordingSession(area);
    await previous.ready;
    for (const e of events.slice(0, cut)) previous.handle(e);
    await previous.flush();
    expect(area.storedChains()[0]?.outcome.state).toBe('pending');

    let release = () => {};
    area.getDelay = new Promise((resolve) => {
      release = resolve;
    });
    const session = new RecordingSession(area);
    session.subresourcesStopped(1_900_000_000_000);
    const journalled = [...area.data.keys()].filter((k) => k.startsWith(JOURNAL_KEY_PREFIX));
    expect(journalled).toEqual([]); // nothing to replay: the next worker decides again
    release();
    await session.ready;
    expect(session.recorder.list()[0]?.outcome).toEqual({ state: 'error', error: RECORDING_STOPPED });
    await session.flush();
    expect(area.storedChains()[0]?.outcome).toEqual({ state: 'error', error: RECORDING_STOPPED });
  });

  it('a burst of 1,000 redirected requests is written in a handful of batches, each chain under its own key', async () => {
    const area = new MemoryArea();
    const session = new RecordingSession(area);
    await session.ready;
    const events = burst(1000);
    for (const e of events) session.handle(e);
    expect(area.setCalls).toHaveLength(0); // never a write per event
    await vi.advanceTimersByTimeAsync(FLUSH_INTERVAL_MS);
    await session.flush();
    expect(area.setCalls.length).toBeGreaterThanOrEqual(1);
    expect(area.setCalls.length).toBeLessThanOrEqual(3);
    expect(session.writes).toBe(area.setCalls.length + area.removeCalls.length);

    const chains = session.recorder.list();
    expect(chains).toHaveLength(1000);
    const keys = [...area.data.keys()].filter((k) => k.startsWith(CHAIN_KEY_PREFIX));
    expect(keys.sort()).toEqual(chains.map((c) => chainKey(c.id)).sort());
    // Each chain is stored as its JSON text (storage.session counts text byte for byte).
    for (const chain of chains) expect(area.data.get(chainKey(chain.id))).toBe(JSON.stringify(chain));
    expect(area.data.get(META_KEY)).toEqual({ version: STORAGE_VERSION, evicted: 0 });
  });

  it('events received while loading are journalled at once: a worker stopped before it loaded loses none', async () => {
    const area = new MemoryArea();
    const whole = byStart(factsOf(burst(20)));
    const events = burst(20);
    // The first worker records half, then is woken again and stopped while still loading.
    const first = new RecordingSession(area);
    await first.ready;
    for (const e of events.slice(0, events.length / 2)) first.handle(e);
    await first.flush();
    let never: () => void = () => undefined;
    area.getDelay = new Promise<void>((resolve) => {
      never = resolve;
    });
    const stopped = new RecordingSession(area);
    for (const e of events.slice(events.length / 2)) stopped.handle(e);
    await vi.advanceTimersByTimeAsync(FLUSH_INTERVAL_MS * 10);
    expect([...area.data.keys()].filter((k) => k.startsWith(JOURNAL_KEY_PREFIX))).toHaveLength(events.length / 2);
    // (stopped never finishes loading: its memory is gone with it)
    area.getDelay = undefined;
    const next = new RecordingSession(area);
    await next.ready;
    await next.flush();
    expect(byStart(next.recorder.list())).toEqual(whole);
    expect(byStart(area.storedChains())).toEqual(roundTrip(whole));
    expect([...area.data.keys()].filter((k) => k.startsWith(JOURNAL_KEY_PREFIX))).toEqual([]);
    // A journal replayed again (the worker stopped before deleting it) adds nothing twice.
    const again = new RecordingSession(area);
    for (const e of events.slice(0, 6)) again.handle(e);
    await again.ready;
    await again.flush();
    expect(byStart(again.recorder.list())).toEqual(whole);
    never();
  });

  it(`every change is in storage within ${FLUSH_INTERVAL_MS} ms of its event, one write per window, not one per event`, async () => {
    const area = new MemoryArea();
    const session = new RecordingSession(area);
    await session.ready;
    const events = burst(50);
    const step = Math.ceil(events.length / 10);
    for (let i = 0; i < events.length; i += step) {
      for (const e of events.slice(i, i + step)) session.handle(e);
      await vi.advanceTimersByTimeAsync(FLUSH_INTERVAL_MS / 4);
    }
    // A stream of events does not hold the write back: the first change's deadline holds.
    expect(area.setCalls.length).toBeGreaterThanOrEqual(2);
    expect(area.setCalls.length).toBeLessThanOrEqual(4);
    const written = area.setCalls.length;
    await vi.advanceTimersByTimeAsync(FLUSH_INTERVAL_MS);
    expect(byStart(area.storedChains())).toEqual(roundTrip(byStart(session.recorder.list())));
    expect(area.storedChains()).toHaveLength(50);
    expect(area.setCalls.length).toBeLessThanOrEqual(written + 1);
    expect(MAX_LOSS_MS).toBeGreaterThanOrEqual(FLUSH_INTERVAL_MS);
    expect(MAX_LOSS_MS).toBeLessThanOrEqual(250);
  });

  it('a later batch writes only the chains that changed, never one shared value', async () => {
    const area = new MemoryArea();
    const session = new RecordingSession(area);
    await session.ready;
    const chain3xx = loadFixture('chain-3xx');
    const ok = loadFixture('ok');
    for (const e of [...chain3xx.slice(0, 3), ...ok]) session.handle(e);
    await session.flush();
    const before = area.setCalls.length;
    for (const e of chain3xx.slice(3)) session.handle(e);
    await session.flush();
    const last = area.setCalls.at(-1) ?? {};
    expect(area.setCalls.length).toBe(before + 1);
    expect(Object.keys(last).sort()).toEqual([chainKey('1'), META_KEY]);
    const stored = (id: string) => JSON.parse(area.data.get(chainKey(id)) as string) as Chain;
    expect(stored('1').hops).toHaveLength(6);
    expect(stored('26').hops).toHaveLength(1);
  });

  it('after a worker restart the chains come back, and a chain cut in half is completed', async () => {
    const area = new MemoryArea();
    const events = [...loadFixture('ok'), ...loadFixture('post-307'), ...loadFixture('hsts-header')];
    const cut = events.findIndex((e) => e.event === 'onBeforeRedirect' && e.details.url.endsWith('/sts/page'));
    const first = new RecordingSession(area);
    await first.ready;
    for (const e of events.slice(0, cut)) first.handle(e);
    await vi.advanceTimersByTimeAsync(FLUSH_INTERVAL_MS);
    await first.flush();
    const persisted = roundTrip(first.recorder.list());

    // The worker dies: memory is gone, storage.session stays.
    const second = new RecordingSession(area);
    await second.ready;
    // Restored oldest first (the fixtures were recorded in another order than they are fed here).
    expect(roundTrip(second.recorder.list())).toEqual(byStart(persisted));
    for (const e of events.slice(cut)) second.handle(e);
    await vi.advanceTimersByTimeAsync(FLUSH_INTERVAL_MS);
    await second.flush();

    const expected = roundTrip(factsOf(events));
    expect(byStart(roundTrip(second.recorder.list()))).toEqual(byStart(expected));
    const { chains } = await loadChains(area);
    expect(byStart(chains)).toEqual(byStart(expected));
    const page = chains.find((c) => c.hops[0]?.url === 'http://sts.test:47801/sts/page');
    expect(page?.hops.map((h) => [h.statusCode, h.kind])).toEqual([
      [307, 'internal'],
      [200, 'server'],
    ]);
  });

  it('evicted chains are removed from storage and the count survives a restart', async () => {
    const area = new MemoryArea();
    const session = new RecordingSession(area, { maxChains: 2 });
    await session.ready;
    for (const e of [...loadFixture('chain-3xx'), ...loadFixture('post-303'), ...loadFixture('ok')]) session.handle(e);
    await session.flush();
    expect(
      area
        .storedChains()
        .map((c) => c.id)
        .sort(),
    ).toEqual(['26', '5']);
    expect(area.data.get(META_KEY)).toEqual({ version: STORAGE_VERSION, evicted: 1 });
    session.recorder.clear();
    await session.flush();
    expect(area.storedChains()).toEqual([]);
    const restarted = new RecordingSession(area);
    await restarted.ready;
    expect(restarted.recorder.list()).toEqual([]);
    expect(restarted.recorder.evicted).toBe(1);
  });

  it('a quota error evicts older chains, retries once, and keeps what it can', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const area = new MemoryArea();
    area.failSets = 1;
    const session = new RecordingSession(area);
    await session.ready;
    for (const e of burst(400)) session.handle(e);
    await vi.advanceTimersByTimeAsync(FLUSH_INTERVAL_MS);
    await session.flush();

    expect(area.setCalls).toHaveLength(2); // the failed write and one retry
    expect(warn).toHaveBeenCalledTimes(1);
    const kept = session.recorder.list();
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(400);
    expect(session.recorder.evicted).toBe(400 - kept.length);
    // The newest chains stay, in memory and in storage alike.
    expect(kept.at(-1)?.id).toBe('b399');
    expect(
      area
        .storedChains()
        .map((c) => c.id)
        .sort(),
    ).toEqual(kept.map((c) => c.id).sort());
    expect(area.data.get(META_KEY)).toEqual({ version: STORAGE_VERSION, evicted: session.recorder.evicted });

    // Recording goes on normally afterwards.
    for (const e of redirectedRequest('after', 1000)) session.handle(e);
    await vi.advanceTimersByTimeAsync(FLUSH_INTERVAL_MS);
    await session.flush();
    expect(area.data.has(chainKey('after'))).toBe(true);
    expect(area.setCalls).toHaveLength(3);
  });

  it('several writes refused at once lower the budget once, not once each', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const area = new MemoryArea();
    const session = new RecordingSession(area);
    await session.ready;
    for (const e of burst(100)) session.handle(e);
    await session.flush();
    const shrink = vi.spyOn(session.recorder, 'shrink');
    area.failSets = 8; // every write below and its retry
    // Four writes under way together (each a flush, as a cleared store or a suspend asks for).
    const writes: Promise<void>[] = [];
    for (let n = 0; n < 4; n++) {
      for (const e of redirectedRequest(`late${n}`, 200 + n)) session.handle(e);
      writes.push(session.flush());
    }
    await Promise.all(writes);
    expect(area.setCalls.length).toBeGreaterThanOrEqual(5);
    expect(shrink).toHaveBeenCalledTimes(1);
    expect(session.recorder.list().length).toBeGreaterThan(40);
  });

  it('a journal stays until the chains it recorded are stored', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const area = new MemoryArea();
    let loaded: () => void = () => undefined;
    area.getDelay = new Promise<void>((resolve) => {
      loaded = resolve;
    });
    const session = new RecordingSession(area);
    for (const e of redirectedRequest('woke', 1)) session.handle(e);
    await Promise.resolve();
    const journal = () => [...area.data.keys()].filter((k) => k.startsWith(JOURNAL_KEY_PREFIX));
    const count = journal().length;
    expect(count).toBeGreaterThan(0);
    area.failSets = 2; // the chains' write and its retry are refused
    loaded();
    await session.ready;
    await session.flush();
    expect(journal()).toHaveLength(count);
    expect(area.data.has(chainKey('woke'))).toBe(false);
    // Storage takes writes again: the chains are stored, then the journal goes.
    for (const e of redirectedRequest('next', 2)) session.handle(e);
    await session.flush();
    expect(area.data.has(chainKey('woke'))).toBe(true);
    expect(journal()).toEqual([]);
  });

  it('storage that keeps refusing does not make it loop or lose the chains in memory', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const area = new MemoryArea();
    area.quotaBytes = 0;
    const session = new RecordingSession(area);
    await session.ready;
    for (const e of burst(300)) session.handle(e);
    await vi.advanceTimersByTimeAsync(FLUSH_INTERVAL_MS);
    await session.flush();
    // The write at the end of the events' task and its retry; perhaps the batch timer's too.
    const tried = area.setCalls.length;
    expect(tried).toBeGreaterThanOrEqual(2);
    expect(tried).toBeLessThanOrEqual(4);
    expect(error).toHaveBeenCalledTimes(tried / 2);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(area.setCalls).toHaveLength(tried); // no retry storm: nothing new, nothing written
    expect(session.recorder.list().length).toBeGreaterThan(0);
    expect(area.storedChains()).toEqual([]);
  });

  it('a quota smaller than the recording is met by evicting down to it', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const area = new MemoryArea();
    const session = new RecordingSession(area);
    await session.ready;
    for (const e of burst(400)) session.handle(e);
    const full = session.recorder.list().reduce((n, c) => n + JSON.stringify(c).length, 0);
    area.quotaBytes = Math.floor(full * 0.7);
    await vi.advanceTimersByTimeAsync(FLUSH_INTERVAL_MS);
    await session.flush();
    expect(area.setCalls).toHaveLength(2);
    expect(area.storedChains().length).toBe(session.recorder.list().length);
    expect(sizeOf(area.data)).toBeLessThanOrEqual(area.quotaBytes);
  });

  it('unreadable storage does not stop recording', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const area = new MemoryArea();
    area.get = () => Promise.reject(new Error('storage gone'));
    const session = new RecordingSession(area);
    for (const e of loadFixture('ok')) session.handle(e);
    await session.ready;
    expect(session.recorder.list().map((c) => c.hops.length)).toEqual([1]);
  });
});

describe('loadChains / saveChanges', () => {
  it('reads chains stored as text or as objects, and skips text that is not JSON', async () => {
    const area = new MemoryArea();
    const [a, b] = factsOf('chain-3xx').concat(factsOf('ok'));
    area.data.set(chainKey('a'), JSON.stringify(a));
    area.data.set(chainKey('b'), roundTrip(b));
    area.data.set(chainKey('cut'), '{"id":"cut","hops":[');
    expect((await loadChains(area)).chains).toEqual([roundTrip(a), roundTrip(b)]);
  });

  it('ignores data written by another storage version', async () => {
    const area = new MemoryArea();
    const chains = factsOf('chain-3xx');
    await saveChanges(area, { put: chains, remove: [], evicted: 4 });
    expect(await loadChains(area)).toEqual({ chains: roundTrip(chains), evicted: 4, journal: [] });
    area.data.set(META_KEY, { version: STORAGE_VERSION + 1, evicted: 9 });
    expect(await loadChains(area)).toEqual({ chains: [], evicted: 0, journal: [] });
  });

  it('writes nothing when nothing changed', async () => {
    const area = new MemoryArea();
    expect(await saveChanges(area, { put: [], remove: [], evicted: 0 })).toBe(0);
    expect(area.setCalls).toEqual([]);
  });
});

describe("an incognito worker's chains (split mode; storage.session shared with the normal worker)", () => {
  const events = () => redirectedRequest('inc', 2);

  it('are kept under keys the normal worker never reads, and read back by the same incognito session', async () => {
    const shared = new MemoryArea();
    const normal = new RecordingSession(shared);
    const incognito = new RecordingSession(incognitoArea(shared, Promise.resolve({ id: 's1', isNew: true })));
    await Promise.all([normal.ready, incognito.ready]);
    for (const e of events()) incognito.handle(e);
    await incognito.flush();
    const keys = [...shared.data.keys()];
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k.startsWith(`${INCOGNITO_KEY_PREFIX}s1/`))).toBe(true);
    expect((await loadChains(shared)).chains).toEqual([]);
    // The incognito worker restarted within the same session: its chains come back.
    const again = new RecordingSession(incognitoArea(shared, Promise.resolve({ id: 's1', isNew: false })));
    await again.ready;
    expect(again.recorder.list().map((c) => c.requestId)).toEqual(['inc']);
  });

  it('a new incognito session starts empty and removes what an earlier one left', async () => {
    const shared = new MemoryArea();
    const earlier = new RecordingSession(incognitoArea(shared, Promise.resolve({ id: 'old', isNew: true })));
    await earlier.ready;
    for (const e of events()) earlier.handle(e);
    await earlier.flush();
    const normal = new RecordingSession(shared);
    await normal.ready;
    for (const e of redirectedRequest('norm', 1)) normal.handle(e);
    await normal.flush();

    const next = new RecordingSession(incognitoArea(shared, Promise.resolve({ id: 'new', isNew: true })));
    await next.ready;
    expect(next.recorder.list()).toEqual([]);
    expect([...shared.data.keys()].filter((k) => k.startsWith(INCOGNITO_KEY_PREFIX))).toEqual([]);
    expect((await loadChains(shared)).chains.map((c) => c.requestId)).toEqual(['norm']);
  });
});
