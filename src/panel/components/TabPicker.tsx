import { useEffect, useState } from 'react';
import type { Connector, TabInfo } from '../../ui/connector/types.ts';

/** Outside DevTools there is no inspected tab: the user picks one (or all). */
export function TabPicker({
  connector,
  tabId,
  onPick,
}: {
  connector: Connector;
  tabId: number | null | undefined;
  onPick(tabId: number | null): void;
}) {
  const [tabs, setTabs] = useState<TabInfo[]>([]);
  useEffect(() => {
    void connector.listTabs().then(setTabs, () => setTabs([]));
  }, [connector]);
  return (
    <label className="tab-picker">
      Tab{' '}
      <select
        aria-label="Tab to inspect"
        value={tabId === undefined ? '' : tabId === null ? 'all' : String(tabId)}
        onChange={(e) => onPick(e.target.value === 'all' ? null : Number(e.target.value))}
      >
        {tabId === undefined && <option value="">Choose a tab…</option>}
        <option value="all">All tabs</option>
        {tabId !== undefined && tabId !== null && !tabs.some((t) => t.id === tabId) && (
          <option value={String(tabId)}>Tab {tabId}</option>
        )}
        {tabs.map((t) => (
          <option key={t.id} value={String(t.id)}>
            {t.title || t.url || `Tab ${t.id}`}
          </option>
        ))}
      </select>
    </label>
  );
}
