import { useVirtualizer } from '@tanstack/react-virtual';
import { Fragment, type KeyboardEvent, memo, useEffect, useRef } from 'react';
import type { AnalyzedChain as Chain, Finding } from '../../core/analyze/index.ts';
import { chainDuration, durationLabel } from '../../core/present/duration.ts';
import { findingShortLabel, hopStatuses, hopStatusParts, severityCountLabel } from '../../core/present/labels.ts';
import { plural } from '../../core/present/plural.ts';
import { Badges } from '../../ui/Badges.tsx';
import { SeverityChip } from '../../ui/Severity.tsx';
import { StatusCode } from '../../ui/StatusCode.tsx';

export const ROW_HEIGHT = 42;

function finalStatus(chain: Chain): { code: number; label: string } {
  const o = chain.outcome;
  if (o.state === 'completed') return { code: o.statusCode, label: String(o.statusCode) };
  if (o.state === 'pending') return { code: 0, label: '…' };
  return { code: -1, label: o.tooManyRedirects ? 'loop' : 'error' };
}

function lastUrl(chain: Chain): string {
  return chain.hops.at(-1)?.url ?? chain.pending?.url ?? '';
}

/** Hops a row shows before it leaves the middle ones out (a loop has 20). */
const ROW_MAX_STATUSES = 7;

/** 301 → 307 (HSTS) → 200: the browser's own hops and the page's own marked with a note. */
function StatusPath({ chain }: { chain: Chain }) {
  const parts = hopStatusParts(chain, ROW_MAX_STATUSES);
  return (
    <span className="status-path" title={hopStatuses(chain)}>
      {parts.map((p, i) => (
        <Fragment key={p.index >= 0 ? p.index : `${p.kind}${i}`}>
          {i > 0 && <span className="arrow"> → </span>}
          <span className={`hop-status ${p.kind}${p.inferred ? ' inferred' : ''}`}>
            {p.label}
            {p.note && p.kind !== 'pending' && <span className="note"> ({p.note})</span>}
          </span>
        </Fragment>
      ))}
    </span>
  );
}

/**
 * The worst finding, at a glance: its severity and rule id and how many more errors and
 * warnings; a chain with only info findings shows their count. All of them on hover.
 */
function WorstFinding({ findings }: { findings: readonly Finding[] }) {
  const worst = findings[0];
  if (!worst) return null;
  const title = findings.map(findingShortLabel).join('\n');
  if (worst.severity === 'info') {
    return (
      <span className="worst-finding info-only" title={title} data-testid="worst-finding">
        {severityCountLabel(findings.length, 'info')}
      </span>
    );
  }
  let more = 0;
  for (const f of findings) if (f.severity !== 'info') more++;
  more--;
  return (
    <span className={`worst-finding ${worst.severity}`} title={title} data-testid="worst-finding">
      <SeverityChip severity={worst.severity} /> <span className="rule">{worst.rule}</span>
      {more > 0 && <span className="more"> +{more}</span>}
    </span>
  );
}

/** One chain; memoized, so moving the selection re-renders two rows, not the window. */
const ChainRow = memo(function ChainRow({
  chain,
  selected,
  top,
  onSelect,
  onOpen,
}: {
  chain: Chain;
  selected: boolean;
  top: number;
  onSelect(id: string): void;
  onOpen(): void;
}) {
  const status = finalStatus(chain);
  const first = chain.hops[0]?.url ?? chain.pending?.url ?? '';
  const last = lastUrl(chain);
  return (
    // Focus stays on the listbox (aria-activedescendant), which handles the keys.
    // biome-ignore lint/a11y/useKeyWithClickEvents: keyboard handled by the listbox
    // biome-ignore lint/a11y/useFocusableInteractive: options of an activedescendant listbox
    <div
      id={`chain-${chain.id}`}
      role="option"
      aria-selected={selected}
      className={`chain-row${selected ? ' selected' : ''}`}
      style={{
        position: 'absolute',
        top: 0,
        left: 0,
        right: 0,
        height: ROW_HEIGHT,
        transform: `translateY(${top}px)`,
      }}
      onClick={() => onSelect(chain.id)}
      onDoubleClick={onOpen}
      data-testid="chain-row"
    >
      <div className="chain-line">
        <StatusCode code={status.code} label={status.label} />
        <span className="chain-urls" title={first === last ? first : `${first} → ${last}`}>
          {first}
          {first !== last && <span className="arrow"> → </span>}
          {first !== last && last}
        </span>
        <WorstFinding findings={chain.findings} />
      </div>
      <div className="chain-meta">
        <span>{plural(chain.hops.length, 'hop')}</span>
        <StatusPath chain={chain} />
        <span>{durationLabel(chainDuration(chain))}</span>
        <Badges chain={chain} />
      </div>
    </div>
  );
});

interface Props {
  chains: Chain[];
  selectedId: string | undefined;
  onSelect(id: string): void;
  onOpen(): void;
}

/** Newest first; virtualized so 10,000 chains scroll and filter without freezing. */
/** Memoized: typing in the filter re-renders the app, not 10,000 rows' worth of list. */
export const ChainList = memo(function ChainList({ chains, selectedId, onSelect, onOpen }: Props) {
  const parent = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: chains.length,
    getScrollElement: () => parent.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 400, height: 800 },
  });
  const index = chains.findIndex((c) => c.id === selectedId);

  useEffect(() => {
    if (index >= 0) virtualizer.scrollToIndex(index, { align: 'auto' });
  }, [index, virtualizer]);

  const onKeyDown = (e: KeyboardEvent) => {
    const move = e.key === 'ArrowDown' ? 1 : e.key === 'ArrowUp' ? -1 : 0;
    if (move) {
      e.preventDefault();
      const next = chains[Math.max(0, Math.min(chains.length - 1, (index < 0 ? -1 : index) + move))];
      if (next) onSelect(next.id);
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      const next = e.key === 'Home' ? chains[0] : chains.at(-1);
      if (next) onSelect(next.id);
    } else if (e.key === 'Enter' && selectedId) {
      e.preventDefault();
      onOpen();
    }
  };

  if (!chains.length) {
    return (
      <div className="chain-list empty" role="status">
        No redirect chains yet. Load a page in this tab: every redirect is recorded, even with DevTools closed.
      </div>
    );
  }
  return (
    <div
      className="chain-list"
      ref={parent}
      role="listbox"
      aria-label="Redirect chains, newest first"
      aria-activedescendant={selectedId ? `chain-${selectedId}` : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const chain = chains[item.index] as Chain;
          return (
            <ChainRow
              key={chain.id}
              chain={chain}
              selected={chain.id === selectedId}
              top={item.start}
              onSelect={onSelect}
              onOpen={onOpen}
            />
          );
        })}
      </div>
    </div>
  );
});
