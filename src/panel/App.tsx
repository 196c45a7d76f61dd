import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AnalyzedChain as Chain } from '../core/analyze/index.ts';
import { chainMatcher, chainSearchText, parseFilter } from '../core/filter/filter.ts';
import { HarImportError, importHar } from '../core/har/import/index.ts';
import type { Chain as ChainFacts } from '../core/model/chain.ts';
import { hopAsCurl } from '../core/present/curl.ts';
import { formatChainMarkdown } from '../core/present/markdown.ts';
import { plural, pluralWord } from '../core/present/plural.ts';
import { formatChainTable } from '../core/present/text-table.ts';
import { afterPaint } from '../ui/after-paint.ts';
import type { Connector } from '../ui/connector/types.ts';
import {
  copyText,
  downloadText,
  type HarExportMode,
  harExportText,
  harFileName,
  harNames,
  nameChoices,
} from '../ui/download.ts';
import { listedChain, listInSlices, useChains } from '../ui/use-chains.ts';
import { useTheme } from '../ui/use-theme.ts';
import { ChainDetail } from './components/ChainDetail.tsx';
import { ChainList } from './components/ChainList.tsx';
import { TabPicker } from './components/TabPicker.tsx';
import { Toolbar } from './components/Toolbar.tsx';

interface Imported {
  name: string;
  /** The chains analyzed so far: the file's newest first, then older ones batch by batch. */
  chains: Chain[];
  /** The file's chains, oldest first; those before `waiting` are not analyzed yet. */
  all: readonly ChainFacts[];
  waiting: number;
  warnings: string[];
}

/**
 * An imported file's newest chains are analyzed and shown at once, the rest in batches, each
 * after the previous one is painted: analyzing 50,000 chains takes seconds, the first screen
 * needs a few dozen.
 */
const FIRST_ANALYZED = 100;
const ANALYZE_BATCH = 2000;

/** The tab to show: DevTools' inspected tab, else `?tabId=N`, else the user's pick. */
function initialTab(connector: Connector, search: string): number | null | undefined {
  const inspected = connector.inspectedTabId();
  if (inspected !== undefined) return inspected;
  const param = new URLSearchParams(search).get('tabId');
  if (param === 'all') return null;
  if (param !== null && /^\d+$/.test(param)) return Number(param);
  return undefined;
}

/** Without "preserve log", a tab shows what happened since its last page navigation. */
function sinceLastNavigation(chains: Chain[]): Chain[] {
  for (let i = chains.length - 1; i >= 0; i--) {
    if (chains[i]?.type === 'main_frame') return chains.slice(i);
  }
  return chains;
}

export function App({ connector, search = location.search }: { connector: Connector; search?: string }) {
  const inDevtools = connector.inspectedTabId() !== undefined;
  const [tabId, setTabId] = useState(() => initialTab(connector, search));
  const live = useChains(connector, tabId);
  const [imported, setImported] = useState<Imported | undefined>();
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | undefined>();
  const [filterText, setFilterText] = useState('');
  const [preserveLog, setPreserveLog] = useState(false);
  const [exportMode, setExportMode] = useState<HarExportMode>('sanitized');
  const includeSensitive = exportMode === 'secrets';
  const [nameChoice, setNameChoice] = useState<ReadonlyMap<string, 'hash' | 'keep'>>(new Map());
  const [selectedId, setSelectedId] = useState<string | undefined>();
  /** The user chose the selected chain (click, keys): it is theirs, never replaced by a newer one. */
  const [picked, setPicked] = useState(false);
  const [selectedHop, setSelectedHop] = useState(0);
  const filterRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const hopTableRef = useRef<HTMLTableElement>(null);

  useTheme(connector);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'f') {
        e.preventDefault();
        filterRef.current?.focus();
        filterRef.current?.select();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // The next batch of an import's older chains, once what is shown now has been painted, in
  // slices (listInSlices). The state of each batch schedules the next: a cleared or replaced
  // import schedules none.
  useEffect(() => {
    if (!imported?.waiting) return;
    const { all, waiting } = imported;
    const from = Math.max(0, waiting - ANALYZE_BATCH);
    let cancel: (() => void) | undefined;
    let cancelled = false;
    afterPaint(() => {
      if (cancelled) return;
      cancel = listInSlices(all.slice(from, waiting), (batch) =>
        setImported((shown) =>
          shown?.all === all && shown.waiting === waiting
            ? { ...shown, chains: [...batch, ...shown.chains], waiting: from }
            : shown,
        ),
      );
    });
    return () => {
      cancelled = true;
      cancel?.();
    };
  }, [imported]);

  const source = imported?.chains ?? live.chains;
  const scoped = useMemo(
    () => (imported || preserveLog || tabId === null ? source : sinceLastNavigation(source)),
    [source, imported, preserveLog, tabId],
  );
  // The list is filtered in the keystroke's own render and painted in the next frame: a pass is
  // one includes() per chain, ~5 ms for 50,000 (an import; the live store keeps 5,000). A
  // deferred render (useDeferredValue) added a frame: its commit came a frame after the key's.
  const filter = useMemo(() => parseFilter(filterText), [filterText]);
  // Made when the chains change, not on a keystroke: the filter then reads them from an array.
  const searchTexts = useMemo(() => scoped.map(chainSearchText), [scoped]);
  const listed = useMemo(() => {
    const matches = chainMatcher(filter);
    const out: Chain[] = [];
    for (let i = scoped.length - 1; i >= 0; i--) {
      const chain = scoped[i] as Chain;
      if (matches(chain, searchTexts[i])) out.push(chain);
    }
    return out;
  }, [scoped, searchTexts, filter]);

  const selected = listed.find((c) => c.id === selectedId);
  // Until the user picks a chain (or once the one they picked is gone: cleared, or left behind
  // by a navigation), the newest listed chain is selected, so its hops show without a click.
  // Set while rendering, not in an effect: the panel never paints without it.
  const newest = listed[0];
  if (!selected && newest && (!picked || !scoped.some((c) => c.id === selectedId))) {
    setSelectedId(newest.id);
    setSelectedHop(0);
    setPicked(false);
  }
  const hop = selected?.hops[Math.min(selectedHop, (selected?.hops.length ?? 1) - 1)];

  const openHops = useCallback(() => hopTableRef.current?.focus(), []);
  const select = useCallback((id: string) => {
    setSelectedId(id);
    setPicked(true);
    setSelectedHop(0);
  }, []);
  /** Nothing selected, nothing picked: the newest chain is selected again. */
  const unselect = () => {
    setSelectedId(undefined);
    setPicked(false);
  };

  const onExport = (which: 'selected' | 'listed') => {
    const chains = which === 'selected' ? (selected ? [selected] : []) : [...listed].reverse();
    if (!chains.length) return;
    const choices = exportMode === 'hashed' && nameChoice.size ? nameChoices(harNames(chains), nameChoice) : {};
    downloadText(harFileName(), harExportText(chains, exportMode, choices));
    const how = { sanitized: '', hashed: ' (secrets hashed)', secrets: ' (with secrets)' }[exportMode];
    setNotice({ text: `Exported ${plural(chains.length, 'chain')} as HAR${how}.` });
  };

  const onImport = async (file: File) => {
    try {
      const result = importHar(await file.text(), { source: file.name });
      // For npm run bench: what the panel does from here on is what "first rows after parse" times.
      performance.mark('hopscope:har-parsed');
      const all = result.chains;
      const waiting = Math.max(0, all.length - FIRST_ANALYZED);
      setImported({
        name: file.name,
        chains: all.slice(waiting).map(listedChain),
        all,
        waiting,
        warnings: result.warnings,
      });
      unselect();
      setNotice({
        text: `Opened ${file.name}: ${plural(result.chains.length, 'redirect chain')} from ${plural(result.entries, 'entry')}${result.creator ? ` (${result.creator})` : ''}.${result.warnings.length ? ` ${plural(result.warnings.length, 'warning')}: ${result.warnings.slice(0, 3).join(' ')}` : ''}`,
      });
    } catch (error) {
      // Nothing shown so far is touched: the error only explains why the file was not opened.
      const message = error instanceof HarImportError ? error.message : `Could not read ${file.name}.`;
      setNotice({ text: `${file.name} was not opened: ${message}`, error: true });
    }
  };

  const onCopy = async (what: 'text' | 'markdown' | 'curl' | 'url') => {
    if (!selected) return;
    const text =
      what === 'text'
        ? formatChainTable(selected)
        : what === 'markdown'
          ? formatChainMarkdown(selected)
          : what === 'curl'
            ? hop
              ? hopAsCurl(hop, { includeSensitive })
              : ''
            : (hop?.url ?? '');
    if (!text) return;
    await copyText(text);
    setNotice({
      text: `Copied ${what === 'url' ? 'the URL' : what === 'curl' ? 'the hop as cURL' : `the chain as ${what === 'text' ? 'text' : 'Markdown'}`}.`,
    });
  };

  const onClear = () => {
    if (imported) setImported(undefined);
    // While the worker is unreachable the clear waits for it (see the status bar).
    else live.clear();
    unselect();
    setNotice(undefined);
  };

  return (
    <div className="app">
      <Toolbar
        filter={filterText}
        onFilter={setFilterText}
        filterErrors={filter.errors}
        filterRef={filterRef}
        preserveLog={preserveLog}
        onPreserveLog={setPreserveLog}
        canPreserve={!imported && tabId !== null}
        onClear={onClear}
        onExport={onExport}
        exportMode={exportMode}
        onExportMode={setExportMode}
        exportNames={() => harNames([...listed].reverse())}
        nameChoice={nameChoice}
        onNameChoice={(name, choice) => setNameChoice((m) => new Map(m).set(name, choice))}
        onImport={(file) => void onImport(file)}
        onCopy={(what) => void onCopy(what)}
        hasSelection={selected !== undefined}
        hasHop={hop !== undefined}
        listed={listed.length}
      />
      <div className="subbar">
        {!inDevtools && <TabPicker connector={connector} tabId={tabId} onPick={setTabId} />}
        {imported && (
          <span className="imported" role="status">
            Showing {imported.name}{' '}
            <button
              type="button"
              onClick={() => {
                setImported(undefined);
                unselect();
              }}
            >
              Back to recorded chains
            </button>
          </span>
        )}
        {notice && (
          <span className={notice.error ? 'notice error-text' : 'notice'} role={notice.error ? 'alert' : 'status'}>
            {notice.text}
          </span>
        )}
      </div>
      <div className="main">
        <div className="list-pane" ref={listRef}>
          {tabId === undefined && !imported ? (
            <div className="chain-list empty">Choose the tab to inspect.</div>
          ) : (
            <ChainList chains={listed} selectedId={selected?.id} onSelect={select} onOpen={openHops} />
          )}
        </div>
        <div className="detail-pane">
          {selected ? (
            <ChainDetail
              chain={selected}
              selectedHop={Math.min(selectedHop, selected.hops.length - 1)}
              onSelectHop={setSelectedHop}
              onBack={() => listRef.current?.querySelector<HTMLElement>('[role=listbox]')?.focus()}
              tableRef={hopTableRef}
            />
          ) : (
            <p className="muted placeholder">Select a chain to see its hops explained.</p>
          )}
        </div>
      </div>
      <footer className="statusbar" role="status">
        <span>
          {listed.length} of {source.length} {pluralWord(source.length, 'chain')}
          {filter.errors.length === 0 && filterText ? ' match the filter' : ''}
        </span>
        {!imported && live.evicted > 0 && (
          <span className="warn">
            {live.evicted} {pluralWord(live.evicted, 'older chain was', 'older chains were')} dropped to stay within the
            memory limit.
          </span>
        )}
        {!imported && tabId !== undefined && !live.connected && (
          <span className="warn">
            Reconnecting to the recorder…{live.clearWaiting && ' Clear applies once it is back.'}
          </span>
        )}
        {!imported && live.error && <span className="error-text">{live.error}</span>}
      </footer>
    </div>
  );
}
