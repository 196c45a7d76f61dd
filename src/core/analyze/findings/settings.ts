/**
 * Rule settings as users write them: `--rule ID=off|info|warning|error|N` on the command line,
 * and `hopscope.config.json` (`{ "rules": { "long-chain": 5 }, "failOn": "warning" }`). Every
 * mistake gets a message that says what is allowed.
 */
import * as z from 'zod/mini';
import { isRuleId, RULE_IDS, type RuleSetting, type RuleSettings, SEVERITIES, type Severity } from './types.ts';

z.config({ jitless: true });

/** When a run fails: at the first finding of this severity or worse, or never. */
export type FailOn = Severity | 'never';
export const FAIL_ON = ['error', 'warning', 'info', 'never'] as const;

const SETTING_HELP = 'off, info, warning, error, or a number (long-chain only)';

type Parsed = { ok: true; value: RuleSetting } | { ok: false; message: string };

/** A setting's value: a severity, off, or a whole number of redirects for long-chain. */
export function parseRuleValue(rule: string, value: unknown): Parsed {
  if (typeof value === 'string' && (value === 'off' || (SEVERITIES as readonly string[]).includes(value))) {
    return { ok: true, value: value as RuleSetting };
  }
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (Number.isInteger(n) && n >= 0) {
    return rule === 'long-chain'
      ? { ok: true, value: n }
      : {
          ok: false,
          message: `${rule}=${n}: only long-chain takes a number; ${rule} takes off, info, warning or error`,
        };
  }
  return { ok: false, message: `${rule}=${String(value)}: the value must be ${SETTING_HELP}` };
}

/** One `--rule ID=VALUE`, added to `settings`; returns the message when it is not one. */
export function applyRuleOption(settings: RuleSettings, option: string): string | undefined {
  const at = option.indexOf('=');
  if (at < 0) return `--rule ${option}: write it as ID=VALUE, e.g. --rule long-chain=5 or --rule insecure-hop=off`;
  const rule = option.slice(0, at).trim();
  if (!isRuleId(rule)) return `--rule ${option}: unknown rule "${rule}". The rules: ${RULE_IDS.join(', ')}.`;
  const parsed = parseRuleValue(rule, option.slice(at + 1).trim());
  if (!parsed.ok) return `--rule ${parsed.message}`;
  settings[rule] = parsed.value;
  return undefined;
}

const ConfigSchema = z.strictObject({
  rules: z.optional(z.record(z.string(), z.union([z.string(), z.number()]))),
  failOn: z.optional(z.enum(FAIL_ON)),
});

export interface HopscopeConfig {
  rules: RuleSettings;
  failOn?: FailOn;
}

/** Reads the text of a `hopscope.config.json`; throws an Error whose message says what is wrong. */
export function parseConfig(text: string, name = 'hopscope.config.json'): HopscopeConfig {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${name} is not JSON: ${(error as Error).message}`);
  }
  const parsed = ConfigSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'the top level';
    if (issue?.code === 'unrecognized_keys') {
      throw new Error(
        `${name}: ${where}: unknown ${issue.keys.map((k) => `"${k}"`).join(', ')}; it takes "rules" and "failOn".`,
      );
    }
    throw new Error(
      `${name}: ${where}: ${issue?.message ?? 'invalid'}. Expected { "rules": { "<rule>": "${SETTING_HELP}" }, "failOn": "error" | "warning" | "info" | "never" }.`,
    );
  }
  const rules: RuleSettings = {};
  for (const [rule, value] of Object.entries(parsed.data.rules ?? {})) {
    if (!isRuleId(rule)) throw new Error(`${name}: rules.${rule}: unknown rule. The rules: ${RULE_IDS.join(', ')}.`);
    const parsed = parseRuleValue(rule, value);
    if (!parsed.ok) throw new Error(`${name}: rules.${parsed.message}`);
    rules[rule] = parsed.value;
  }
  return parsed.data.failOn ? { rules, failOn: parsed.data.failOn } : { rules };
}

/** Whether findings of these severities fail a run at this threshold. */
export function fails(severities: Iterable<Severity>, failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  const threshold = SEVERITIES.indexOf(failOn);
  for (const s of severities) if (SEVERITIES.indexOf(s) >= threshold) return true;
  return false;
}
