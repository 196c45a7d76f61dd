import { useCallback, useEffect, useReducer } from 'react';
import { analyze, type AnalyzedChain as Chain } from '../core/analyze/index.ts';
import { chainSearchText } from '../core/filter/filter.ts';
import type { Chain as ChainFacts } from '../core/model/chain.ts';
import type { Connector, ConnectorEvent } from './connector/types.ts';

export interface ChainsState {
  /** Oldest first, by start time. */
  chains: Chain[];
  evicted: number;
  connected: boolean;
  error?: string;
  /** The journey of the page the tab shows now, when the worker knows it. */
  current: string | null;
  /** Clear was asked for while the worker was unreachable: it applies once it is back. */
  clearWaiting: boolean;
}

type Action = ConnectorEvent | { type: 'reset' } | { type: 'clear' };

const INITIAL: ChainsState = { chains: [], evicted: 0, connected: false, current: null, clearWaiting: false };

/**
 * A chain as a list shows it: analyzed, and its filter search text made now, while chains
 * arrive, so that a keystroke over all of them only looks words up.
 */
export function listedChain(chain: ChainFacts): Chain {
  const analyzed = analyze(chain);
  chainSearchText(analyzed);
  return analyzed;
}

const byStart = (a: Chain, b: Chain) => a.startTime - b.startTime || a.id.localeCompare(b.id);

export function chainsReducer(state: ChainsState, event: Action): ChainsState {
  switch (event.type) {
    case 'reset':
      return INITIAL;
    case 'clear':
      return state.connected ? state : { ...state, clearWaiting: true };
    case 'status':
      return { ...state, connected: event.connected, error: event.error };
    case 'hopscope/snapshot':
      // A snapshot replaces everything: after a reconnect nothing is shown twice or stale, and
      // a clear that waited for the worker is applied in it.
      return {
        ...state,
        chains: event.chains.map(listedChain).sort(byStart),
        evicted: event.evicted,
        current: event.current,
        clearWaiting: false,
      };
    case 'hopscope/update': {
      if (!event.chains.length && !event.removed.length)
        return { ...state, evicted: event.evicted, current: event.current };
      const byId = new Map(state.chains.map((c) => [c.id, c]));
      for (const id of event.removed) byId.delete(id);
      for (const c of event.chains) byId.set(c.id, listedChain(c));
      return { ...state, chains: [...byId.values()].sort(byStart), evicted: event.evicted, current: event.current };
    }
  }
}

/** The analyzed chains of a tab (null: every tab; undefined: none yet), live; and Clear for them. */
export function useChains(connector: Connector, tabId: number | null | undefined): ChainsState & { clear(): void } {
  const [state, dispatch] = useReducer(chainsReducer, INITIAL);
  useEffect(() => {
    dispatch({ type: 'reset' });
    if (tabId === undefined) return;
    return connector.subscribe(tabId, dispatch);
  }, [connector, tabId]);
  const clear = useCallback(() => {
    if (tabId === undefined) return;
    connector.clear(tabId);
    dispatch({ type: 'clear' });
  }, [connector, tabId]);
  return { ...state, clear };
}
