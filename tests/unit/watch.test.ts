/**
 * Subresources are listened to while a panel watches (src/background/watch.ts): a started worker
 * listens at once (its first turn), keeps listening while it cannot know whether a page watches,
 * and stops once it knows nobody does; session storage carries "a page was watching" across a
 * worker stop, so that a restarted worker waits for its panels instead of dropping their events.
 * When the last panel goes, the listeners stay for a grace in which a reloading panel comes back.
 * The hub's side: the panel's subscription watches, the popup's does not, a closed port stops.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PortHub } from '../../src/background/ports.ts';
import { RECONNECT_GRACE_MS, SubresourceWatch, UNWATCH_GRACE_MS, WATCHING_KEY } from '../../src/background/watch.ts';
import { Recorder } from '../../src/core/record/recorder.ts';
import { PORT_NAME, PROTOCOL_VERSION } from '../../src/shared/protocol.ts';

function fakeListeners() {
  const log: string[] = [];
  let on = false;
  return {
    log,
    listeners: {
      get on() {
        return on;
      },
      add() {
        if (!on) log.push('add');
        on = true;
      },
      remove() {
        if (on) log.push('remove');
        on = false;
      },
    },
  };
}

function fakeArea(initial: Record<string, unknown> = {}) {
  const data = { ...initial };
  return {
    data,
    async get(key?: null | string | string[]) {
      if (typeof key === 'string') return key in data ? { [key]: data[key] } : {};
      return { ...data };
    },
    async set(items: Record<string, unknown>) {
      Object.assign(data, items);
    },
    async remove(keys: string | string[]) {
      for (const k of Array.isArray(keys) ? keys : [keys]) delete data[k];
    },
  };
}

/** A worker started after one that stopped with a panel watching: restoring, in its reconnect grace. */
function afterStopWithPanel() {
  const { listeners, log } = fakeListeners();
  const area = fakeArea({ [WATCHING_KEY]: true });
  const watch = new SubresourceWatch(listeners, area);
  return { listeners, log, area, watch, restored: watch.restore() };
}

/** Lets the storage promises settle (no timers involved). */
const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('SubresourceWatch', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('listens from the first turn, and stops as soon as it knows that nobody was watching', async () => {
    const { listeners, log } = fakeListeners();
    const watch = new SubresourceWatch(listeners, fakeArea());
    expect(listeners.on).toBe(true);
    await watch.restore();
    expect(listeners.on).toBe(false);
    expect(log).toEqual(['add', 'remove']);
  });

  it('listens while a panel watches, stops a grace after the last one goes, and says so in storage', async () => {
    const { listeners } = fakeListeners();
    const area = fakeArea();
    const watch = new SubresourceWatch(listeners, area);
    await watch.restore();
    const first = watch.watch();
    const second = watch.watch();
    await settle();
    expect(listeners.on).toBe(true);
    expect(area.data[WATCHING_KEY]).toBe(true);
    first();
    first(); // twice is once
    expect(watch.watching).toBe(1);
    expect(listeners.on).toBe(true);
    second();
    await vi.advanceTimersByTimeAsync(UNWATCH_GRACE_MS - 1);
    expect(watch.watching).toBe(0);
    expect(listeners.on).toBe(true);
    expect(area.data[WATCHING_KEY]).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(listeners.on).toBe(false);
    expect(WATCHING_KEY in area.data).toBe(false);
  });

  it('a panel that reloads within the grace after the last one went: the listeners stay on throughout', async () => {
    const { listeners, log } = fakeListeners();
    const area = fakeArea();
    const watch = new SubresourceWatch(listeners, area);
    await watch.restore();
    const before = watch.watch();
    before();
    await vi.advanceTimersByTimeAsync(UNWATCH_GRACE_MS - 1);
    const after = watch.watch();
    // The first grace's timer does not take the listeners off under the page that came back.
    await vi.advanceTimersByTimeAsync(UNWATCH_GRACE_MS * 2);
    expect(listeners.on).toBe(true);
    after();
    await vi.advanceTimersByTimeAsync(UNWATCH_GRACE_MS);
    expect(log).toEqual(['add', 'remove', 'add', 'remove']);
    expect(WATCHING_KEY in area.data).toBe(false);
  });

  it('says when the listeners went, once each time, so the chains they left under way can end', async () => {
    const { listeners } = fakeListeners();
    let stops = 0;
    const watch = new SubresourceWatch(listeners, fakeArea(), { stopped: () => stops++ });
    await watch.restore();
    expect(stops).toBe(1);
    const unwatch = watch.watch();
    watch.watch()();
    await vi.advanceTimersByTimeAsync(UNWATCH_GRACE_MS);
    expect(stops).toBe(1); // a page still watches
    unwatch();
    unwatch();
    await vi.advanceTimersByTimeAsync(UNWATCH_GRACE_MS);
    expect(stops).toBe(2);
    expect(listeners.on).toBe(false);
  });

  it('a page that comes and goes again within the grace gets a whole grace of its own', async () => {
    const { listeners } = fakeListeners();
    const watch = new SubresourceWatch(listeners, fakeArea());
    await watch.restore();
    watch.watch()();
    await vi.advanceTimersByTimeAsync(UNWATCH_GRACE_MS - 2);
    watch.watch()();
    // The first grace would have ended here; the second has 2 ms behind it.
    await vi.advanceTimersByTimeAsync(2);
    expect(listeners.on).toBe(true);
    await vi.advanceTimersByTimeAsync(UNWATCH_GRACE_MS - 2);
    expect(listeners.on).toBe(false);
  });

  it('a worker whose reconnect grace ends during the unwatch grace keeps listening until that ends', async () => {
    const { listeners, watch, restored } = afterStopWithPanel();
    await vi.advanceTimersByTimeAsync(RECONNECT_GRACE_MS - 100);
    watch.watch()();
    await vi.advanceTimersByTimeAsync(100);
    await restored;
    expect(listeners.on).toBe(true);
    await vi.advanceTimersByTimeAsync(UNWATCH_GRACE_MS);
    expect(listeners.on).toBe(false);
  });

  it('after a stop with a panel watching, keeps listening for the grace period, then follows the panels', async () => {
    const { listeners, area, restored } = afterStopWithPanel();
    await settle();
    await vi.advanceTimersByTimeAsync(RECONNECT_GRACE_MS - 1);
    expect(listeners.on).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    await restored;
    // Nobody came back: off, and the next start need not wait.
    expect(listeners.on).toBe(false);
    await settle();
    expect(WATCHING_KEY in area.data).toBe(false);
  });

  it('a panel that connects again within the grace period keeps the listeners on throughout', async () => {
    const { log, area, watch, restored } = afterStopWithPanel();
    await vi.advanceTimersByTimeAsync(100);
    const unwatch = watch.watch();
    await vi.advanceTimersByTimeAsync(RECONNECT_GRACE_MS);
    await restored;
    expect(log).toEqual(['add']);
    expect(area.data[WATCHING_KEY]).toBe(true);
    unwatch();
    await vi.advanceTimersByTimeAsync(UNWATCH_GRACE_MS);
    expect(log).toEqual(['add', 'remove']);
    expect(WATCHING_KEY in area.data).toBe(false);
  });

  it('an unreadable storage counts as nobody watching; a panel still switches the listeners on', async () => {
    const { listeners } = fakeListeners();
    const area = fakeArea();
    area.get = () => Promise.reject(new Error('storage gone'));
    const watch = new SubresourceWatch(listeners, area);
    await watch.restore();
    expect(listeners.on).toBe(false);
    watch.watch();
    expect(listeners.on).toBe(true);
  });
});

describe('the hub and the watch', () => {
  function port(url: string) {
    const onMessage: Array<(m: unknown) => void> = [];
    const onDisconnect: Array<() => void> = [];
    return {
      port: {
        name: PORT_NAME,
        sender: { id: 'abc', url },
        postMessage: () => undefined,
        disconnect: () => undefined,
        onMessage: { addListener: (fn: (m: unknown) => void) => onMessage.push(fn) },
        onDisconnect: { addListener: (fn: () => void) => onDisconnect.push(fn) },
      },
      send: (m: unknown) => {
        for (const fn of onMessage) fn(m);
      },
      close: () => {
        for (const fn of onDisconnect) fn();
      },
    };
  }

  it('counts the subscriptions that ask for subresources, until their page goes', async () => {
    let watching = 0;
    const hub = new PortHub({
      recorder: new Recorder(),
      ready: Promise.resolve(),
      ownOrigin: 'chrome-extension://abc',
      extensionId: 'abc',
      onClear: () => undefined,
      watch: () => {
        watching++;
        return () => {
          watching--;
        };
      },
    });
    const panel = port('chrome-extension://abc/extension/panel.html');
    const popup = port('chrome-extension://abc/extension/popup.html');
    hub.accept(panel.port as never);
    hub.accept(popup.port as never);
    popup.send({ type: 'hopscope/subscribe', version: PROTOCOL_VERSION, tabId: 4 });
    panel.send({ type: 'hopscope/subscribe', version: PROTOCOL_VERSION, tabId: 4, subresources: true });
    await settle();
    expect(watching).toBe(1);
    // Another tab picked in the same panel: still one page watching.
    panel.send({ type: 'hopscope/subscribe', version: PROTOCOL_VERSION, tabId: null, subresources: true });
    await settle();
    expect(watching).toBe(1);
    popup.close();
    expect(watching).toBe(1);
    panel.close();
    expect(watching).toBe(0);
  });
});
