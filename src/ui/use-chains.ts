import { startTransition, useCallback, useEffect, useReducer } from 'react';
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

/** Analysis done in one go before the page yields to a frame or a keystroke. */
const ANALYZE_SLICE_MS = 8;

/**
 * `chains` as listedChain makes them, in slices of ANALYZE_SLICE_MS with a timer between, so
 * that a frame or a keystroke waits for one slice at most; `done` gets them in order (at once,
 * in the same task, when they fit in one slice). Returns a cancel.
 */
export function listInSlices(chains: readonly ChainFacts[], done: (listed: Chain[]) => void): () => void {
  let cancelled = false;
  const listed: Chain[] = [];
  const slice = () => {
    if (cancelled) return;
    const until = performance.now() + ANALYZE_SLICE_MS;
    while (listed.length < chains.length && performance.now() < until) {
      listed.push(listedChain(chains[listed.length] as ChainFacts));
    }
    if (listed.length < chains.length) setTimeout(slice, 0);
    else done(listed);
  };
  slice();
  return () => {
    cancelled = true;
  };
}

const byStart = (a: Chain, b: Chain) => a.startTime - b.startTime || a.id.localeCompare(b.id);

/** Two lists sorted by start, as one. */
function mergeByStart(a: Chain[], b: Chain[]): Chain[] {
  if (!b.length) return a;
  const out: Chain[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    out.push(byStart(a[i] as Chain, b[j] as Chain) <= 0 ? (a[i++] as Chain) : (b[j++] as Chain));
  }
  while (i < a.length) out.push(a[i++] as Chain);
  while (j < b.length) out.push(b[j++] as Chain);
  return out;
}

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
      // The chains an update brings replace those with their ids; the rest stay in order, and
      // the update's own (a few, or a chunk of the snapshot) are merged in by start time.
      const latest = new Map(event.chains.map((c) => [c.id, c]));
      const gone = new Set(event.removed);
      const kept = state.chains.filter((c) => !gone.has(c.id) && !latest.has(c.id));
      const added = [...latest.values()].map(listedChain).sort(byStart);
      return { ...state, chains: mergeByStart(kept, added), evicted: event.evicted, current: event.current };
    }
  }
}

/** The event with its chains analyzed: in the task that received it, not in a render of many. */
function withChainsAnalyzed(event: ConnectorEvent): ConnectorEvent {
  if (event.type === 'status') return event;
  return { ...event, chains: event.chains.map(listedChain) };
}

/** The analyzed chains of a tab (null: every tab; undefined: none yet), live; and Clear for them. */
export function useChains(connector: Connector, tabId: number | null | undefined): ChainsState & { clear(): void } {
  const [state, dispatch] = useReducer(chainsReducer, INITIAL);
  useEffect(() => {
    dispatch({ type: 'reset' });
    if (tabId === undefined) return;
    return connector.subscribe(tabId, (event) => {
      const action = withChainsAnalyzed(event);
      // The list follows updates (the older chunks of a big store, live changes) as
      // transitions: a keystroke interrupts them. A snapshot and the connection's state show
      // at once.
      if (action.type === 'hopscope/update') startTransition(() => dispatch(action));
      else dispatch(action);
    });
  }, [connector, tabId]);
  const clear = useCallback(() => {
    if (tabId === undefined) return;
    connector.clear(tabId);
    dispatch({ type: 'clear' });
  }, [connector, tabId]);
  return { ...state, clear };
}
