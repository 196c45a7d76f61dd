/**
 * The analysis: a chain's facts in, what they mean out. Pure and cheap; callers that render
 * often (the panel) memoize it per chain object.
 */
import type { Chain, Hop } from '../model/chain.ts';
import { resourceKey } from '../model/url.ts';
import { cacheVerdict } from './cache.ts';
import { findingsOf } from './findings/index.ts';
import { isCrossOrigin, isDowngrade } from './flags.ts';
import { describeMethodChange } from './method.ts';
import { summarize } from './summary.ts';
import type { AnalyzedChain, AnalyzedHop } from './types.ts';

export { cacheVerdict, cachingHeaders } from './cache.ts';
export * from './findings/index.ts';
export { isCrossOrigin, isDowngrade } from './flags.ts';
export { describeMethodChange, methodAfterRedirect } from './method.ts';
export { endsInError, finalStatus, summarize } from './summary.ts';
export type * from './types.ts';

/**
 * The method of the request that followed hop i: the next hop's, or the request under way.
 * A client redirect is a new navigation, always a GET: it has no method change to explain.
 */
function nextMethod(chain: Chain, i: number): string | undefined {
  const hop = chain.hops[i] as Hop;
  if (!hop.redirectUrl || hop.kind === 'client') return undefined;
  return chain.hops[i + 1]?.method ?? (i === chain.hops.length - 1 ? chain.pending?.method : undefined);
}

function analyzeHop(chain: Chain, i: number, firstSeen: Map<string, number>): AnalyzedHop {
  const hop = chain.hops[i] as Hop;
  // Object.assign, not `{ ...hop, index, … }`: V8 gives every object made by a spread followed
  // by more keys a map of its own, and every later read of a hop (the HAR export reads each
  // field of each hop) then missed its inline cache.
  const analyzed: AnalyzedHop = Object.assign({}, hop, {
    index: i,
    cache: cacheVerdict(hop, chain.browser),
    crossOrigin: isCrossOrigin(hop.url, hop.redirectUrl),
    // What the server (or the page) sent: the browser's own fallback to http is not a downgrade
    // someone configured, and its hop says so itself.
    downgrade: hop.kind !== 'internal' && isDowngrade(hop.url, hop.redirectUrl),
  });
  const next = nextMethod(chain, i);
  if (next !== undefined) analyzed.methodChange = describeMethodChange(hop, next);
  // The same request again (URL and method): a form that posts back to its own URL and is
  // answered with a 303 to a GET of it is not a loop. The browser's own hops (an upgrade to
  // https and its fallback to http) are not requests the server answered: they never count.
  if (hop.kind === 'internal') return analyzed;
  const key = `${hop.method} ${resourceKey(hop.url)}`;
  const earlier = firstSeen.get(key);
  if (earlier === undefined) firstSeen.set(key, i);
  else analyzed.repeatsHop = earlier;
  return analyzed;
}

const ANALYZED = new WeakSet<object>();

/** The chain with what its facts mean; an already analyzed chain is returned as it is. */
export function analyze(chain: Chain): AnalyzedChain {
  if (ANALYZED.has(chain)) return chain as AnalyzedChain;
  const firstSeen = new Map<string, number>();
  const hops = chain.hops.map((_, i) => analyzeHop(chain, i, firstSeen));
  const analyzed: AnalyzedChain = Object.assign({}, chain, {
    hops,
    summary: summarize({ hops, outcome: chain.outcome }),
    findings: [],
  });
  analyzed.findings = findingsOf(analyzed);
  ANALYZED.add(analyzed);
  return analyzed;
}
