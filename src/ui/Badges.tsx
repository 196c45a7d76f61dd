import type { AnalyzedChain as Chain } from '../core/analyze/index.ts';
import { CHAIN_BADGES } from '../core/present/labels.ts';

/** What matters about a chain at a glance: HSTS, method changed, cached, loop…; each explained on hover. */
export function Badges({ chain }: { chain: Chain }) {
  return (
    <span className="badges">
      {CHAIN_BADGES.filter((b) => chain.summary[b.key]).map((b) => (
        <span key={b.key} className={`badge ${b.key}`} title={b.title}>
          {b.label(chain)}
        </span>
      ))}
    </span>
  );
}
