import { type RefObject, useState } from 'react';
import { FILTER_HELP } from '../../core/filter/filter.ts';
import type { NameCount } from '../../core/har/sanitize.ts';
import { HAR_EXPORT_MODES, type HarExportMode, hashedByDefault } from '../../ui/download.ts';

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
  exportMode: HarExportMode;
  onExportMode(mode: HarExportMode): void;
  /** The names in the listed chains (computed when asked: it builds their HAR). */
  exportNames(): NameCount[];
  /** Per name, hashed or kept in a hashed export, where the user changed the default. */
  nameChoice: ReadonlyMap<string, 'hash' | 'keep'>;
  onNameChoice(name: string, choice: 'hash' | 'keep'): void;
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
      <label className="check" title={HAR_EXPORT_MODES.find((m) => m.mode === p.exportMode)?.title}>
        secrets{' '}
        <select
          aria-label="HAR export secrets"
          value={p.exportMode}
          onChange={(e) => p.onExportMode(e.target.value as HarExportMode)}
        >
          {HAR_EXPORT_MODES.map((m) => (
            <option key={m.mode} value={m.mode} title={m.title}>
              {m.label}
            </option>
          ))}
        </select>
      </label>
      {p.exportMode === 'hashed' && (
        <ExportNames names={p.exportNames} choice={p.nameChoice} onChoice={p.onNameChoice} />
      )}
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

/**
 * The names found in the listed chains, each hashed or kept in a hashed export (as
 * `hopscope sanitize --list`, `--keep`, `--redact`): read when opened, since it builds their HAR.
 */
function ExportNames(p: {
  names(): NameCount[];
  choice: ReadonlyMap<string, 'hash' | 'keep'>;
  onChoice(name: string, choice: 'hash' | 'keep'): void;
}) {
  const [rows, setRows] = useState<NameCount[] | undefined>();
  return (
    <details
      className="export-names"
      style={{ position: 'relative' }}
      onToggle={(e) => {
        if ((e.target as HTMLDetailsElement).open) setRows(p.names());
      }}
    >
      <summary title="Choose which header, cookie and parameter names a hashed export hashes or keeps">names</summary>
      {rows && (
        <fieldset
          aria-label="Names in the export"
          style={{
            position: 'absolute',
            zIndex: 10,
            maxHeight: '50vh',
            overflow: 'auto',
            background: 'var(--bg)',
            border: '1px solid var(--border)',
            padding: '4px 6px',
            margin: 0,
            minWidth: '16em',
            whiteSpace: 'nowrap',
          }}
        >
          {rows.length === 0 && <div>No header, cookie or parameter names.</div>}
          {rows.map((row) => {
            const value = p.choice.get(row.name) ?? (hashedByDefault(row) ? 'hash' : 'keep');
            return (
              <label key={`${row.kind}:${row.name}`} style={{ display: 'flex', gap: '6px', whiteSpace: 'nowrap' }}>
                <select
                  aria-label={`${row.kind} ${row.name}`}
                  value={value}
                  onChange={(e) => p.onChoice(row.name, e.target.value as 'hash' | 'keep')}
                >
                  <option value="hash">hashed</option>
                  <option value="keep">kept</option>
                </select>
                <span>
                  {row.kind} <b>{row.name}</b> ×{row.count}
                </span>
              </label>
            );
          })}
        </fieldset>
      )}
    </details>
  );
}
