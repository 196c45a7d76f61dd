import { FRAME_TYPES } from '../../core/model/chain.ts';
import { chromiumAdapter } from './chromium.ts';
import { firefoxAdapter } from './firefox.ts';
import type { BrowserAdapter } from './types.ts';

export type { BrowserAdapter, BrowserDetails, BrowserName } from './types.ts';

/** What tells the browsers apart without a user-agent string. */
export interface BrowserTraits {
  /** Only Chromium has `webRequest.OnBeforeSendHeadersOptions.EXTRA_HEADERS`. */
  extraHeaders: boolean;
  /**
   * The values of the browser's own `webRequest.ResourceType`, when it has one: a filter that
   * names a type the browser does not know throws, so the types come from the browser itself.
   */
  resourceTypes?: readonly string[];
}

/** The adapter for the browser this runs in; `ownOrigin` is the extension's own origin. */
export function adapterFor(traits: BrowserTraits, ownOrigin: string): BrowserAdapter {
  const others = traits.resourceTypes?.filter((t) => !FRAME_TYPES.has(t));
  const otherTypes = others?.length ? others : undefined;
  return traits.extraHeaders ? chromiumAdapter(ownOrigin, otherTypes) : firefoxAdapter(ownOrigin, otherTypes);
}
