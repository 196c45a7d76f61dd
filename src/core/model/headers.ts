import type { Header } from './chain.ts';

export function getHeader(headers: readonly Header[], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const h of headers) if (h.name.toLowerCase() === lower) return h.value;
  return undefined;
}

export function pickHeaders(headers: readonly Header[], names: ReadonlySet<string>): Header[] {
  return headers.filter((h) => names.has(h.name.toLowerCase()));
}
