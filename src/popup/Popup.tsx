/**
 * The toolbar popup: the journey that led to the page the tab shows now, compact, with copy,
 * export and a way into the full view. Opened as a tab, `?tabId=N` picks the tab.
 */

import { useEffect, useState } from 'react';
import type { AnalyzedChain as Chain, AnalyzedHop as Hop } from '../core/analyze/index.ts';
import { harText } from '../core/har/export.ts';
import { chainDuration, durationLabel } from '../core/present/duration.ts';
import { outcomeLabel, PROBLEM_SEVERITIES } from '../core/present/labels.ts';
import { plural } from '../core/present/plural.ts';
import { formatChainTable } from '../core/present/text-table.ts';
import type { Connector } from '../ui/connector/types.ts';
import { copyText, downloadText, harFileName } from '../ui/download.ts';
import { CacheCell, KindCell, MethodCell } from '../ui/HopCells.tsx';
import { SeverityChip, SeverityCounts } from '../ui/Severity.tsx';
import { StatusCode } from '../ui/StatusCode.tsx';
import { useChains } from '../ui/use-chains.ts';
import { useTheme } from '../ui/use-theme.ts';

function host(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function tabFromSearch(search: string): number | undefined {
  const value = new URLSearchParams(search).get('tabId');
  return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** The journey's errors and warnings: counted, then each with its rule and hop (the sentence on hover). */
function Problems({ chain }: { chain: Chain }) {
  const problems = chain.findings.filter((f) => PROBLEM_SEVERITIES.includes(f.severity));
  return (
    <section className="popup-findings" aria-label="Errors and warnings">
      <p>
        Findings:{' '}
        <SeverityCounts
          findings={chain.findings}
          severities={PROBLEM_SEVERITIES}
          none="no errors or warnings."
          testId="popup-findings"
        />
      </p>
      {problems.length > 0 && (
        <ul>
          {problems.map((f) => (
            <li key={`${f.rule} ${f.hop} ${f.message}`} title={f.message} data-testid="popup-finding">
              <SeverityChip severity={f.severity} /> <code>{f.rule}</code>{' '}
              <span className="muted">hop {f.hop + 1}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function HopLine({ hop }: { hop: Hop }) {
  return (
    <li className={`popup-hop ${hop.kind}`} data-testid="popup-hop">
      <StatusCode code={hop.statusCode} />
      <MethodCell hop={hop} />
      <span className="host" title={hop.url}>
        {host(hop.url)}
      </span>
      <KindCell hop={hop} />
      <CacheCell hop={hop} />
    </li>
  );
}

export function Popup({ connector, search = location.search }: { connector: Connector; search?: string }) {
  const [tabId, setTabId] = useState<number | undefined>(() => tabFromSearch(search));
  const [notice, setNotice] = useState('');
  useEffect(() => {
    if (tabId === undefined) void connector.activeTabId().then(setTabId);
  }, [connector, tabId]);
  useTheme(connector);
  const state = useChains(connector, tabId);
  const chain: Chain | undefined =
    state.chains.find((c) => c.id === state.current) ??
    [...state.chains].reverse().find((c) => c.type === 'main_frame');
  const redirects = chain?.summary.redirects ?? 0;

  return (
    <div className="popup-body">
      <header>
        <strong>Hopscope</strong>
        {chain ? (
          <span data-testid="popup-summary">
            {redirects === 0
              ? ' No redirects led to this page.'
              : ` ${plural(redirects, 'redirect')} led to this page · ${durationLabel(chainDuration(chain))}`}
          </span>
        ) : (
          <span> {tabId === undefined ? 'Looking for the tab…' : 'Nothing recorded for this page yet.'}</span>
        )}
      </header>
      {chain && (
        <>
          <ol className="popup-hops" aria-label="Hops that led to this page">
            {chain.hops.map((hop) => (
              <HopLine key={hop.index} hop={hop} />
            ))}
          </ol>
          <p className="muted">{outcomeLabel(chain)}</p>
          <Problems chain={chain} />
        </>
      )}
      <div className="popup-actions">
        <button
          type="button"
          disabled={!chain}
          onClick={() => {
            if (!chain) return;
            void copyText(formatChainTable(chain)).then(() => setNotice('Copied the journey as text.'));
          }}
        >
          Copy as text
        </button>
        <button
          type="button"
          disabled={!chain}
          onClick={() => {
            if (!chain) return;
            downloadText(harFileName(), harText([chain]));
            setNotice('Exported the journey as HAR.');
          }}
        >
          Export HAR
        </button>
        <button
          type="button"
          disabled={tabId === undefined}
          onClick={() => tabId !== undefined && connector.openFullView(tabId)}
        >
          Open full view
        </button>
      </div>
      {notice && (
        <p className="muted" role="status">
          {notice}
        </p>
      )}
    </div>
  );
}
