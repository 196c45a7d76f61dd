/**
 * `hopscope check`: what a list asks of each URL (an expectation), what the browser did (a
 * visit), and what the check concludes (a verdict in a result row). Pure data, the same for
 * every output format.
 */
import type { Severity } from '../analyze/findings/types.ts';

export const VERDICTS = ['pass', 'wrong-target', 'wrong-status', 'too-many-hops', 'loop', 'error', 'invalid'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** What a list's `status` field asks of the redirects the site makes. */
export type StatusExpectation =
  /** Any redirect status (and none); the page reached must still answer 2xx. */
  | { kind: 'any' }
  /** Every redirect the site makes is a 301 or a 308. */
  | { kind: 'permanent' }
  /** Every redirect the site makes is a 302, 303 or 307. */
  | { kind: 'temporary' }
  /** A 3xx: every redirect the site makes has that code; any other code: the final status. */
  | { kind: 'code'; code: number };

/** The shapes of input `hopscope check` reads. */
export type InputKind = 'csv' | 'tsv' | 'jsonl' | 'list' | 'sitemap';

export interface Expectation {
  /** Absolute URL (no fragment) the journey must end at; undefined: anywhere. */
  target?: string;
  status: StatusExpectation;
  /** Most redirects the site may make (the browser's own hops do not count). */
  maxHops?: number;
}

/** One URL to check, as read from a list. */
export interface CheckItem {
  /** 1-based line of the list it came from. */
  line: number;
  /** The URL visited (after `--base`). */
  source: string;
  /** The expected target as written (absolute after `--base`), '' when none. */
  expected: string;
  expect: Expectation;
}

/** A line that could not become a check: a source that is not a URL, a malformed line. */
export interface InvalidItem {
  line: number;
  /** The source as written (or the raw line when it could not be split into fields). */
  source: string;
  expected: string;
  /** One sentence: what is wrong with the line. */
  problem: string;
}

/** A finding as a result row carries it. */
export interface RowFinding {
  rule: string;
  severity: Severity;
  /** Index of the hop in the journey (every hop of the visit, in order). */
  hop: number;
  message: string;
}

/** One line of output: the verdict on one source. */
export interface CheckRow {
  source: string;
  expected: string;
  /** The URL the journey ended at, '' when no answer was recorded. */
  final: string;
  /** The final status, 0 when there was none (network error). */
  status: number;
  /** The status code of every hop, in order (the browser's own hops included). */
  hops: number[];
  /** The same hops in words: "301 → 307 (HSTS) → 200 (meta refresh, 0 s)" (not in JSON). */
  path: string;
  verdict: Verdict;
  findings: RowFinding[];
  /** 1-based line in the input. */
  line: number;
  /** One plain sentence saying why the verdict, '' for a pass. */
  reason: string;
  /** The input file, when more than one was given. */
  file?: string;
}

export interface CheckSummary {
  /** Rows written (malformed lines and invalid sources included). */
  total: number;
  passed: number;
  failed: number;
  verdicts: Record<Verdict, number>;
  /** Sources left out because `--resume` found them in an earlier output. */
  resumed: number;
  /** Sources left out because they belong to another shard. */
  otherShards: number;
  /** Sources checked again on their own because another one may have changed their result. */
  rechecked: number;
  /** Seconds from the first visit to the last row (Chromium's start aside), and URLs checked per second. */
  seconds: number;
  urlsPerSecond: number;
  /** e.g. '1/4' when `--shard` was given. */
  shard?: string;
  failOn: Severity | 'never';
}
