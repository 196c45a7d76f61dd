import { useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, memo, useEffect, useRef } from 'react';
import type { AnalyzedChain as Chain } from '../../core/analyze/index.ts';
import { chainDuration, durationLabel } from '../../core/present/duration.ts';
import { plural } from '../../core/present/plural.ts';
import { Badges } from '../../ui/Badges.tsx';
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
          const status = finalStatus(chain);
          const first = chain.hops[0]?.url ?? chain.pending?.url ?? '';
          const last = lastUrl(chain);
          const total = chainDuration(chain);
          return (
            // Focus stays on the listbox (aria-activedescendant), which handles the keys.
            // biome-ignore lint/a11y/useKeyWithClickEvents: keyboard handled by the listbox
            // biome-ignore lint/a11y/useFocusableInteractive: options of an activedescendant listbox
            <div
              key={chain.id}
              id={`chain-${chain.id}`}
              role="option"
              aria-selected={chain.id === selectedId}
              className={`chain-row${chain.id === selectedId ? ' selected' : ''}`}
              style={{
                position: 'absolute',
                top: 0,
                left: 0,
                right: 0,
                height: ROW_HEIGHT,
                transform: `translateY(${item.start}px)`,
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
              </div>
              <div className="chain-meta">
                <span>{plural(chain.hops.length, 'hop')}</span>
                <span>{durationLabel(total)}</span>
                <Badges chain={chain} />
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
});
