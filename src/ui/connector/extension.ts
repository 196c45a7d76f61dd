import browser, { type Runtime } from 'webextension-polyfill';
import { type PageMessage, PORT_NAME, PROTOCOL_VERSION, parseWorkerMessage } from '../../shared/protocol.ts';
import type { Connector, ConnectorEvent, TabInfo, Theme } from './types.ts';

const RETRY_MS = [50, 100, 250, 500, 1000];

function devtools(): typeof browser.devtools | undefined {
  try {
    return browser.devtools?.inspectedWindow ? browser.devtools : undefined;
  } catch {
    return undefined;
  }
}

export function createExtensionConnector(): Connector {
  let port: Runtime.Port | undefined;
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
      const open = () => {
        if (stopped) return;
        const p = browser.runtime.connect({ name: PORT_NAME });
        port = p;
        p.onMessage.addListener((raw: unknown) => {
          const message = parseWorkerMessage(raw);
          if (!message) return;
          attempt = 0;
          if (message.type === 'hopscope/snapshot') {
            listener({ type: 'status', connected: true });
            listener({ type: 'snapshot', chains: message.chains, evicted: message.evicted, current: message.current });
          } else if (message.type === 'hopscope/update') {
            listener({
              type: 'update',
              chains: message.chains,
              removed: message.removed,
              evicted: message.evicted,
              current: message.current,
            });
          } else {
            listener({ type: 'status', connected: true, error: message.message });
          }
        });
        p.onDisconnect.addListener(() => {
          if (port === p) port = undefined;
          if (stopped) return;
          // The service worker stopped: connecting again starts it, and the new snapshot
          // replaces what is shown, so nothing is duplicated or stale.
          listener({ type: 'status', connected: false });
          timer = setTimeout(open, RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)]);
        });
        p.postMessage({ type: 'hopscope/subscribe', version: PROTOCOL_VERSION, tabId } satisfies PageMessage);
      };
      open();
      return () => {
        stopped = true;
        if (timer !== undefined) clearTimeout(timer);
        port?.disconnect();
        port = undefined;
      };
    },
    clear(tabId) {
      port?.postMessage({ type: 'hopscope/clear', tabId } satisfies PageMessage);
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
