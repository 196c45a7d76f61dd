/**
 * Runs at document_start in top-level pages, as one classic script (`.iife.ts`: crxjs bundles
 * it whole, with no module loader to wait for and nothing else to load on every page). Telling a meta refresh from a JavaScript redirect
 * needs a look at the document; the worker hears only when there is something to tell.
 *
 * It watches the parser for the tag rather than looking once at document_end: a 0 s refresh
 * starts its navigation right after the load event, and a message sent that late can be lost
 * with the document (seen in Chromium 150 under load: the hop was then typed JavaScript).
 */
import { META_REFRESH_MESSAGE, type MetaRefreshMessage } from '../shared/protocol.ts';

declare const chrome: { runtime: { sendMessage(message: unknown): Promise<unknown> } };

let sent = false;

function isRefresh(node: Node): node is HTMLMetaElement {
  return node instanceof HTMLMetaElement && node.httpEquiv.toLowerCase() === 'refresh';
}

function send(meta: HTMLMetaElement): void {
  if (sent) return;
  sent = true;
  observer.disconnect();
  const message: MetaRefreshMessage = {
    type: META_REFRESH_MESSAGE,
    url: location.href,
    content: meta.content.slice(0, 2048),
  };
  // The promise-returning chrome API (Chromium ≥ 99): no polyfill needed for one call.
  void chrome.runtime.sendMessage(message).catch(() => undefined);
}

const observer = new MutationObserver((records) => {
  for (const record of records) {
    for (const node of record.addedNodes) {
      if (isRefresh(node)) {
        send(node);
        return;
      }
    }
  }
});

/**
 * A tag the observer missed: one inside a subtree added in one piece (a record lists only the
 * subtree's root), or one parsed before this script ran.
 */
function lookNow(): void {
  const meta = document.querySelector<HTMLMetaElement>('meta[http-equiv="refresh" i]');
  if (meta) send(meta);
}

if (document.readyState === 'loading') {
  observer.observe(document, { childList: true, subtree: true });
  lookNow();
  document.addEventListener(
    'DOMContentLoaded',
    () => {
      observer.disconnect();
      lookNow();
    },
    { once: true },
  );
} else {
  lookNow();
}
