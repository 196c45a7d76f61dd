/**
 * Resource types, one table for every direction: webRequest's names (what the recorder
 * stores, Chromium and Firefox), DevTools' names (HAR `_resourceType`, its type filter) and the
 * words a user types in the filter.
 */

/** A DevTools `_resourceType` name (HAR export, Chrome's conventions). */
export type DevToolsResourceType =
  | 'document'
  | 'xhr'
  | 'fetch'
  | 'stylesheet'
  | 'script'
  | 'image'
  | 'font'
  | 'media'
  | 'websocket'
  | 'ping'
  | 'csp-violation-report'
  | 'other';

/** webRequest resource type → DevTools name. */
const TO_DEVTOOLS: Readonly<Record<string, DevToolsResourceType>> = {
  main_frame: 'document',
  sub_frame: 'document',
  xmlhttprequest: 'xhr',
  stylesheet: 'stylesheet',
  script: 'script',
  image: 'image',
  imageset: 'image',
  font: 'font',
  media: 'media',
  websocket: 'websocket',
  ping: 'ping',
  beacon: 'ping',
  csp_report: 'csp-violation-report',
  object: 'other',
  other: 'other',
};

export function resourceTypeForHar(type: string): DevToolsResourceType {
  return TO_DEVTOOLS[type] ?? 'other';
}

/** DevTools `_resourceType` (any tool's HAR) → webRequest resource type. */
export function resourceTypeFromHar(name: string | undefined, frameId = 0): string {
  const t = name?.trim().toLowerCase();
  if (!t) return 'other';
  if (t === 'document') return frameId === 0 ? 'main_frame' : 'sub_frame';
  if (t === 'xhr' || t === 'fetch') return 'xmlhttprequest';
  if (t === 'csp-violation-report') return 'csp_report';
  return t;
}

/**
 * What a user may type after `type:`: DevTools' names and webRequest's (Chromium and Firefox),
 * each to the webRequest types a chain can carry.
 */
export const RESOURCE_TYPE_WORDS: Readonly<Record<string, readonly string[]>> = {
  document: ['main_frame', 'sub_frame'],
  doc: ['main_frame', 'sub_frame'],
  main_frame: ['main_frame'],
  'main-frame': ['main_frame'],
  sub_frame: ['sub_frame'],
  'sub-frame': ['sub_frame'],
  frame: ['sub_frame'],
  iframe: ['sub_frame'],
  xhr: ['xmlhttprequest'],
  fetch: ['xmlhttprequest'],
  xmlhttprequest: ['xmlhttprequest'],
  script: ['script'],
  js: ['script'],
  stylesheet: ['stylesheet'],
  css: ['stylesheet'],
  image: ['image', 'imageset'],
  img: ['image', 'imageset'],
  imageset: ['imageset'],
  font: ['font'],
  media: ['media'],
  websocket: ['websocket'],
  ws: ['websocket'],
  ping: ['ping', 'beacon'],
  beacon: ['beacon', 'ping'],
  csp_report: ['csp_report'],
  'csp-violation-report': ['csp_report'],
  object: ['object'],
  manifest: ['web_manifest'],
  web_manifest: ['web_manifest'],
  webbundle: ['webbundle'],
  other: ['other'],
};
