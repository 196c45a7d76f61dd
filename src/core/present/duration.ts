/** Durations in words, one way everywhere: the panel, the popup, the terminal and the exports. */
import { plural } from './plural.ts';

/** "1 hour", "30 days": a freshness lifetime in explanations. */
export function formatDuration(seconds: number): string {
  const units: Array<[number, string]> = [
    [365 * 86400, 'year'],
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  for (const [size, name] of units) {
    if (seconds >= size) return plural(Math.floor(seconds / size), name);
  }
  return '0 seconds';
}

/** "<1 ms", "120 ms", "1.25 s": a measured time. */
export function durationLabel(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1) return '<1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/**
 * How long a chain took, from its first request to its end; a chain under way counts up to
 * `now` (its last event when not given), so it never shows 0 ms while loading.
 */
export function chainDuration(
  chain: {
    startTime: number;
    endTime?: number;
    hops: ReadonlyArray<{ endTime: number }>;
    pending?: { startTime: number };
  },
  now?: number,
): number {
  const end =
    chain.endTime ?? now ?? Math.max(chain.hops.at(-1)?.endTime ?? chain.startTime, chain.pending?.startTime ?? 0);
  return Math.max(0, end - chain.startTime);
}
