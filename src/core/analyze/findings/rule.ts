import type { AnalyzedChain } from '../types.ts';
import type { RuleId, Severity, Source } from './types.ts';

export interface RuleOptions {
  /** long-chain: the most redirects before it is a finding. */
  limit: number;
}

/** One rule: a pure function of an analyzed chain. */
export interface Rule {
  id: RuleId;
  /** Its severity unless the user sets another. */
  severity: Severity;
  source?: Source;
  check(chain: AnalyzedChain, options: RuleOptions): Array<{ hop: number; message: string }>;
}
