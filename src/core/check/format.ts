/**
 * How result rows and the summary read in each output format. Every function turns one row (or
 * the summary) into text on its own, so the CLI can stream a list of any length. CSV quoting and
 * JUnit XML are written by libraries in the CLI; their fields come from here.
 */
import { severityRank } from '../analyze/findings/types.ts';
import { markdownCode, markdownText } from '../present/markdown.ts';
import { plural } from '../present/plural.ts';
import { printable } from '../present/text.ts';
import type { CheckRow, CheckSummary, RowFinding, Verdict } from './types.ts';
import { VERDICTS } from './types.ts';

/** Whether a row counts as failed (anything but a pass). */
export function failed(row: CheckRow): boolean {
  return row.verdict !== 'pass';
}

/** "warning long-chain (hop 4)". */
export function findingLabel(f: RowFinding): string {
  return `${f.severity} ${f.rule} (hop ${f.hop + 1})`;
}

/** Warnings and errors only: what a human reads in a table. */
function notable(findings: readonly RowFinding[]): RowFinding[] {
  return findings.filter((f) => severityRank(f.severity) >= severityRank('warning'));
}

// ---------------------------------------------------------------------------------------------
// JSON Lines

/** The JSON object of a row: `{ source, expected, final, status, hops, verdict, findings, line, reason }`. */
export function rowJson(row: CheckRow): string {
  const { source, expected, final, status, hops, verdict, findings, line, reason, file } = row;
  return JSON.stringify({
    source,
    expected,
    final,
    status,
    hops,
    verdict,
    findings,
    line,
    reason,
    ...(file !== undefined ? { file } : {}),
  });
}

export function summaryJson(summary: CheckSummary): string {
  return JSON.stringify({ summary });
}

// ---------------------------------------------------------------------------------------------
// CSV (quoted by csv-stringify in the CLI)

export const CSV_COLUMNS = [
  'line',
  'source',
  'expected',
  'final',
  'status',
  'hops',
  'path',
  'verdict',
  'reason',
  'findings',
] as const;

/** "error downgrade@2; warning long-chain@4": every finding, its 1-based hop after the @. */
export function findingsCell(findings: readonly RowFinding[]): string {
  return findings.map((f) => `${f.severity} ${f.rule}@${f.hop + 1}`).join('; ');
}

export function rowCsvRecord(row: CheckRow, withFile: boolean): string[] {
  const cells = [
    String(row.line),
    row.source,
    row.expected,
    row.final,
    row.status ? String(row.status) : '',
    row.hops.join(' '),
    row.path,
    row.verdict,
    row.reason,
    findingsCell(row.findings),
  ];
  return withFile ? [...cells, row.file ?? ''] : cells;
}

// ---------------------------------------------------------------------------------------------
// Table (the terminal): one line a row, a second line for why it failed and its findings

const VERDICT_WIDTH = Math.max(...VERDICTS.map((v) => v.length)) + 2;
const PATH_WIDTH = 26;

export function rowTable(row: CheckRow): string {
  const path = row.path || (row.verdict === 'invalid' ? '—' : 'failed');
  const target = row.final && row.final !== row.source ? ` → ${printable(row.final)}` : '';
  const head = `${row.verdict.padEnd(VERDICT_WIDTH)}${printable(path).padEnd(PATH_WIDTH)} ${printable(row.source)}${target}`;
  const indent = ' '.repeat(VERDICT_WIDTH);
  const lines = [head];
  if (row.reason)
    lines.push(`${indent}${printable(row.reason)} (line ${row.line}${row.file ? ` of ${printable(row.file)}` : ''})`);
  for (const f of notable(row.findings)) lines.push(`${indent}${findingLabel(f)}: ${printable(f.message)}`);
  return lines.join('\n');
}

/** "500 URLs: 470 pass, 20 wrong-target, …; 30 failed. 12.3 s, 40.6 URLs/s." */
export function summaryText(s: CheckSummary): string {
  const counts = VERDICTS.filter((v) => s.verdicts[v] > 0).map((v) => `${s.verdicts[v]} ${v}`);
  const parts = [`${plural(s.total, 'URL')}${counts.length ? `: ${counts.join(', ')}` : ''}`];
  parts.push(s.failed ? `${s.failed} failed` : 'all passed');
  const extra: string[] = [];
  if (s.shard) extra.push(`shard ${s.shard}, ${plural(s.otherShards, 'source')} in other shards`);
  if (s.resumed) extra.push(`${plural(s.resumed, 'source')} already checked (--resume)`);
  if (s.rechecked) extra.push(`${plural(s.rechecked, 'URL')} checked again on its own`);
  extra.push(`${s.seconds.toFixed(1)} s, ${s.urlsPerSecond.toFixed(1)} URLs/s`);
  return `${parts.join('; ')}. ${extra.join('; ')}.`;
}

// ---------------------------------------------------------------------------------------------
// Markdown (a pull request comment)

export const MARKDOWN_HEADER = [
  '| Line | Verdict | Source | Final | Hops | Why |',
  '| ---: | --- | --- | --- | --- | --- |',
].join('\n');

export function rowMarkdown(row: CheckRow): string {
  const verdict = row.verdict === 'pass' ? 'pass' : `**${row.verdict}**`;
  const why = [row.reason, ...notable(row.findings).map(findingLabel)].filter(Boolean).join('; ');
  const final = row.final && row.final !== row.source ? markdownCode(row.final) : '';
  return `| ${row.line} | ${verdict} | ${markdownCode(row.source)} | ${final} | ${markdownText(row.path)} | ${markdownText(why)} |`;
}

export function summaryMarkdown(s: CheckSummary): string {
  const counts = VERDICTS.filter((v) => s.verdicts[v] > 0)
    .map((v) => `| ${v} | ${s.verdicts[v]} |`)
    .join('\n');
  return `\n**${markdownText(summaryText(s))}**\n\n| Verdict | URLs |\n| --- | ---: |\n${counts}\n`;
}

// ---------------------------------------------------------------------------------------------
// The summary, counted as rows go by

export class SummaryCounter {
  private readonly verdicts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  private total = 0;

  add(row: CheckRow): void {
    this.total++;
    this.verdicts[row.verdict]++;
  }

  get failures(): number {
    return this.total - this.verdicts.pass;
  }

  get count(): number {
    return this.total;
  }

  summary(
    extra: Pick<CheckSummary, 'resumed' | 'otherShards' | 'rechecked' | 'seconds' | 'failOn'> & { shard?: string },
  ): CheckSummary {
    const checked = this.total - this.verdicts.invalid;
    const s: CheckSummary = {
      total: this.total,
      passed: this.verdicts.pass,
      failed: this.failures,
      verdicts: { ...this.verdicts },
      resumed: extra.resumed,
      otherShards: extra.otherShards,
      rechecked: extra.rechecked,
      seconds: Math.round(extra.seconds * 100) / 100,
      urlsPerSecond: extra.seconds > 0 ? Math.round((checked / extra.seconds) * 10) / 10 : 0,
      failOn: extra.failOn,
    };
    if (extra.shard) s.shard = extra.shard;
    return s;
  }
}
