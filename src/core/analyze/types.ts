/**
 * What the analysis concludes from a chain's facts. Never stored: `analyze(chain)` computes it
 * wherever it is shown (panel, popup, badge, terminal, HAR export), so two screens cannot
 * disagree.
 */
import type { Chain, Header, Hop } from '../model/chain.ts';
import type { Finding } from './findings/types.ts';

export type CacheVerdictKind =
  /** The browser answered from its HTTP cache; the server was not contacted. */
  | 'from-cache'
  /** 301/308 without caching headers: heuristically cacheable, Chromium keeps it forever. */
  | 'cacheable-by-default'
  /** Cache-Control max-age/s-maxage or Expires gave it an explicit lifetime. */
  | 'cacheable-explicit'
  /** Will not be reused from cache (302/303/307 without freshness, no-store, max-age=0, …). */
  | 'not-cacheable'
  /** Made up by the browser: never stored in the HTTP cache. */
  | 'not-applicable';

export interface CacheVerdict {
  verdict: CacheVerdictKind;
  /** One sentence in plain words: why this verdict. */
  reason: string;
  /** Caching headers as received (Cache-Control, Expires, Pragma, Age, ETag, Last-Modified, Vary). */
  headers: Header[];
  /** With explicit freshness: for how many seconds the browser may reuse it without asking. */
  lifetime?: number;
}

export type MethodChangeKind = 'changed' | 'kept' | 'none';

/** What happened to the method between this hop and the next one. */
export interface MethodChange {
  kind: MethodChangeKind;
  from: string;
  to: string;
  /** Whether the request body was dropped (POST → GET after 301/302/303). */
  bodyDropped: boolean;
  /** Plain words, with the spec rule that applies. */
  reason: string;
}

export interface AnalyzedHop extends Hop {
  /** 0-based position in the chain. */
  index: number;
  cache: CacheVerdict;
  /** On redirect hops once the next request is known. */
  methodChange?: MethodChange;
  /** The redirect target has another origin than this hop's URL. */
  crossOrigin: boolean;
  /** An https URL redirects to an http one. */
  downgrade: boolean;
  /** This hop's request (URL and method) was already made earlier in the chain: its index. */
  repeatsHop?: number;
}

/** What a user wants to know at a glance. */
export interface ChainSummary {
  redirects: number;
  internal: boolean;
  methodChanged: boolean;
  fromCache: boolean;
  loop: boolean;
  downgrade: boolean;
  crossOrigin: boolean;
  /** The chain ended in an error: a network error (tab closed included) or a final 4xx/5xx. */
  error: boolean;
}

export interface AnalyzedChain extends Chain {
  hops: AnalyzedHop[];
  summary: ChainSummary;
  /** What the rules find wrong with it (default settings), most severe first. */
  findings: Finding[];
}
