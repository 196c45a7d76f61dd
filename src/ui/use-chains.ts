import { useEffect, useReducer } from 'react';
import { analyze, type AnalyzedChain as Chain } from '../core/analyze/index.ts';
import type { Connector, ConnectorEvent } from './connector/types.ts';

export interface ChainsState {
  /** Oldest first, by start time. */
  chains: Chain[];
  evicted: number;
  connected: boolean;
  error?: string;
  /** The journey of the page the tab shows now, when the worker knows it. */
  current: string | null;
}

const byStart = (a: Chain, b: Chain) => a.startTime - b.startTime || a.id.localeCompare(b.id);

export function chainsReducer(state: ChainsState, event: ConnectorEvent | { type: 'reset' }): ChainsState {
  switch (event.type) {
    case 'reset':
      return { chains: [], evicted: 0, connected: false, current: null };
    case 'status':
      return { ...state, connected: event.connected, error: event.error };
    case 'snapshot':
      // A snapshot replaces everything: after a reconnect nothing is shown twice or stale.
      return {
        ...state,
        chains: event.chains.map(analyze).sort(byStart),
        evicted: event.evicted,
        current: event.current,
      };
    case 'update': {
      if (!event.chains.length && !event.removed.length)
        return { ...state, evicted: event.evicted, current: event.current };
      const byId = new Map(state.chains.map((c) => [c.id, c]));
      for (const id of event.removed) byId.delete(id);
      for (const c of event.chains) byId.set(c.id, analyze(c));
      return { ...state, chains: [...byId.values()].sort(byStart), evicted: event.evicted, current: event.current };
    }
  }
}

export function useChains(connector: Connector, tabId: number | null | undefined): ChainsState {
  const [state, dispatch] = useReducer(chainsReducer, { chains: [], evicted: 0, connected: false, current: null });
  useEffect(() => {
    dispatch({ type: 'reset' });
    if (tabId === undefined) return;
    return connector.subscribe(tabId, dispatch);
  }, [connector, tabId]);
  return state;
}
