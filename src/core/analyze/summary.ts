import type { Chain } from '../model/chain.ts';
import type { AnalyzedHop, ChainSummary } from './types.ts';

/** The status the chain ended with: its outcome when it completed, else its last answered hop. */
export function finalStatus(chain: Pick<Chain, 'outcome'> & { hops: ReadonlyArray<{ statusCode: number }> }): number {
  if (chain.outcome.state === 'completed') return chain.outcome.statusCode;
  return chain.hops.at(-1)?.statusCode ?? 0;
}

/**
 * The one meaning of "error" on every screen: the chain did not end in a usable answer, because
 * of a network error (the tab closed and the browser giving up included) or a final 4xx/5xx.
 */
export function endsInError(chain: Pick<Chain, 'outcome'> & { hops: ReadonlyArray<{ statusCode: number }> }): boolean {
  if (chain.outcome.state === 'error') return true;
  return chain.outcome.state === 'completed' && chain.outcome.statusCode >= 400;
}

export function summarize(chain: Pick<Chain, 'outcome'> & { hops: readonly AnalyzedHop[] }): ChainSummary {
  const s: ChainSummary = {
    redirects: 0,
    internal: false,
    methodChanged: false,
    fromCache: false,
    loop: false,
    downgrade: false,
    crossOrigin: false,
    error: endsInError(chain),
  };
  for (const hop of chain.hops) {
    if (hop.redirectUrl) s.redirects++;
    if (hop.kind === 'internal') s.internal = true;
    if (hop.methodChange?.kind === 'changed') s.methodChanged = true;
    if (hop.fromCache) s.fromCache = true;
    if (hop.repeatsHop !== undefined) s.loop = true;
    if (hop.downgrade) s.downgrade = true;
    if (hop.crossOrigin) s.crossOrigin = true;
  }
  if (chain.outcome.state === 'error' && chain.outcome.tooManyRedirects) s.loop = true;
  return s;
}
