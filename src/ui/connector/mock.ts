import type { Chain } from '../../core/model/chain.ts';
import type { Connector, ConnectorEvent, TabInfo, Theme } from './types.ts';

interface Listener {
  tabId: number | null;
  fn(e: ConnectorEvent): void;
}

/** An in-memory connector for component tests and for running the pages outside an extension. */
export class MockConnector implements Connector {
  private readonly listeners = new Set<Listener>();
  chains: Chain[];
  evicted = 0;
  /** The clears the "worker" received, in order. */
  cleared: Array<number | null> = [];
  /** The tabs the full view was opened on. */
  opened: number[] = [];
  /** The journey each tab shows now. */
  current = new Map<number, string>();
  private connected = true;
  /** Clears asked for while disconnected: they reach the "worker" on reconnect. */
  private waiting: Array<number | null> = [];

  constructor(
    chains: Chain[] = [],
    private readonly options: { inspectedTabId?: number; theme?: Theme; tabs?: TabInfo[] } = {},
  ) {
    this.chains = chains;
  }

  inspectedTabId(): number | undefined {
    return this.options.inspectedTabId;
  }

  theme(): Theme {
    return this.options.theme ?? 'light';
  }

  async listTabs(): Promise<TabInfo[]> {
    return this.options.tabs ?? [];
  }

  subscribe(tabId: number | null, fn: (e: ConnectorEvent) => void): () => void {
    const entry: Listener = { tabId, fn };
    this.listeners.add(entry);
    if (this.connected) this.snapshot(entry);
    else fn({ type: 'status', connected: false });
    return () => this.listeners.delete(entry);
  }

  clear(tabId: number | null): void {
    if (!this.connected) {
      this.waiting.push(tabId);
      return;
    }
    const removed = this.apply(tabId);
    for (const l of this.listeners) {
      l.fn({ type: 'hopscope/update', chains: [], removed, evicted: this.evicted, current: this.currentOf(l.tabId) });
    }
  }

  async activeTabId(): Promise<number | undefined> {
    return this.options.inspectedTabId ?? this.options.tabs?.[0]?.id;
  }

  openFullView(tabId: number): void {
    this.opened.push(tabId);
  }

  /** Simulates chains arriving from the recorder. */
  push(...chains: Chain[]): void {
    for (const chain of chains) {
      const i = this.chains.findIndex((c) => c.id === chain.id);
      if (i >= 0) this.chains[i] = chain;
      else this.chains.push(chain);
    }
    for (const l of this.listeners) {
      l.fn({
        type: 'hopscope/update',
        chains: this.forTab(l.tabId, chains),
        removed: [],
        evicted: this.evicted,
        current: this.currentOf(l.tabId),
      });
    }
  }

  /** Simulates the service worker stopping: the connection is lost until reconnect(). */
  disconnect(): void {
    this.connected = false;
    for (const l of this.listeners) l.fn({ type: 'status', connected: false });
  }

  /** The worker is back: clears asked for meanwhile apply first, then a fresh snapshot. */
  reconnect(): void {
    this.connected = true;
    for (const tabId of this.waiting.splice(0)) this.apply(tabId);
    for (const l of this.listeners) this.snapshot(l);
  }

  /** Simulates a service worker restart: disconnected, then a fresh snapshot. */
  restart(): void {
    this.disconnect();
    this.reconnect();
  }

  private snapshot({ tabId, fn }: Listener): void {
    fn({ type: 'status', connected: true });
    fn({
      type: 'hopscope/snapshot',
      chains: this.forTab(tabId, this.chains),
      evicted: this.evicted,
      current: this.currentOf(tabId),
    });
  }

  /** Forgets the chains of a tab (null: all); returns their ids. */
  private apply(tabId: number | null): string[] {
    this.cleared.push(tabId);
    const removed = this.forTab(tabId, this.chains).map((c) => c.id);
    this.chains = this.chains.filter((c) => !removed.includes(c.id));
    return removed;
  }

  private currentOf(tabId: number | null): string | null {
    return tabId === null ? null : (this.current.get(tabId) ?? null);
  }

  private forTab(tabId: number | null, chains: Chain[]): Chain[] {
    return chains.filter((c) => tabId === null || c.tabId === tabId);
  }
}
