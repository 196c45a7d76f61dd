import { type KeyboardEvent, type RefObject, useState } from 'react';
import type { AnalyzedChain as Chain } from '../../core/analyze/index.ts';
import { durationLabel } from '../../core/present/duration.ts';
import { explainChain, explainHop } from '../../core/present/explain/index.ts';
import { outcomeLabel } from '../../core/present/labels.ts';
import { CacheCell, KindCell, MethodCell } from '../../ui/HopCells.tsx';
import { StatusCode } from '../../ui/StatusCode.tsx';
import { Findings } from './Findings.tsx';
import { HeadersTable } from './HeadersTable.tsx';

interface Props {
  chain: Chain;
  selectedHop: number;
  onSelectHop(index: number): void;
  onBack(): void;
  tableRef: RefObject<HTMLTableElement | null>;
}

export function ChainDetail({ chain, selectedHop, onSelectHop, onBack, tableRef }: Props) {
  const [showRaw, setShowRaw] = useState(false);
  const hop = chain.hops[selectedHop];
  const summary = explainChain(chain);
  const onKeyDown = (e: KeyboardEvent) => {
    const move = e.key === 'ArrowDown' ? 1 : e.key === 'ArrowUp' ? -1 : 0;
    if (move) {
      e.preventDefault();
      onSelectHop(Math.max(0, Math.min(chain.hops.length - 1, selectedHop + move)));
    } else if (e.key === 'Escape') {
      e.preventDefault();
      onBack();
    }
  };
  /** A finding's hop: selected, scrolled into view, and the table focused for the arrow keys. */
  const showHop = (index: number) => {
    onSelectHop(index);
    const table = tableRef.current;
    table?.focus({ preventScroll: true });
    table?.querySelectorAll('tbody tr')[index]?.scrollIntoView?.({ block: 'nearest' });
  };
  const explanation = hop ? explainHop(chain, hop) : undefined;
  return (
    <div className="chain-detail">
      <Findings findings={chain.findings} onSelectHop={showHop} />
      <section className="chain-summary" aria-label="Chain summary">
        <h2>{summary.headline}</h2>
        <p className="muted">{outcomeLabel(chain)}</p>
        {summary.points.length > 0 && (
          <ul>
            {summary.points.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
      </section>
      <table
        className="hop-table"
        ref={tableRef}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the hop table takes arrow keys to move the selected hop
        tabIndex={0}
        onKeyDown={onKeyDown}
        aria-label="Hops of the selected chain"
      >
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Status</th>
            <th scope="col">Method</th>
            <th scope="col">URL</th>
            <th scope="col">Redirect to</th>
            <th scope="col">Kind</th>
            <th scope="col">Cache</th>
            <th scope="col">IP</th>
            <th scope="col">Time</th>
          </tr>
        </thead>
        <tbody>
          {chain.hops.map((h) => (
            <tr
              key={h.index}
              aria-selected={h.index === selectedHop}
              className={h.index === selectedHop ? 'selected' : undefined}
              onClick={() => onSelectHop(h.index)}
              data-testid="hop-row"
            >
              <td>{h.index + 1}</td>
              <td>
                <StatusCode code={h.statusCode} /> <span className="status-text">{h.statusText}</span>
              </td>
              <td>
                <MethodCell hop={h} />
              </td>
              <td className="url" title={h.url}>
                {h.url}
              </td>
              <td className="url" title={h.redirectUrl}>
                {h.redirectUrl}
              </td>
              <td>
                <KindCell hop={h} />
              </td>
              <td>
                <CacheCell hop={h} />
              </td>
              <td>{h.ip ?? ''}</td>
              <td>{durationLabel(h.endTime - h.startTime)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {hop && explanation && (
        <section className="hop-detail" aria-label={`Hop ${hop.index + 1} explained`}>
          <h3>
            Hop {hop.index + 1}: {explanation.headline}
          </h3>
          <ul className="explanation">
            {explanation.points.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
          {hop.error && <p className="error-text">Error: {hop.error}</p>}
          <div className="header-columns">
            <HeadersTable title="Response headers" headers={hop.responseHeaders} />
            <HeadersTable title="Request headers" headers={hop.requestHeaders} />
          </div>
          <label className="raw-toggle">
            <input type="checkbox" checked={showRaw} onChange={(e) => setShowRaw(e.target.checked)} /> Show hop as JSON
          </label>
          {showRaw && <pre className="raw">{JSON.stringify(hop, null, 2)}</pre>}
        </section>
      )}
    </div>
  );
}
