/**
 * The rules, in one registry, and `findingsOf(chain)`: every finding of a chain, most severe
 * first, with the user's settings applied (a rule off, another severity, another limit).
 */
import type { AnalyzedChain } from '../types.ts';
import type { Rule } from './rule.ts';
import { endsInError, loop, permanentCachedForever, temporaryCached } from './rules-outcome.ts';
import {
  clientRedirect,
  longChain,
  lostQueryParam,
  methodChanged,
  refreshDelay,
  temporaryForPermanent,
} from './rules-redirects.ts';
import {
  browserUpgraded,
  downgrade,
  hstsFirstRedirect,
  hstsHeader,
  hstsWwwFirst,
  insecureHop,
} from './rules-transport.ts';
import { type Finding, type RuleId, type RuleSettings, type Severity, severityRank } from './types.ts';

export { missingHstsParts } from './rules-transport.ts';
export * from './settings.ts';
export * from './types.ts';

/** Redirects a chain may have before long-chain finds it too many. */
export const DEFAULT_CHAIN_LIMIT = 3;

/** Every rule, in the order of the README's table. */
export const RULES: readonly Rule[] = [
  insecureHop,
  downgrade,
  longChain,
  temporaryForPermanent,
  lostQueryParam,
  methodChanged,
  permanentCachedForever,
  temporaryCached,
  endsInError,
  loop,
  clientRedirect,
  refreshDelay,
  hstsFirstRedirect,
  hstsWwwFirst,
  hstsHeader,
  browserUpgraded,
];

export const RULE_BY_ID: ReadonlyMap<RuleId, Rule> = new Map(RULES.map((r) => [r.id, r]));

/** The findings of an analyzed chain, most severe first, then by hop. */
export function findingsOf(chain: AnalyzedChain, settings: RuleSettings = {}): Finding[] {
  const out: Finding[] = [];
  for (const rule of RULES) {
    const setting = settings[rule.id];
    if (setting === 'off') continue;
    const severity: Severity = typeof setting === 'string' ? setting : rule.severity;
    const limit = rule.id === 'long-chain' && typeof setting === 'number' ? setting : DEFAULT_CHAIN_LIMIT;
    for (const { hop, message } of rule.check(chain, { limit })) {
      const finding: Finding = { rule: rule.id, severity, hop, message };
      if (rule.source) finding.source = { ...rule.source };
      out.push(finding);
    }
  }
  return out.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.hop - b.hop);
}

/** The most severe of some findings, or undefined when there are none. */
export function worstSeverity(findings: readonly Finding[]): Severity | undefined {
  let worst: Severity | undefined;
  for (const f of findings) if (!worst || severityRank(f.severity) > severityRank(worst)) worst = f.severity;
  return worst;
}
