/**
 * Chromium: the core's event shapes are Chromium's own (the recorded fixtures come from it), so
 * events pass as they are; only the extension's own requests are left out.
 */
import type { RequestEvent } from '../../core/record/events.ts';
import type { BrowserAdapter } from './types.ts';

/** Chromium's request types other than pages and frames (webRequest.ResourceType). */
export const CHROMIUM_OTHER_TYPES = [
  'stylesheet',
  'script',
  'image',
  'font',
  'object',
  'xmlhttprequest',
  'ping',
  'csp_report',
  'media',
  'websocket',
  'other',
] as const;

export function chromiumAdapter(
  ownOrigin: string,
  otherTypes: readonly string[] = CHROMIUM_OTHER_TYPES,
): BrowserAdapter {
  return {
    name: 'chromium',
    headerOptions: (headers) => [headers, 'extraHeaders'],
    otherTypes,
    toEvent(event, details) {
      if (details.initiator === ownOrigin) return undefined;
      return { event, details } as RequestEvent;
    },
  };
}
