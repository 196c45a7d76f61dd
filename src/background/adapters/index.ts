import { chromiumAdapter } from './chromium.ts';
import { firefoxAdapter } from './firefox.ts';
import type { BrowserAdapter } from './types.ts';

export type { BrowserAdapter, BrowserDetails, BrowserName } from './types.ts';

/** What tells the browsers apart without a user-agent string. */
export interface BrowserTraits {
  /** Only Chromium has `webRequest.OnBeforeSendHeadersOptions.EXTRA_HEADERS`. */
  extraHeaders: boolean;
}

/** The adapter for the browser this runs in; `ownOrigin` is the extension's own origin. */
export function adapterFor(traits: BrowserTraits, ownOrigin: string): BrowserAdapter {
  return traits.extraHeaders ? chromiumAdapter(ownOrigin) : firefoxAdapter(ownOrigin);
}
