/** Medians, the results table and bench/results.json. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface Result {
  figure: string;
  median: number;
  min: number;
  max: number;
  runs: number;
  unit: string;
  /** Upper bound the median must not exceed; null for figures that are only reported. */
  target: number | null;
  met: boolean | null;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function summarize(figure: string, values: readonly number[], unit: string, target: number | null): Result {
  if (!values.length) throw new Error(`no measurement for ${figure}`);
  const m = median(values);
  return {
    figure,
    median: m,
    min: Math.min(...values),
    max: Math.max(...values),
    runs: values.length,
    unit,
    target,
    met: target === null ? null : m <= target,
  };
}

function fmt(value: number, unit: string): string {
  if (unit === '×') return `×${value.toFixed(2)}`;
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`;
}

export function formatTable(results: readonly Result[]): string {
  const rows = [
    ['figure', 'median', 'min–max', 'runs', 'target', 'met'],
    ...results.map((r) => [
      r.figure,
      fmt(r.median, r.unit),
      `${fmt(r.min, r.unit)} – ${fmt(r.max, r.unit)}`,
      String(r.runs),
      r.target === null ? 'report' : `≤ ${fmt(r.target, r.unit)}`,
      r.met === null ? '–' : r.met ? 'yes' : 'NO',
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] as string).length))) ?? [];
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i] as number)).join(' | ')} |`;
  return [
    line(rows[0] as string[]),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

/** What a run was measured on: printed above the table in the README. */
export interface RunInfo {
  commit: string;
  date: string;
  cpus: string;
  browser: string;
  node: string;
  seconds: number;
}

/** The machine, as far as a run can tell: core count and CPU model. */
export function machineOf(cpus: readonly { model: string }[]): string {
  const model = cpus[0]?.model.trim() ?? 'unknown CPU';
  return `${cpus.length} vCPU${cpus.length === 1 ? '' : 's'} (${model})`;
}

const README_START = '<!-- bench:results:start (written by npm run bench) -->';
const README_END = '<!-- bench:results:end -->';

/** The README's block between the markers, made from the results of one whole run. */
export function readmeBlock(results: readonly Result[], info: RunInfo): string {
  const met = results.filter((r) => r.met === true).length;
  const targets = results.filter((r) => r.met !== null).length;
  return [
    README_START,
    `Last whole run: commit ${info.commit}, ${info.date}, ${info.seconds} s; ${info.cpus}, shared with other`,
    `work; ${info.browser}; Node ${info.node}. Targets met: ${met} of ${targets}. The same figures are in`,
    '`bench/results.json`.',
    '',
    // A sub-figure's two leading spaces would be trimmed by the Markdown formatter: a dot says it.
    formatTable(results.map((r) => ({ ...r, figure: r.figure.replace(/^ {2}/, '· ') }))),
    README_END,
  ].join('\n');
}

/** The README with its results block replaced (the markers must be there once). */
export function withReadmeBlock(readme: string, block: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error('README.md has no bench results markers');
  return `${readme.slice(0, start)}${block}${readme.slice(end + README_END.length)}`;
}

/** Node's own gc(), without starting node with --expose-gc. */
export function nodeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
