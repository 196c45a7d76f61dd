/**
 * Findings: what is wrong with a chain, the way a linter says it — a rule id, a severity, the
 * hop, one plain sentence and the source that makes it a rule. The ids are part of the
 * interface (HAR, `--json`, the filter, the CLI use them).
 */

export const RULE_IDS = [
  'insecure-hop',
  'downgrade',
  'long-chain',
  'temporary-for-permanent',
  'lost-query-param',
  'method-changed',
  'permanent-cached-forever',
  'temporary-cached',
  'ends-in-error',
  'loop',
  'client-redirect',
  'refresh-delay',
  'hsts-first-redirect',
  'hsts-www-first',
  'hsts-header',
  'browser-upgraded',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export const SEVERITIES = ['info', 'warning', 'error'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Where a rule comes from: a spec, a browser's or a search engine's documentation. */
export interface Source {
  title: string;
  url: string;
}

export interface Finding {
  rule: RuleId;
  severity: Severity;
  /** The index of the hop the finding is about, in its chain. */
  hop: number;
  /** One plain sentence. */
  message: string;
  /** What makes it a rule; absent where the rule is plain sense (a chain that ends in an error). */
  source?: Source;
}

/** A rule turned off, given another severity, or (long-chain) another limit. */
export type RuleSetting = 'off' | Severity | number;
export type RuleSettings = Partial<Record<RuleId, RuleSetting>>;

export function isRuleId(value: string): value is RuleId {
  return (RULE_IDS as readonly string[]).includes(value);
}

/** error 2, warning 1, info 0: for sorting and for "at least". */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}
