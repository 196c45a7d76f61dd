/** Medians, the results table and bench/results.json. */

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
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
}
