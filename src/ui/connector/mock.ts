import type { Chain } from '../../core/model/chain.ts';
import type { Connector, ConnectorEvent, TabInfo, Theme } from './types.ts';

/** An in-memory connector for component tests and for running the panel outside an extension. */
export class MockConnector implements Connector {
  private readonly listeners = new Set<{ tabId: number | null; fn: (e: ConnectorEvent) => void }>();
  chains: Chain[];
  evicted = 0;
  cleared: Array<number | null> = [];
  opened: number[] = [];
  /** The journey each tab shows now. */
  current = new Map<number, string>();

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
    const entry = { tabId, fn };
    this.listeners.add(entry);
    fn({ type: 'status', connected: true });
    fn({
      type: 'snapshot',
      chains: this.forTab(tabId, this.chains),
      evicted: this.evicted,
      current: this.currentOf(tabId),
    });
    return () => this.listeners.delete(entry);
  }

  clear(tabId: number | null): void {
    this.cleared.push(tabId);
    const removed = this.chains.filter((c) => tabId === null || c.tabId === tabId).map((c) => c.id);
    this.chains = this.chains.filter((c) => !removed.includes(c.id));
    for (const l of this.listeners) {
      l.fn({ type: 'update', chains: [], removed, evicted: this.evicted, current: this.currentOf(l.tabId) });
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
        type: 'update',
        chains: this.forTab(l.tabId, chains),
        removed: [],
        evicted: this.evicted,
        current: this.currentOf(l.tabId),
      });
    }
  }

  /** Simulates a service worker restart: disconnected, then a fresh snapshot. */
  restart(): void {
    for (const l of this.listeners) {
      l.fn({ type: 'status', connected: false });
      l.fn({ type: 'status', connected: true });
      l.fn({
        type: 'snapshot',
        chains: this.forTab(l.tabId, this.chains),
        evicted: this.evicted,
        current: this.currentOf(l.tabId),
      });
    }
  }

  private currentOf(tabId: number | null): string | null {
    return tabId === null ? null : (this.current.get(tabId) ?? null);
  }

  private forTab(tabId: number | null, chains: Chain[]): Chain[] {
    return chains.filter((c) => tabId === null || c.tabId === tabId);
  }
}
