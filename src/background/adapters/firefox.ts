/**
 * Firefox: the same facts, told differently (verified on Firefox ESR 153):
 * - an HSTS upgrade is an onBeforeRedirect with statusCode 0, an empty statusLine, no headers
 *   and no ip (Chromium: `307 Internal Redirect` with `Non-Authoritative-Reason: HSTS`);
 * - a request has no `initiator`, but `originUrl`/`documentUrl`;
 * - a redirect loop ends in NS_ERROR_REDIRECT_LOOP (the core knows that error);
 * - `extraHeaders` does not exist (asking for it throws);
 * - `fromCache` can be true on a hop the server answered (the one after a cached redirect): a hop
 *   really served from the cache has no `ip`.
 */
import type { RequestEvent } from '../../core/record/events.ts';
import { CHROMIUM_OTHER_TYPES } from './chromium.ts';
import type { BrowserAdapter, BrowserDetails } from './types.ts';

/** Firefox's request types other than pages and frames (webRequest.ResourceType): Chromium's and more. */
const OTHER_TYPES = [
  ...CHROMIUM_OTHER_TYPES,
  'object_subrequest',
  'xslt',
  'beacon',
  'xml_dtd',
  'imageset',
  'web_manifest',
  'speculative',
  'json',
];

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    // Not every URL parser gives an origin for an extension's own scheme (Node says 'null').
    if (u.origin !== 'null') return u.origin;
    return u.host ? `${u.protocol}//${u.host}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The reason for a redirect Firefox made up itself (status 0): an upgrade of the same host to
 * https is HSTS (or HTTPS-Only mode, which Firefox reports alike); anything else it does not say.
 */
function internalReasonOf(url: string, target: string): string {
  try {
    const from = new URL(url);
    const to = new URL(target);
    const upgrade = from.protocol === 'http:' && to.protocol === 'https:' && from.hostname === to.hostname;
    return upgrade ? 'HSTS' : 'Internal';
  } catch {
    return 'Internal';
  }
}

export function firefoxAdapter(ownOrigin: string, otherTypes: readonly string[] = OTHER_TYPES): BrowserAdapter {
  return {
    name: 'firefox',
    headerOptions: (headers) => [headers],
    otherTypes,
    toEvent(event, raw) {
      const initiator = raw.initiator ?? originOf(raw.originUrl ?? raw.documentUrl);
      if (initiator === ownOrigin) return undefined;
      const details: BrowserDetails = initiator ? { ...raw, initiator } : { ...raw };
      if (details.fromCache === true && typeof details.ip === 'string' && details.ip) details.fromCache = false;
      if (event === 'onBeforeRedirect' && details.statusCode === 0 && details.redirectUrl) {
        // DevTools shows the browser's own redirects as a 307; so does the core.
        details.statusCode = 307;
        details.statusLine = '';
        details.internalReason = internalReasonOf(details.url, details.redirectUrl);
      }
      return { event, details } as RequestEvent;
    },
  };
}
