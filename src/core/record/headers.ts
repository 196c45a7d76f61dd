import type { Header } from '../model/chain.ts';
import type { RawHeader } from './events.ts';

/** Longest header value kept; longer values are cut so one hostile header cannot fill storage. */
export const MAX_HEADER_VALUE = 8 * 1024;
/** Most headers kept per message. */
export const MAX_HEADERS = 200;
/**
 * Most characters kept of one message's headers, names and values together: without it, 200
 * headers of 8 KB made a 1.6 MB hop, and one such chain evicted every older chain.
 */
export const MAX_HEADERS_SIZE = 32 * 1024;

/** Normalises browser headers: binary values decoded as Latin-1, sizes bounded. */
export function toHeaders(raw: readonly RawHeader[] | undefined): Header[] {
  if (!raw) return [];
  const out: Header[] = [];
  let room = MAX_HEADERS_SIZE;
  for (const h of raw) {
    if (out.length >= MAX_HEADERS || room <= 0) break;
    const name = String(h.name).slice(0, 256);
    let value = h.value ?? (h.binaryValue ? String.fromCharCode(...h.binaryValue.slice(0, MAX_HEADER_VALUE)) : '');
    const max = Math.max(0, Math.min(MAX_HEADER_VALUE, room - name.length));
    if (value.length > max) value = `${value.slice(0, max)}…`;
    room -= name.length + value.length;
    out.push({ name, value });
  }
  return out;
}
