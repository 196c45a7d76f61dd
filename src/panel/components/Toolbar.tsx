import type { RefObject } from 'react';
import { FILTER_HELP } from '../../core/filter/filter.ts';

interface Props {
  filter: string;
  onFilter(text: string): void;
  filterErrors: string[];
  filterRef: RefObject<HTMLInputElement | null>;
  preserveLog: boolean;
  onPreserveLog(on: boolean): void;
  canPreserve: boolean;
  onClear(): void;
  onExport(which: 'selected' | 'listed'): void;
  includeSensitive: boolean;
  onIncludeSensitive(on: boolean): void;
  onImport(file: File): void;
  onCopy(what: 'text' | 'markdown' | 'curl' | 'url'): void;
  hasSelection: boolean;
  hasHop: boolean;
  listed: number;
}

export function Toolbar(p: Props) {
  return (
    <div className="toolbar" role="toolbar" aria-label="Redirects toolbar">
      <input
        ref={p.filterRef}
        className="filter"
        type="search"
        placeholder="Filter: text, status:307, method:POST, is:error, finding:loop, host:…"
        aria-label="Filter chains"
        value={p.filter}
        onChange={(e) => p.onFilter(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') p.onFilter('');
        }}
        title={FILTER_HELP.map((h) => `${h.syntax}  ${h.meaning}`).join('\n')}
        aria-invalid={p.filterErrors.length > 0}
        aria-describedby={p.filterErrors.length ? 'filter-errors' : undefined}
      />
      {p.canPreserve && (
        <label className="check">
          <input type="checkbox" checked={p.preserveLog} onChange={(e) => p.onPreserveLog(e.target.checked)} /> Preserve
          log
        </label>
      )}
      <button type="button" onClick={p.onClear} title="Forget the recorded chains of this tab">
        Clear
      </button>
      <span className="sep" />
      <button type="button" onClick={() => p.onExport('selected')} disabled={!p.hasSelection}>
        Export chain
      </button>
      <button type="button" onClick={() => p.onExport('listed')} disabled={p.listed === 0}>
        Export {p.listed} listed
      </button>
      <label
        className="check"
        title="Keep Cookie, Set-Cookie, Authorization headers and secret URL parameters in the HAR"
      >
        <input type="checkbox" checked={p.includeSensitive} onChange={(e) => p.onIncludeSensitive(e.target.checked)} />{' '}
        with secrets
      </label>
      <label className="button">
        Import HAR…
        <input
          type="file"
          accept=".har,.json,application/json"
          aria-label="Import HAR file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) p.onImport(file);
            e.target.value = '';
          }}
        />
      </label>
      <span className="sep" />
      <button type="button" onClick={() => p.onCopy('text')} disabled={!p.hasSelection}>
        Copy text
      </button>
      <button type="button" onClick={() => p.onCopy('markdown')} disabled={!p.hasSelection}>
        Copy Markdown
      </button>
      <button type="button" onClick={() => p.onCopy('curl')} disabled={!p.hasHop}>
        Copy hop as cURL
      </button>
      <button type="button" onClick={() => p.onCopy('url')} disabled={!p.hasHop}>
        Copy URL
      </button>
      {p.filterErrors.length > 0 && (
        <div id="filter-errors" className="filter-errors" role="alert">
          {p.filterErrors.join(' ')}
        </div>
      )}
    </div>
  );
}
