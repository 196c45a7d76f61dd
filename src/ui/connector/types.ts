/**
 * The only door from the panel UI to the browser. The extension implementation talks to the
 * service worker over the typed port; the mock feeds chains from memory, so the UI runs and
 * is tested without an extension.
 */
import type { Chain } from '../../core/model/chain.ts';

export interface TabInfo {
  id: number;
  title: string;
  url: string;
}

export type ConnectorEvent =
  | { type: 'snapshot'; chains: Chain[]; evicted: number; current: string | null }
  | { type: 'update'; chains: Chain[]; removed: string[]; evicted: number; current: string | null }
  | { type: 'status'; connected: boolean; error?: string };

export type Theme = 'light' | 'dark';

export interface Connector {
  /** The tab DevTools inspects; undefined when the panel page is opened as a normal tab. */
  inspectedTabId(): number | undefined;
  theme(): Theme;
  listTabs(): Promise<TabInfo[]>;
  /**
   * Follows the chains of a tab (null: every tab): a snapshot first, then updates; after a
   * lost connection (the service worker stopped) it reconnects and sends a fresh snapshot.
   */
  subscribe(tabId: number | null, listener: (event: ConnectorEvent) => void): () => void;
  clear(tabId: number | null): void;
  /** The active tab of the current window (for the popup). */
  activeTabId(): Promise<number | undefined>;
  /** Opens the full view (the panel page as a tab) on a tab. */
  openFullView(tabId: number): void;
}
