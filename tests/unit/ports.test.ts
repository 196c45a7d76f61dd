/**
 * The panel protocol with fake ports. The worker's side: only the extension's own pages may
 * subscribe; a big store arrives newest first, in chunks, each chain once; bad messages get an
 * error back instead of an answer. Both sides: the pages' connector against the worker's hub,
 * through a worker that stops and comes back.
 */

import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { PortHub, SNAPSHOT_FIRST } from '../../src/background/ports.ts';
import type { Chain as ChainFacts } from '../../src/core/model/chain.ts';
import { Recorder } from '../../src/core/record/recorder.ts';
import {
  PORT_NAME,
  PROTOCOL_VERSION,
  parseMetaRefreshMessage,
  parsePageMessage,
  parseWorkerMessage,
  type WorkerMessage,
} from '../../src/shared/protocol.ts';
import { createExtensionConnector } from '../../src/ui/connector/extension.ts';
import type { ConnectorEvent } from '../../src/ui/connector/types.ts';
import { type ChainsState, chainsReducer } from '../../src/ui/use-chains.ts';
import { factsOf, feed, redirectedRequest } from './helpers.ts';

const INITIAL_FOR_TEST = chainsReducer({} as ChainsState, { type: 'reset' });

// The connector reaches the worker only through runtime.connect: the test's worker answers it.
const runtime = vi.hoisted(() => ({ connect: (_info: { name: string }): unknown => undefined }));
vi.mock('webextension-polyfill', () => ({
  default: { runtime: { connect: (info: { name: string }) => runtime.connect(info) } },
}));

const OWN = 'chrome-extension://abc';

function fakePort(senderUrl = `${OWN}/extension/panel.html`, id = 'abc') {
  const sent: WorkerMessage[] = [];
  const listeners: Array<(m: unknown) => void> = [];
  const port = {
    name: PORT_NAME,
    sender: { id, url: senderUrl },
    postMessage: (m: WorkerMessage) => sent.push(structuredClone(m)),
    disconnect: vi.fn(),
    onMessage: { addListener: (fn: (m: unknown) => void) => listeners.push(fn) },
    onDisconnect: { addListener: () => undefined },
  };
  const send = (m: unknown) => {
    for (const fn of listeners) fn(m);
  };
  return { port, sent, send };
}

function hubWith(n: number) {
  const recorder = new Recorder();
  for (let i = 0; i < n; i++) feed(recorder, redirectedRequest(`r${i}`, i));
  const hub = new PortHub({ recorder, ready: Promise.resolve(), ownOrigin: OWN, extensionId: 'abc', onClear: vi.fn() });
  return { recorder, hub };
}

describe('protocol validators', () => {
  it('read the messages they know, without keys they do not, and refuse anything else', () => {
    expect(parsePageMessage({ type: 'hopscope/subscribe', version: 1, tabId: null, extra: 1 })).toEqual({
      type: 'hopscope/subscribe',
      version: 1,
      tabId: null,
    });
    expect(parsePageMessage({ type: 'hopscope/clear', tabId: 3 })).toEqual({ type: 'hopscope/clear', tabId: 3 });
    for (const bad of [
      null,
      'hopscope/clear',
      { type: 'hopscope/evil' },
      { type: 'hopscope/subscribe', version: '1', tabId: null },
      { type: 'hopscope/subscribe', version: 1, tabId: 1.5 },
      { type: 'hopscope/clear', tabId: 'all' },
      { type: 'hopscope/clear' },
    ]) {
      expect(parsePageMessage(bad), JSON.stringify(bad)).toBeUndefined();
    }
    const update = { type: 'hopscope/update', chains: [], removed: ['a'], evicted: 0, current: null };
    expect(parseWorkerMessage(update)).toEqual(update);
    expect(parseWorkerMessage({ ...update, removed: [1] })).toBeUndefined();
    expect(parseWorkerMessage({ type: 'hopscope/snapshot', chains: [1], evicted: 0, current: null })).toBeUndefined();
    const meta = { type: 'hopscope/meta-refresh', url: 'http://a.test/', content: '0; url=/b' };
    expect(parseMetaRefreshMessage(meta)).toEqual(meta);
    expect(parseMetaRefreshMessage({ ...meta, content: 'x'.repeat(4097) })).toBeUndefined();
    expect(parseMetaRefreshMessage({ ...meta, url: { toString: 1 } })).toBeUndefined();
  });
});

describe('PortHub', () => {
  it('sends a big store newest first, then a chunk each time the page asks, every chain once', async () => {
    const { hub } = hubWith(2500);
    const { port, sent, send } = fakePort();
    hub.accept(port as never);
    send({ type: 'hopscope/subscribe', version: PROTOCOL_VERSION, tabId: null });
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    const [snapshot] = sent;
    expect(snapshot?.type).toBe('hopscope/snapshot');
    const firstIds = snapshot && 'chains' in snapshot ? snapshot.chains.map((c) => c.id) : [];
    expect(firstIds).toHaveLength(SNAPSHOT_FIRST);
    expect(firstIds.at(-1)).toBe('r2499');
    // Nothing older is sent unasked: it would queue up ahead of the page's frames.
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toHaveLength(1);
    const more = () => (sent.at(-1) as { more?: boolean } | undefined)?.more === true;
    for (let asked = 0; more(); asked++) {
      expect(asked).toBeLessThan(100);
      send({ type: 'hopscope/more' });
      await vi.waitFor(() => expect(sent).toHaveLength(asked + 2));
    }
    const all = sent.flatMap((m) => ('chains' in m ? m.chains.map((c) => c.id) : []));
    expect(all).toHaveLength(2500);
    expect(new Set(all).size).toBe(2500);
    expect(sent.slice(1).every((m) => m.type === 'hopscope/update')).toBe(true);
    // Asked once more than there is: nothing.
    send({ type: 'hopscope/more' });
    await new Promise((r) => setTimeout(r, 20));
    expect(all).toHaveLength(sent.flatMap((m) => ('chains' in m ? m.chains : [])).length);
  });

  it('refuses pages of other extensions or the web', () => {
    const { hub } = hubWith(1);
    const web = fakePort('https://evil.test/', 'abc');
    hub.accept(web.port as never);
    expect(web.port.disconnect).toHaveBeenCalled();
    const other = fakePort('chrome-extension://other/x.html', 'other');
    hub.accept(other.port as never);
    expect(other.port.disconnect).toHaveBeenCalled();
  });

  it('answers a malformed or outdated message with an error, not data', async () => {
    const { hub } = hubWith(3);
    const { port, sent, send } = fakePort();
    hub.accept(port as never);
    send({ type: 'hopscope/subscribe', version: 'x', tabId: 'all' });
    send({ type: 'hopscope/subscribe', version: PROTOCOL_VERSION + 1, tabId: null });
    await vi.waitFor(() => expect(sent).toHaveLength(2));
    expect(sent.map((m) => m.type)).toEqual(['hopscope/error', 'hopscope/error']);
    expect(sent.some((m) => 'chains' in m)).toBe(false);
  });
});

type Listener = (m: unknown) => void;

/** One end of a port; what it posts reaches the other end a task later, as in Chromium. */
class End {
  readonly messages: Listener[] = [];
  readonly disconnects: Array<() => void> = [];
  other?: End;
  closed = false;
  constructor(
    readonly name: string,
    readonly sender?: { id: string; url: string },
  ) {}
  onMessage = { addListener: (fn: Listener) => this.messages.push(fn) };
  onDisconnect = { addListener: (fn: () => void) => this.disconnects.push(fn) };
  postMessage(m: unknown): void {
    if (this.closed) throw new Error('Attempting to use a disconnected port object');
    const copy = structuredClone(m);
    setTimeout(() => {
      if (!this.other?.closed) for (const fn of this.other?.messages ?? []) fn(copy);
    }, 0);
  }
  /** Closes this end; the other end hears of it a task later (what is in flight is lost). */
  disconnect(): void {
    if (this.closed) return;
    this.closed = true;
    setTimeout(() => {
      const other = this.other;
      if (!other || other.closed) return;
      other.closed = true;
      for (const fn of other.disconnects) fn();
    }, 0);
  }
}

/** A service worker to connect to: it can stop, and while it is down every port fails at once. */
function fakeWorker(recorder: Recorder) {
  const cleared: Array<number | null> = [];
  let hub: PortHub | undefined;
  const ports: End[] = [];
  const start = () => {
    hub = new PortHub({
      recorder,
      ready: Promise.resolve(),
      ownOrigin: OWN,
      extensionId: 'abc',
      onClear: (tabId) => {
        cleared.push(tabId);
        recorder.clear(tabId ?? undefined);
      },
    });
  };
  runtime.connect = ({ name }) => {
    const page = new End(name);
    const worker = new End(name, { id: 'abc', url: `${OWN}/extension/panel.html` });
    page.other = worker;
    worker.other = page;
    if (hub) {
      hub.accept(worker as never);
      ports.push(worker);
    } else {
      worker.disconnect();
    }
    return page;
  };
  start();
  return {
    cleared,
    start,
    stop() {
      hub = undefined;
      for (const port of ports.splice(0)) port.disconnect();
    },
  };
}

describe('the pages’ connector with the worker', () => {
  it('keeps a Clear asked while the worker is gone and sends it before the next subscription', async () => {
    const recorder = new Recorder();
    for (let i = 0; i < 3; i++) feed(recorder, redirectedRequest(`r${i}`, i));
    const worker = fakeWorker(recorder);
    const events: ConnectorEvent[] = [];
    const snapshots = () => events.filter((e) => e.type === 'hopscope/snapshot');
    const connector = createExtensionConnector();
    const stop = connector.subscribe(7, (e) => events.push(e));
    await vi.waitFor(() => expect(snapshots()).toHaveLength(1));
    expect(snapshots()[0]?.chains).toHaveLength(3);

    worker.stop();
    await vi.waitFor(() => expect(events.at(-1)).toEqual({ type: 'status', connected: false }));
    connector.clear(7);
    // Attempts to reconnect fail while the worker is down: the clear waits through them.
    await new Promise((r) => setTimeout(r, 300));
    expect(events.filter((e) => e.type === 'status' && !e.connected).length).toBeGreaterThan(1);
    expect(worker.cleared).toEqual([]);

    worker.start();
    await vi.waitFor(() => expect(snapshots()).toHaveLength(2));
    // The first snapshot of the new worker already shows the clear applied, once.
    expect(snapshots()[1]?.chains).toEqual([]);
    expect(worker.cleared).toEqual([7]);
    expect(recorder.list()).toEqual([]);
    stop();
  });
});

describe('a big store through the connector', () => {
  it('comes newest first, then a chunk each time the page has painted the last', async () => {
    const recorder = new Recorder();
    const n = SNAPSHOT_FIRST + 600;
    for (let i = 0; i < n; i++) feed(recorder, redirectedRequest(`r${i}`, i));
    fakeWorker(recorder);
    const frames: Array<() => void> = [];
    vi.stubGlobal('requestAnimationFrame', (paint: () => void) => frames.push(paint));
    const events: ConnectorEvent[] = [];
    const stop = createExtensionConnector().subscribe(7, (e) => events.push(e));
    const ids = () => events.flatMap((e) => ('chains' in e ? e.chains.map((c) => c.id) : []));
    await vi.waitFor(() => expect(ids()).toHaveLength(SNAPSHOT_FIRST));
    expect(ids().at(-1)).toBe(`r${n - 1}`);
    // No frame painted yet: nothing older is asked for, so nothing comes.
    await new Promise((r) => setTimeout(r, 150));
    expect(ids()).toHaveLength(SNAPSHOT_FIRST);
    for (let paints = 0; ids().length < n; paints++) {
      expect(paints).toBeLessThan(10);
      const before = ids().length;
      for (const paint of frames.splice(0)) paint();
      await vi.waitFor(() => expect(ids().length).toBeGreaterThan(before));
    }
    expect(new Set(ids()).size).toBe(n);
    stop();
    vi.unstubAllGlobals();
  });
});

describe('chainsReducer', () => {
  const [template] = factsOf('chain-3xx');
  const chain = (id: number, startTime: number, version = 0): ChainFacts => ({
    ...(template as ChainFacts),
    id: `c${id}`,
    startTime,
    hops: (template as ChainFacts).hops.map((h) => ({ ...h, url: `${h.url}?v=${version}` })),
  });
  const state = (chains: ChainFacts[]): ChainsState =>
    chainsReducer(chainsReducer(INITIAL_FOR_TEST, { type: 'status', connected: true }), {
      type: 'hopscope/snapshot',
      chains,
      evicted: 0,
      current: null,
    });
  /** The rule: an update's chains replace those with their ids, removed ids go, all sorted by start then id. */
  const reading = (before: ChainFacts[], changed: ChainFacts[], removed: string[]) => {
    const byId = new Map(before.map((c) => [c.id, c]));
    for (const id of removed) byId.delete(id);
    for (const c of changed) byId.set(c.id, c);
    return [...byId.values()]
      .sort((a, b) => a.startTime - b.startTime || a.id.localeCompare(b.id))
      .map((c) => `${c.id}@${c.startTime}${c.hops[0]?.url}`);
  };
  const facts = fc.array(
    fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 3 })),
    { maxLength: 25 },
  );

  it('an update replaces chains by id, drops removed ones and keeps start order', () => {
    fc.assert(
      fc.property(facts, facts, fc.array(fc.integer({ min: 0, max: 30 })), (a, b, gone) => {
        const before = [...new Map(a.map(([id, t, v]) => [id, chain(id, t, v)])).values()];
        const changed = b.map(([id, t, v]) => chain(id, t, v));
        const removed = gone.map((id) => `c${id}`);
        const after = chainsReducer(state(before), {
          type: 'hopscope/update',
          chains: changed,
          removed,
          evicted: 0,
          current: null,
        });
        expect(after.chains.map((c) => `${c.id}@${c.startTime}${c.hops[0]?.url}`)).toEqual(
          reading(before, changed, removed),
        );
      }),
    );
  });
});
