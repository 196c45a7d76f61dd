import type { Finding } from '../../core/analyze/index.ts';
import { findingCountLabel, SEVERITY_ORDER } from '../../core/present/labels.ts';
import { SeverityChip } from '../../ui/Severity.tsx';

/** Only web links become links; anything else a source could say stays text. */
const isWebUrl = (url: string) => /^https?:\/\//i.test(url);

/**
 * What the rules find wrong with a chain, most severe first: severity, rule id, the hop (a
 * button that selects it in the hop table), the sentence, and the source as a link. Every
 * message quotes URLs from servers: it is rendered as text, never as HTML.
 */
export function Findings({ findings, onSelectHop }: { findings: readonly Finding[]; onSelectHop(hop: number): void }) {
  return (
    <section className="findings" aria-label="Findings">
      <h3>
        Findings {findings.length > 0 && <span className="count">{findingCountLabel(findings, SEVERITY_ORDER)}</span>}
      </h3>
      {findings.length === 0 ? (
        <p className="muted no-findings">No findings: this chain breaks none of the rules.</p>
      ) : (
        <ul>
          {findings.map((f) => (
            <li key={`${f.rule} ${f.hop} ${f.message}`} className={`finding ${f.severity}`} data-testid="finding">
              <SeverityChip severity={f.severity} />
              <code className="rule">{f.rule}</code>
              <button
                type="button"
                className="hop-link"
                onClick={() => onSelectHop(f.hop)}
                title={`Select hop ${f.hop + 1} in the hop table`}
              >
                hop {f.hop + 1}
              </button>
              <span className="message">{f.message}</span>
              {f.source &&
                (isWebUrl(f.source.url) ? (
                  <a className="source" href={f.source.url} target="_blank" rel="noreferrer noopener">
                    {f.source.title}
                  </a>
                ) : (
                  <span className="source">{f.source.title}</span>
                ))}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
