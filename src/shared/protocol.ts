/**
 * The one protocol between extension pages (DevTools panel, panel tab, popup) and the service
 * worker. A page opens a long-lived port named PORT_NAME and subscribes to a tab (or to all
 * tabs); the worker answers with a snapshot, then live updates. Both ends are typed from the
 * maps below, and every incoming message is validated before use.
 */
import type { Chain } from '../core/model/chain.ts';

export const PROTOCOL_VERSION = 1;
export const PORT_NAME = 'hopscope/chains';

/** Messages a page sends to the worker. */
export interface PageToWorker {
  /** tabId null: every tab. Replaces any earlier subscription on this port. */
  'hopscope/subscribe': { version: number; tabId: number | null };
  /** Forget the chains of a tab (null: all). */
  'hopscope/clear': { tabId: number | null };
}

/** Messages the worker sends to a page. */
export interface WorkerToPage {
  /** The whole current state for the subscription, oldest chain first. */
  'hopscope/snapshot': {
    version: number;
    tabId: number | null;
    chains: Chain[];
    evicted: number;
    /** The journey of the page the tab shows now (null: unknown, or every tab). */
    current: string | null;
  };
  /** Chains added or changed since the last message, oldest first. */
  'hopscope/update': { chains: Chain[]; removed: string[]; evicted: number; current: string | null };
  'hopscope/error': { message: string };
}

export type Message<Map> = { [K in keyof Map]: { type: K } & Map[K] }[keyof Map];
export type PageMessage = Message<PageToWorker>;
export type WorkerMessage = Message<WorkerToPage>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

const isTabId = (v: unknown): v is number | null => v === null || (typeof v === 'number' && Number.isInteger(v));

/** Validates a message from a page; undefined when it is not one this protocol knows. */
export function parsePageMessage(value: unknown): PageMessage | undefined {
  if (!isObject(value)) return undefined;
  switch (value.type) {
    case 'hopscope/subscribe':
      return typeof value.version === 'number' && isTabId(value.tabId)
        ? { type: 'hopscope/subscribe', version: value.version, tabId: value.tabId }
        : undefined;
    case 'hopscope/clear':
      return isTabId(value.tabId) ? { type: 'hopscope/clear', tabId: value.tabId } : undefined;
    default:
      return undefined;
  }
}

/** Validates a message from the worker (shape only: chains come from our own recorder). */
export function parseWorkerMessage(value: unknown): WorkerMessage | undefined {
  if (!isObject(value)) return undefined;
  switch (value.type) {
    case 'hopscope/snapshot':
      return Array.isArray(value.chains) && typeof value.version === 'number' && typeof value.evicted === 'number'
        ? (value as WorkerMessage)
        : undefined;
    case 'hopscope/update':
      return Array.isArray(value.chains) && Array.isArray(value.removed) ? (value as WorkerMessage) : undefined;
    case 'hopscope/error':
      return typeof value.message === 'string' ? (value as WorkerMessage) : undefined;
    default:
      return undefined;
  }
}

/** One-off message from the content script: the document has `<meta http-equiv=refresh>`. */
export const META_REFRESH_MESSAGE = 'hopscope/meta-refresh';

export interface MetaRefreshMessage {
  type: typeof META_REFRESH_MESSAGE;
  url: string;
  content: string;
}

export function parseMetaRefreshMessage(value: unknown): MetaRefreshMessage | undefined {
  if (!isObject(value) || value.type !== META_REFRESH_MESSAGE) return undefined;
  if (typeof value.url !== 'string' || typeof value.content !== 'string') return undefined;
  if (value.url.length > 65_536 || value.content.length > 4096) return undefined;
  return { type: META_REFRESH_MESSAGE, url: value.url, content: value.content };
}
