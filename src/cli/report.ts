/**
 * What `hopscope trace` and `hopscope har` print of chains, and when they fail: the findings
 * under each chain's table (rule settings from `hopscope.config.json` and `--rule`), and exit 1
 * when a finding is at `--fail-on` or worse (default: error).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  type AnalyzedChain,
  analyze,
  applyRuleOption,
  FAIL_ON,
  type FailOn,
  fails,
  findingsOf,
  parseConfig,
  type RuleSettings,
} from '../core/analyze/index.ts';
import type { Chain } from '../core/model/chain.ts';
import { formatFindingsText } from '../core/present/findings-text.ts';
import { formatChainTable } from '../core/present/text-table.ts';
import { UserError } from './browser.ts';

export const CONFIG_FILE = 'hopscope.config.json';
export const DEFAULT_FAIL_ON: FailOn = 'error';

export interface FindingOptions {
  rule?: string[];
  failOn?: string;
  config?: string;
}

export interface FindingSettings {
  rules: RuleSettings;
  failOn: FailOn;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Adds --fail-on, --rule and --config to a command. */
export function withFindingOptions(command: Command): Command {
  return command
    .option(
      '--fail-on <severity>',
      `exit 1 when a chain has a finding this severe or worse: ${FAIL_ON.join(', ')} (default ${DEFAULT_FAIL_ON}, or failOn in ${CONFIG_FILE})`,
    )
    .option(
      '--rule <id=value>',
      'change one rule (repeatable): ID=off|info|warning|error, or long-chain=N for its limit',
      collect,
      [],
    )
    .option('--config <file>', `rule settings (default: ./${CONFIG_FILE} when there is one)`);
}

/** The settings in force: the config file, then each --rule, then --fail-on; mistakes are one line, exit 2. */
export async function findingSettings(opts: FindingOptions, cwd = process.cwd()): Promise<FindingSettings> {
  const path = opts.config ?? (existsSync(resolve(cwd, CONFIG_FILE)) ? CONFIG_FILE : undefined);
  let rules: RuleSettings = {};
  let failOn: FailOn = DEFAULT_FAIL_ON;
  if (path) {
    let text: string;
    try {
      text = await readFile(resolve(cwd, path), 'utf8');
    } catch (error) {
      throw new UserError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? error}).`);
    }
    try {
      const config = parseConfig(text, path);
      rules = config.rules;
      if (config.failOn) failOn = config.failOn;
    } catch (error) {
      throw new UserError((error as Error).message);
    }
  }
  for (const option of opts.rule ?? []) {
    const problem = applyRuleOption(rules, option);
    if (problem) throw new UserError(problem);
  }
  if (opts.failOn !== undefined) {
    if (!(FAIL_ON as readonly string[]).includes(opts.failOn)) {
      throw new UserError(`--fail-on takes ${FAIL_ON.join(', ')}; got '${opts.failOn}'.`);
    }
    failOn = opts.failOn as FailOn;
  }
  return { rules, failOn };
}

/** The chains with their findings under these settings. */
export function withFindings(chains: readonly Chain[], settings: FindingSettings): AnalyzedChain[] {
  return chains.map((c) => {
    const analyzed = analyze(c);
    return { ...analyzed, findings: findingsOf(analyzed, settings.rules) };
  });
}

/** A chain's table and its findings, as the terminal shows them. */
export function chainReport(chain: AnalyzedChain): string {
  return `${formatChainTable(chain)}\n${formatFindingsText(chain.findings)}\n\n`;
}

/** How many of the chains have a finding at the threshold or worse. */
export function failingChains(chains: readonly AnalyzedChain[], failOn: FailOn): number {
  return chains.filter((c) =>
    fails(
      c.findings.map((f) => f.severity),
      failOn,
    ),
  ).length;
}
