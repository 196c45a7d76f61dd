/**
 * Building a hop from what a source reported: the one builder the recorder (webRequest events)
 * and the HAR importer (entries) share, so a hop means the same whichever way it arrived.
 */
import type { Hop, HopKind } from '../model/chain.ts';
import { getHeader } from '../model/headers.ts';
import type { StatusLine } from '../model/http.ts';

/** What a source reported of one exchange: a hop's facts, with the status line still whole. */
export type HopReport = Pick<
  Hop,
  'url' | 'method' | 'requestHeaders' | 'responseHeaders' | 'redirectUrl' | 'fromCache' | 'startTime' | 'endTime'
> & {
  status: StatusLine;
  ip?: string;
  error?: string;
  /** The browser's own word that it made this hop up, when not in a response header. */
  internalReason?: string;
};

/** A hop from its report; a `Non-Authoritative-Reason` header makes it the browser's own (`internal`). */
export function buildHop(r: HopReport): Hop {
  const reason = getHeader(r.responseHeaders, 'non-authoritative-reason') ?? r.internalReason;
  const kind: HopKind = reason ? 'internal' : 'server';
  const hop: Hop = {
    url: r.url,
    method: r.method.toUpperCase(),
    statusCode: r.status.statusCode,
    httpVersion: r.status.httpVersion,
    statusText: r.status.statusText,
    requestHeaders: r.requestHeaders,
    responseHeaders: r.responseHeaders,
    redirectUrl: r.redirectUrl,
    fromCache: r.fromCache,
    startTime: r.startTime,
    endTime: r.endTime,
    kind,
  };
  if (r.ip) hop.ip = r.ip;
  if (reason) hop.internalReason = reason;
  if (r.error) hop.error = r.error;
  return hop;
}

/** Keeps at most `max` hops: the first (unless max is 1) and the latest; drops the oldest middle ones. */
export function capHops(hops: Hop[], max: number): void {
  const excess = hops.length - max;
  if (excess > 0) hops.splice(Math.min(1, max - 1), excess);
}

/** The delay of `5; url=/next` (Refresh header or meta content), in seconds (HTML §7.11.1). */
export function refreshDelay(content: string | undefined): number | undefined {
  const m = /^\s*(\d+(?:\.\d*)?)/.exec(content ?? '');
  return m ? Number(m[1]) : undefined;
}
