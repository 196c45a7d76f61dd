import browser, { type Runtime } from 'webextension-polyfill';
import { type PageMessage, PORT_NAME, PROTOCOL_VERSION, parseWorkerMessage } from '../../shared/protocol.ts';
import { afterPaint } from '../after-paint.ts';
import type { Connector, ConnectorEvent, TabInfo, Theme } from './types.ts';

const RETRY_MS = [50, 100, 250, 500, 1000];
/**
 * The pause after a chunk of older chains is shown before the next is asked for: the page is
 * free between chunks for the user's input (a keystroke in the filter) at the cost of a slower
 * stream (10,000 chains: ~40 chunks, a few seconds).
 */
const MORE_AFTER_MS = 50;

function devtools(): typeof browser.devtools | undefined {
  try {
    return browser.devtools?.inspectedWindow ? browser.devtools : undefined;
  } catch {
    return undefined;
  }
}

export interface ExtensionConnectorOptions {
  /** The page shows subresource chains: the worker records them while it is subscribed. */
  subresources?: boolean;
}

export function createExtensionConnector({ subresources = false }: ExtensionConnectorOptions = {}): Connector {
  /** The port of the subscription whose worker has answered (sent its snapshot). */
  let port: Runtime.Port | undefined;
  /** Messages asked for while no worker answered: each new port sends them first. */
  const waiting: PageMessage[] = [];

  const send = (message: PageMessage) => {
    try {
      if (port) {
        port.postMessage(message);
        return;
      }
    } catch {
      // The port was closed a moment ago: wait for the next one.
    }
    waiting.push(message);
  };

  return {
    inspectedTabId: () => devtools()?.inspectedWindow.tabId,
    theme(): Theme {
      const name = devtools()?.panels.themeName;
      if (name) return name === 'dark' ? 'dark' : 'light';
      return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
    },
    async listTabs(): Promise<TabInfo[]> {
      const tabs = await browser.tabs.query({});
      const own = browser.runtime.getURL('');
      return tabs
        .filter((t) => t.id !== undefined && !(t.url ?? '').startsWith(own))
        .map((t) => ({ id: t.id as number, title: t.title ?? '', url: t.url ?? '' }));
    },
    subscribe(tabId, listener: (event: ConnectorEvent) => void) {
      let stopped = false;
      let attempt = 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let current: Runtime.Port | undefined;
      /** What the current port carried before its subscription, until its snapshot confirms it. */
      let carried: PageMessage[] = [];
      /** A port closed before its snapshot: what it carried may never have arrived. */
      const unconfirmed = () => waiting.unshift(...carried.splice(0));
      const open = () => {
        if (stopped) return;
        const p = browser.runtime.connect({ name: PORT_NAME });
        current = p;
        p.onMessage.addListener((raw: unknown) => {
          const message = parseWorkerMessage(raw);
          if (!message) return;
          attempt = 0;
          if (message.type === 'hopscope/error') {
            listener({ type: 'status', connected: true, error: message.message });
            return;
          }
          if (message.type === 'hopscope/snapshot') {
            // The worker handles a port's messages in order: this snapshot shows what the port
            // carried applied; what was asked for since goes now.
            carried = [];
            port = p;
            for (const m of waiting.splice(0)) p.postMessage(m);
            listener({ type: 'status', connected: true });
          }
          listener(message);
          // The worker sends the older chains of a big store a chunk at a time: the next one
          // once this one has been shown (the listener's render painted) and MORE_AFTER_MS
          // more, so they never queue up ahead of the page's frames and input.
          if (message.more) {
            afterPaint(() =>
              setTimeout(() => {
                if (stopped || current !== p) return;
                try {
                  p.postMessage({ type: 'hopscope/more' } satisfies PageMessage);
                } catch {
                  // Closed meanwhile: the next port's snapshot starts again.
                }
              }, MORE_AFTER_MS),
            );
          }
        });
        p.onDisconnect.addListener(() => {
          if (port === p) port = undefined;
          unconfirmed();
          if (stopped) return;
          // The service worker stopped: connecting again starts it, and the new snapshot
          // replaces what is shown, so nothing is duplicated or stale.
          listener({ type: 'status', connected: false });
          timer = setTimeout(open, RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)]);
        });
        // A clear asked for while reconnecting goes before the subscription, so the snapshot
        // that answers it already shows the chains gone.
        carried = waiting.splice(0);
        for (const m of carried) p.postMessage(m);
        p.postMessage({
          type: 'hopscope/subscribe',
          version: PROTOCOL_VERSION,
          tabId,
          ...(subresources ? { subresources } : {}),
        } satisfies PageMessage);
      };
      open();
      return () => {
        stopped = true;
        if (timer !== undefined) clearTimeout(timer);
        unconfirmed();
        if (port === current) port = undefined;
        current?.disconnect();
      };
    },
    clear(tabId) {
      send({ type: 'hopscope/clear', tabId });
    },
    async activeTabId() {
      const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
      return tab?.id;
    },
    openFullView(tabId) {
      void browser.tabs.create({ url: browser.runtime.getURL(`extension/panel.html?tabId=${tabId}`) });
    },
  };
}
