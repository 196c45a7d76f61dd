/**
 * Expectations → verdicts: what the browser did on one visit, judged against what the list asks.
 * Pure: the same chains and expectation give the same row anywhere (a unit test feeds it chains
 * made by hand).
 *
 * The rules, first that applies wins:
 *  1. `error`: no answer: a network error (named), nothing recorded, or the visit ran out of time.
 *  2. `loop`: the browser gave up after too many redirects, or a request repeats in the journey.
 *  3. `wrong-target`: an expected target was given and the journey ended elsewhere (the fragment
 *     aside: it never reaches a server).
 *  4. `wrong-status`: a `status` of 3xx, `permanent` or `temporary` that a redirect the site made
 *     (server 3xx or client refresh/script; the browser's own hops aside) does not meet, or no
 *     redirect at all; a `status` of another code that the final answer is not; otherwise a
 *     final answer that is not 2xx.
 *  5. `too-many-hops`: more redirects made by the site than `max_hops`.
 *  6. `error`: a finding of `--fail-on`'s severity or worse (default: error) that the
 *     expectation does not already account for (an expected 410 is not an "ends in error").
 */
import {
  type AnalyzedChain,
  type AnalyzedHop,
  analyze,
  findingsOf,
  type RuleSettings,
  type Severity,
  severityRank,
} from '../analyze/index.ts';
import type { Chain } from '../model/chain.ts';
import { resourceKey } from '../model/url.ts';
import { describeNetError } from '../present/explain/index.ts';
import { hopStatuses, loopErrorLabel } from '../present/labels.ts';
import { plural } from '../present/plural.ts';
import { describeStatus } from './expect.ts';
import type { CheckItem, CheckRow, InvalidItem, RowFinding, StatusExpectation, Verdict } from './types.ts';

/** What the browser did on one visit, as `src/cli/check/visit.ts` reads it back. */
export interface VisitOutcome {
  /** The main-frame chains the visit started, oldest first (normally one journey). */
  chains: readonly Chain[];
  /** What the page load itself reported, e.g. net::ERR_CONNECTION_REFUSED. */
  navigationError?: string;
  /** Set when the visit ran out of time: what it was still waiting for. */
  timedOut?: string;
}

export interface VerdictOptions {
  /** `--rule` settings: a rule off, another severity, long-chain's limit. */
  rules?: RuleSettings;
  /** A finding this severe or worse fails a row (default error); `never`: findings never do. */
  failOn?: Severity | 'never';
}

const PERMANENT = new Set([301, 308]);
const TEMPORARY = new Set([302, 303, 307]);

/** Every hop of the visit in order, the chains one after another. */
export interface Journey {
  chains: AnalyzedChain[];
  hops: AnalyzedHop[];
  /** The index in `hops` of each chain's first hop. */
  offsets: number[];
}

export function journeyOf(chains: readonly Chain[]): Journey {
  const analyzed = chains.map(analyze);
  const offsets: number[] = [];
  const hops: AnalyzedHop[] = [];
  for (const c of analyzed) {
    offsets.push(hops.length);
    hops.push(...c.hops);
  }
  return { chains: analyzed, hops, offsets };
}

/** The redirects the site made: server 3xx and the page's own (client) redirects. */
export function siteRedirects(hops: readonly AnalyzedHop[]): AnalyzedHop[] {
  return hops.filter((h) => h.redirectUrl && h.kind !== 'internal');
}

function statusMeets(code: number, status: StatusExpectation): boolean {
  switch (status.kind) {
    case 'any':
      return true;
    case 'permanent':
      return PERMANENT.has(code);
    case 'temporary':
      return TEMPORARY.has(code);
    case 'code':
      return code === status.code;
  }
}

function hopWord(hop: AnalyzedHop, index: number): string {
  const how = hop.kind === 'client' ? ` (${hop.clientRedirect?.type ?? 'client'} redirect)` : '';
  return `hop ${index + 1} answered ${hop.statusCode || 'nothing'}${how}`;
}

/** The `--rule` settings for one row: `max_hops` is long-chain's limit unless the user set the rule. */
function rowRules(item: CheckItem, rules: RuleSettings): RuleSettings {
  if (item.expect.maxHops === undefined || rules['long-chain'] !== undefined) return rules;
  return { ...rules, 'long-chain': item.expect.maxHops };
}

function rowFindings(journey: Journey, rules: RuleSettings): RowFinding[] {
  const out: RowFinding[] = [];
  journey.chains.forEach((chain, i) => {
    const offset = journey.offsets[i] ?? 0;
    for (const f of findingsOf(chain, rules)) {
      out.push({ rule: f.rule, severity: f.severity, hop: f.hop + offset, message: f.message });
    }
  });
  return out.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.hop - b.hop);
}

/** What the verdict is and why, before the findings threshold. */
function judge(item: CheckItem, visit: VisitOutcome, journey: Journey): { verdict: Verdict; reason: string } {
  const last = journey.chains.at(-1);
  const lastHop = journey.hops.at(-1);
  if (!last || !lastHop) {
    const why = visit.navigationError ?? (visit.timedOut ? `nothing within the time limit` : 'no navigation');
    return { verdict: 'error', reason: `no answer was recorded for ${item.source} (${why}).` };
  }
  const o = last.outcome;
  if (o.state === 'error' && o.tooManyRedirects) {
    return {
      verdict: 'loop',
      reason: `the browser gave up after ${plural(last.summary.redirects, 'redirect')} (${loopErrorLabel(o.error)}).`,
    };
  }
  if (o.state === 'error') {
    const what = describeNetError(o.error).short;
    return { verdict: 'error', reason: `${o.error}${what ? ` (${what})` : ''} at ${lastHop.url}.` };
  }
  if (o.state === 'pending') {
    return {
      verdict: 'error',
      reason: `${lastHop.url} did not finish${visit.timedOut ? ` (timed out waiting for ${visit.timedOut})` : ''}.`,
    };
  }
  const repeat = journey.hops.findIndex((h) => h.repeatsHop !== undefined);
  if (repeat >= 0) {
    const hop = journey.hops[repeat] as AnalyzedHop;
    return { verdict: 'loop', reason: `${hop.url} is requested again at hop ${repeat + 1}: a redirect loop.` };
  }
  if (visit.timedOut) {
    // The chain itself ended, but the page never settled (a client redirect under way at the limit).
    return { verdict: 'error', reason: `timed out waiting for ${visit.timedOut}.` };
  }
  const final = lastHop.url;
  const { target, status, maxHops } = item.expect;
  if (target !== undefined && resourceKey(final) !== resourceKey(target)) {
    return { verdict: 'wrong-target', reason: `ended at ${final}, expected ${target}.` };
  }
  const code = o.statusCode;
  const redirects = siteRedirects(journey.hops);
  if (status.kind === 'code' && (status.code < 300 || status.code >= 400)) {
    if (code !== status.code)
      return { verdict: 'wrong-status', reason: `ended with ${code}, expected ${status.code}.` };
  } else {
    if (status.kind !== 'any') {
      if (!redirects.length) {
        return { verdict: 'wrong-status', reason: `no redirect, expected ${describeStatus(status)}.` };
      }
      const bad = redirects.find((h) => !statusMeets(h.statusCode, status));
      if (bad) {
        return {
          verdict: 'wrong-status',
          reason: `${hopWord(bad, journey.hops.indexOf(bad))}, expected ${describeStatus(status)}.`,
        };
      }
    }
    if (code < 200 || code >= 300) {
      return {
        verdict: 'wrong-status',
        reason: `ended with ${code}${lastHop.statusText ? ` ${lastHop.statusText}` : ''} at ${final}.`,
      };
    }
  }
  if (maxHops !== undefined && redirects.length > maxHops) {
    return {
      verdict: 'too-many-hops',
      reason: `${plural(redirects.length, 'redirect')}, at most ${maxHops} expected.`,
    };
  }
  return { verdict: 'pass', reason: '' };
}

/** The result row of one visit. */
export function checkRow(item: CheckItem, visit: VisitOutcome, options: VerdictOptions = {}): CheckRow {
  const journey = journeyOf(visit.chains);
  const findings = rowFindings(journey, rowRules(item, options.rules ?? {}));
  let { verdict, reason } = judge(item, visit, journey);
  const failOn = options.failOn ?? 'error';
  if (verdict === 'pass' && failOn !== 'never') {
    const expectsError = item.expect.status.kind === 'code' && item.expect.status.code >= 400;
    const failing = findings.find(
      (f) => severityRank(f.severity) >= severityRank(failOn) && !(expectsError && f.rule === 'ends-in-error'),
    );
    if (failing) {
      verdict = 'error';
      reason = `${failing.severity} ${failing.rule}: ${failing.message}`;
    }
  }
  const lastChain = journey.chains.at(-1);
  const lastHop = journey.hops.at(-1);
  const status = !lastChain
    ? 0
    : lastChain.outcome.state === 'completed'
      ? lastChain.outcome.statusCode
      : (lastHop?.statusCode ?? 0);
  return {
    source: item.source,
    expected: item.expected,
    final: lastHop?.url ?? '',
    status,
    hops: journey.hops.map((h) => h.statusCode),
    path: journeyLabel(journey.chains),
    verdict,
    findings,
    line: item.line,
    reason,
  };
}

/** The row of a line that could not be checked. */
export function invalidRow(item: InvalidItem): CheckRow {
  return {
    source: item.source,
    expected: item.expected,
    final: '',
    status: 0,
    hops: [],
    path: '',
    verdict: 'invalid',
    findings: [],
    line: item.line,
    reason: `${item.problem}.`,
  };
}

/** "301 → 307 (HSTS) → 200" for the journey of a row's visit. */
export function journeyLabel(chains: readonly Chain[]): string {
  return chains.map((c) => hopStatuses(c, 9)).join(' → ');
}
