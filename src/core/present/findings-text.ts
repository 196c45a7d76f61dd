/** Findings as plain text, under a chain's table in the terminal (`hopscope trace`, `har`, `check`). */
import type { Finding } from '../analyze/findings/types.ts';
import { findingCountLabel, SEVERITY_LABELS } from './labels.ts';
import { printable } from './text.ts';

/**
 * "Findings: 1 error, 2 warnings", then one line per finding and its source:
 * `  error    loop (hop 3): http://a/ is requested again …` / `           rule source: title <url>`.
 * Every line passes through `printable`: the sentences quote URLs from servers.
 */
export function formatFindingsText(findings: readonly Finding[]): string {
  if (!findings.length) return 'Findings: none';
  const counts = findingCountLabel(findings, ['error', 'warning', 'info']);
  const lines = [`Findings: ${counts}`];
  for (const f of findings) {
    lines.push(printable(`  ${SEVERITY_LABELS[f.severity].padEnd(8)} ${f.rule} (hop ${f.hop + 1}): ${f.message}`));
    if (f.source) lines.push(printable(`           source: ${f.source.title} <${f.source.url}>`));
  }
  return lines.join('\n');
}
