/**
 * Long-lived ports to extension pages (DevTools panel, panel tab, popup). Each port subscribes
 * to one tab or to all; it gets a snapshot, then the recorder's changes in batches. Only the
 * extension's own pages may connect, and every message is validated against the protocol.
 */
import type { Runtime } from 'webextension-polyfill';
import type { Chain } from '../core/model/chain.ts';
import type { Recorder } from '../core/record/recorder.ts';
import {
  type PageMessage,
  PORT_NAME,
  PROTOCOL_VERSION,
  parsePageMessage,
  type WorkerMessage,
} from '../shared/protocol.ts';

/**
 * Updates to one page are sent at most this often, so a burst of events is one message. Each
 * send encodes every chain that changed in full, in the worker: a page's redirected images,
 * touched at each hop, went again at each change at 50 ms; at 200 ms most go once (worker CPU per hop
 * with a panel open 850 → 735 µs, the floor ~550; README, Performance). The page paints about
 * as often as DevTools' Network panel does.
 */
export const UPDATE_INTERVAL_MS = 200;
/**
 * Chains in the first snapshot message (the newest: a first screen's worth, so the page paints
 * them at once; a panel 1,000 px tall shows 24 rows, the next come in the first chunk, asked for
 * once these are painted), then in each later chunk (small, so that receiving and analyzing one
 * is a short task on the page and its frames and input go between them). 25 instead of 50: the
 * first row painted 10–18 ms sooner (half the analysis and encoding before it).
 */
export const SNAPSHOT_FIRST = 25;
const SNAPSHOT_CHUNK = 250;

interface Subscriber {
  port: Runtime.Port;
  tabId: number | null | undefined;
  changed: Map<string, Chain>;
  removed: Set<string>;
  timer?: ReturnType<typeof setTimeout>;
  /** The ids of the snapshot's older chains not sent yet, newest last (see hopscope/more). */
  older: string[];
  /** Set while this page shows subresource chains: ends its share in recording them. */
  unwatch?: () => void;
}

export interface PortHubOptions {
  recorder: Recorder;
  ready: Promise<void>;
  /** Origin of the extension's own pages: nothing else may connect. */
  ownOrigin: string;
  extensionId: string;
  onClear(tabId: number | null): void;
  /** A page that shows subresource chains subscribed; the returned function: it went away. */
  watch?(): () => void;
}

export class PortHub {
  private readonly subscribers = new Set<Subscriber>();

  constructor(private readonly opts: PortHubOptions) {
    opts.recorder.subscribe((change) => {
      for (const sub of this.subscribers) {
        if (sub.tabId === undefined) continue;
        if (change.type === 'put') {
          if (sub.tabId !== null && change.chain.tabId !== sub.tabId) continue;
          sub.changed.set(change.chain.id, change.chain);
          sub.removed.delete(change.chain.id);
        } else {
          for (const id of change.ids) {
            sub.changed.delete(id);
            sub.removed.add(id);
          }
        }
        this.schedule(sub);
      }
    });
  }

  /** Accepts a port from onConnect; other extensions and web pages are refused. */
  accept(port: Runtime.Port): void {
    if (port.name !== PORT_NAME) return;
    const sender = port.sender;
    if (sender?.id !== this.opts.extensionId || !sender.url?.startsWith(this.opts.ownOrigin)) {
      port.disconnect();
      return;
    }
    const sub: Subscriber = { port, tabId: undefined, changed: new Map(), removed: new Set(), older: [] };
    this.subscribers.add(sub);
    port.onMessage.addListener((raw: unknown) => {
      const message = parsePageMessage(raw);
      if (!message) {
        this.post(sub, {
          type: 'hopscope/error',
          message: 'Unknown message; the panel and worker may be out of date.',
        });
        return;
      }
      void this.handle(sub, message);
    });
    port.onDisconnect.addListener(() => {
      if (sub.timer !== undefined) clearTimeout(sub.timer);
      this.subscribers.delete(sub);
      sub.unwatch?.();
    });
  }

  private async handle(sub: Subscriber, message: PageMessage): Promise<void> {
    await this.opts.ready;
    switch (message.type) {
      case 'hopscope/subscribe': {
        if (message.version !== PROTOCOL_VERSION) {
          this.post(sub, {
            type: 'hopscope/error',
            message: `This page speaks protocol ${message.version}, the extension ${PROTOCOL_VERSION}: reload the page.`,
          });
          return;
        }
        sub.tabId = message.tabId;
        if (message.subresources && !sub.unwatch) sub.unwatch = this.opts.watch?.();
        else if (!message.subresources && sub.unwatch) {
          sub.unwatch();
          sub.unwatch = undefined;
        }
        sub.changed.clear();
        sub.removed.clear();
        const chains = this.opts.recorder.list().filter((c) => message.tabId === null || c.tabId === message.tabId);
        // The newest chains first, so the list paints at once; older ones follow a chunk at a
        // time, each when the page asks for it, having shown the last: one message of 10,000
        // chains takes seconds to encode (over 64 MiB it fails), and chunks sent unasked queue
        // up in the page's process, ahead of its frames (and of the next page opened).
        const first = chains.slice(-SNAPSHOT_FIRST);
        sub.older = chains.slice(0, chains.length - first.length).map((c) => c.id);
        this.post(sub, {
          type: 'hopscope/snapshot',
          chains: first,
          evicted: this.opts.recorder.evicted,
          current: this.currentOf(message.tabId),
          more: sub.older.length > 0,
        });
        return;
      }
      case 'hopscope/more': {
        if (!sub.older.length) return;
        // Read each chain again now: it may have changed or gone since the snapshot.
        const chunk = sub.older
          .splice(-SNAPSHOT_CHUNK)
          .map((id) => this.opts.recorder.get(id))
          .filter((c): c is Chain => c !== undefined);
        this.postUpdate(sub, chunk, [], sub.older.length > 0);
        return;
      }
      case 'hopscope/clear':
        this.opts.onClear(message.tabId);
        return;
    }
  }

  private currentOf(tabId: number | null): string | null {
    return tabId === null ? null : (this.opts.recorder.currentChain(tabId)?.id ?? null);
  }

  private schedule(sub: Subscriber): void {
    if (sub.timer !== undefined) return;
    sub.timer = setTimeout(() => {
      sub.timer = undefined;
      const chains = [...sub.changed.values()].sort((a, b) => a.startTime - b.startTime);
      const removed = [...sub.removed];
      sub.changed.clear();
      sub.removed.clear();
      if (chains.length || removed.length) this.postUpdate(sub, chains, removed);
    }, UPDATE_INTERVAL_MS);
  }

  private postUpdate(sub: Subscriber, chains: Chain[], removed: string[], more?: boolean): void {
    this.post(sub, {
      type: 'hopscope/update',
      chains,
      removed,
      evicted: this.opts.recorder.evicted,
      current: this.currentOf(sub.tabId ?? null),
      ...(more === undefined ? {} : { more }),
    });
  }

  private post(sub: Subscriber, message: WorkerMessage): void {
    try {
      sub.port.postMessage(message);
    } catch {
      // The page went away between the change and the send.
      this.subscribers.delete(sub);
      sub.unwatch?.();
    }
  }
}
