/**
 * The only door from the extension pages' UI (panel, popup) to the browser. The extension
 * implementation talks to the service worker over the typed port; the mock feeds chains from
 * memory, so the UI runs and is tested without an extension.
 */
import type { WorkerToPage } from '../../shared/protocol.ts';

export interface TabInfo {
  id: number;
  title: string;
  url: string;
}

/** Whether the worker answers; error: what it refused (e.g. a page of an older version). */
export interface ConnectionStatus {
  type: 'status';
  connected: boolean;
  error?: string;
}

/** The worker's snapshot and updates as they came over the port, and the connection's state. */
export type ConnectorEvent = WorkerToPage['hopscope/snapshot'] | WorkerToPage['hopscope/update'] | ConnectionStatus;

export type Theme = 'light' | 'dark';

export interface Connector {
  /** The tab DevTools inspects; undefined when the panel page is opened as a normal tab. */
  inspectedTabId(): number | undefined;
  theme(): Theme;
  listTabs(): Promise<TabInfo[]>;
  /**
   * Follows the chains of a tab (null: every tab): a snapshot first, then updates; after a
   * lost connection (status `connected: false`: the service worker stopped) it reconnects and
   * sends a fresh snapshot.
   */
  subscribe(tabId: number | null, listener: (event: ConnectorEvent) => void): () => void;
  /**
   * Forgets the chains of a tab (null: all). Asked while the connection is lost, it waits and
   * reaches the worker before the next subscription, so the snapshot after the reconnect
   * already shows it applied.
   */
  clear(tabId: number | null): void;
  /** The active tab of the current window (for the popup). */
  activeTabId(): Promise<number | undefined>;
  /** Opens the full view (the panel page as a tab) on a tab. */
  openFullView(tabId: number): void;
}
