/**
 * The floor's service worker: Hopscope's own webRequest and webNavigation registration
 * (src/background/listeners.ts, the same function the worker calls), with handlers that do
 * nothing: pages and frames, as the worker listens while no panel watches. What a page pays with
 * it is what the browser charges for sending those events.
 */
import browser from 'webextension-polyfill';
import { adapterIn, registerRecordingListeners } from '../../src/background/listeners.ts';

export const subresources = registerRecordingListeners(
  browser,
  adapterIn(browser, new URL(browser.runtime.getURL('/')).origin),
  {
    request() {},
    navigate() {},
    commit() {},
  },
);
