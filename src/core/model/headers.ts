import type { Header } from './chain.ts';

/** The value of the first header called `name` (ASCII, any case). */
export function getHeader(headers: readonly Header[], name: string): string | undefined {
  const lower = name.toLowerCase();
  // The length first: most names have another, and need no lower-casing (an HAR export asks
  // once per hop).
  for (const h of headers) if (h.name.length === lower.length && h.name.toLowerCase() === lower) return h.value;
  return undefined;
}

export function pickHeaders(headers: readonly Header[], names: ReadonlySet<string>): Header[] {
  return headers.filter((h) => names.has(h.name.toLowerCase()));
}
