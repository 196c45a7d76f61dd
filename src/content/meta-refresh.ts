/**
 * Runs at document_end in top-level pages. Telling a meta refresh from a JavaScript redirect
 * needs a look at the document; the worker hears only when there is something to tell.
 */
import browser from 'webextension-polyfill';
import { META_REFRESH_MESSAGE, type MetaRefreshMessage } from '../shared/protocol.ts';

const meta = document.querySelector<HTMLMetaElement>('meta[http-equiv="refresh" i]');
if (meta) {
  const message: MetaRefreshMessage = {
    type: META_REFRESH_MESSAGE,
    url: location.href,
    content: meta.content.slice(0, 2048),
  };
  void browser.runtime.sendMessage(message).catch(() => undefined);
}
