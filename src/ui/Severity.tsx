/**
 * A finding's severity as a chip: its word and its colour (never the colour alone), shared by
 * the panel and the popup; and the count of a journey's errors and warnings.
 */
import { Fragment } from 'react';
import type { Finding, Severity } from '../core/analyze/index.ts';
import {
  findingShortLabel,
  SEVERITY_LABELS,
  SEVERITY_ORDER,
  severityCountLabel,
  severityCounts,
} from '../core/present/labels.ts';

export function SeverityChip({ severity }: { severity: Severity }) {
  return <span className={`severity ${severity}`}>{SEVERITY_LABELS[severity]}</span>;
}

/**
 * "2 errors, 1 warning", each count in its severity's colour; `none` when there is nothing of
 * the severities asked for. The findings are listed on hover.
 */
export function SeverityCounts({
  findings,
  severities,
  none,
  testId,
}: {
  findings: readonly Finding[];
  severities: readonly Severity[];
  none: string;
  testId?: string;
}) {
  const counts = severityCounts(findings);
  const shown = SEVERITY_ORDER.filter((s) => severities.includes(s) && counts[s] > 0);
  const listed = findings.filter((f) => severities.includes(f.severity));
  return (
    <span
      className="severity-counts"
      data-testid={testId}
      title={listed.length ? listed.map(findingShortLabel).join('\n') : undefined}
    >
      {shown.length === 0 && <span className="muted">{none}</span>}
      {shown.map((s, i) => (
        <Fragment key={s}>
          {i > 0 && ', '}
          <span className={`severity-count ${s}`}>{severityCountLabel(counts[s], s)}</span>
        </Fragment>
      ))}
    </span>
  );
}
