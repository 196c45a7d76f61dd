import type { RawHeader } from './events.ts';
import type { Header } from './types.ts';

/** Longest header value kept; longer values are cut so one hostile header cannot fill storage. */
export const MAX_HEADER_VALUE = 8 * 1024;
/** Most headers kept per message. */
export const MAX_HEADERS = 200;

/** Normalises browser headers: binary values decoded as Latin-1, sizes bounded. */
export function toHeaders(raw: readonly RawHeader[] | undefined): Header[] {
  if (!raw) return [];
  const out: Header[] = [];
  for (const h of raw) {
    if (out.length >= MAX_HEADERS) break;
    let value = h.value ?? (h.binaryValue ? String.fromCharCode(...h.binaryValue.slice(0, MAX_HEADER_VALUE)) : '');
    if (value.length > MAX_HEADER_VALUE) value = `${value.slice(0, MAX_HEADER_VALUE)}…`;
    out.push({ name: String(h.name).slice(0, 256), value });
  }
  return out;
}

export function getHeader(headers: readonly Header[], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const h of headers) if (h.name.toLowerCase() === lower) return h.value;
  return undefined;
}

export function pickHeaders(headers: readonly Header[], names: ReadonlySet<string>): Header[] {
  return headers.filter((h) => names.has(h.name.toLowerCase()));
}
