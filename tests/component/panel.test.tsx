/**
 * The panel UI with the mock connector: what a user sees in the chain list, the hop table and
 * the explanations, and what the toolbar does. Chains come from real recorded Chromium events.
 */
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { AnalyzedChain as Chain } from '../../src/core/analyze/index.ts';
import { chainsToHar } from '../../src/core/har/export.ts';
import { App } from '../../src/panel/App.tsx';
import { MockConnector } from '../../src/ui/connector/mock.ts';
import { chainsOf, type FixtureName, loadFixture } from '../unit/helpers.ts';

/** Recorded chains of a fixture, moved to one tab. */
function chains(name: FixtureName, tabId = 7): Chain[] {
  return chainsOf(name).map((c) => ({ ...c, tabId }));
}

/** Main-frame chains of the fixtures, re-timed to start in the order given. */
function mainFrames(...names: FixtureName[]): Chain[] {
  const t0 = 1_700_000_000_000;
  return names
    .flatMap((n) => chains(n).filter((c) => c.type === 'main_frame'))
    .map((c, i) => ({ ...c, startTime: t0 + i * 60_000 + (c.startTime % 60_000) }));
}

function rows() {
  return screen.queryAllByTestId('chain-row');
}

function renderPanel(list: Chain[], search = '?tabId=7') {
  const connector = new MockConnector(list);
  render(<App connector={connector} search={search} />);
  return connector;
}

function preserveLog() {
  fireEvent.click(screen.getByLabelText(/Preserve/));
}

describe('chain list', () => {
  it('shows the chains of the tab newest first, with final status, hop count and badges', () => {
    renderPanel(mainFrames('chain-3xx', 'post-303', 'hsts-header', 'loop'));
    preserveLog();
    const texts = rows().map((r) => r.textContent ?? '');
    expect(texts).toHaveLength(5); // hsts-header is two navigations
    expect(texts[0]).toMatch(/^loop.*\/loop\/a → .*\/loop\/b.*20 hops.*loop.*error/);
    expect(texts[1]).toMatch(/^200.*\/sts\/page → https:\/\/sts\.test:\d+\/sts\/page.*2 hops.*HSTS/);
    expect(texts[3]).toMatch(/^200.*\/post\/303 → .*\/echo.*2 hops.*method changed/);
    expect(texts[4]).toMatch(/^200.*\/chain\/start → .*\/chain\/final.*6 hops/);
  });

  it('shows only the last navigation unless the log is preserved', () => {
    renderPanel(mainFrames('chain-3xx', 'post-303'));
    expect(rows()).toHaveLength(1);
    expect(rows()[0]?.textContent).toContain('/post/303');
    preserveLog();
    expect(rows()).toHaveLength(2);
  });

  it('shows chains recorded before it opened, then live updates, and resyncs after a worker restart', () => {
    const [first, second] = mainFrames('chain-3xx', 'cross-host');
    const connector = renderPanel([first as Chain]);
    preserveLog();
    expect(rows()).toHaveLength(1);
    act(() => connector.push(second as Chain));
    expect(rows()).toHaveLength(2);
    act(() => connector.restart());
    expect(rows()).toHaveLength(2);
    expect(screen.queryByText(/Reconnecting/)).toBeNull();
  });

  it('says when older chains were dropped', () => {
    const connector = new MockConnector(mainFrames('ok'));
    connector.evicted = 12;
    render(<App connector={connector} search="?tabId=7" />);
    expect(screen.getByText('12 older chains were dropped to stay within the memory limit.')).toBeTruthy();
  });

  it('renders hostile URLs and headers as text, never as HTML', () => {
    const [chain] = mainFrames('chain-3xx');
    const evil = '<img src=x onerror="window.__pwned=1">';
    const hostile: Chain = {
      ...(chain as Chain),
      hops: (chain as Chain).hops.map((h) => ({
        ...h,
        url: `${h.url}?q=${evil}`,
        statusText: evil,
        responseHeaders: [...h.responseHeaders, { name: 'X-Evil', value: evil }],
      })),
    };
    renderPanel([hostile]);
    fireEvent.click(rows()[0] as HTMLElement);
    expect(document.querySelector('img')).toBeNull();
    expect(screen.getAllByText(evil).length).toBeGreaterThan(0);
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });
});

describe('hop table and explanations', () => {
  it('lists each hop with status, method and cache verdict', () => {
    renderPanel(mainFrames('chain-3xx'));
    fireEvent.click(rows()[0] as HTMLElement);
    const hopRows = screen.getAllByTestId('hop-row').map((r) => r.textContent ?? '');
    expect(hopRows.map((t) => /^\d+(\d{3}) ([A-Za-z ]+?)GET/.exec(t)?.slice(1, 3))).toEqual([
      ['301', 'Moved Permanently'],
      ['302', 'Found'],
      ['303', 'See Other'],
      ['307', 'Temporary Redirect'],
      ['308', 'Permanent Redirect'],
      ['200', 'OK'],
    ]);
    expect(hopRows[0]).toContain('cacheable (default)');
    expect(hopRows[1]).toContain('not cacheable');
  });

  it('highlights POST → GET after a 303 and explains that the body was dropped', () => {
    renderPanel(mainFrames('post-303'));
    fireEvent.click(rows()[0] as HTMLElement);
    const first = screen.getAllByTestId('hop-row')[0] as HTMLElement;
    expect(within(first).getByText('POST → GET')).toBeTruthy();
    const detail = screen.getByRole('region', { name: 'Hop 1 explained' });
    expect(detail.textContent).toMatch(/body/i);
    expect(detail.textContent).toMatch(/GET/);
  });

  it('explains the HSTS hop: the browser upgraded it and the server was not contacted', () => {
    renderPanel(mainFrames('hsts-header'));
    fireEvent.click(rows()[0] as HTMLElement);
    const hop = screen.getAllByTestId('hop-row')[0] as HTMLElement;
    expect(hop.textContent).toContain('307');
    expect(hop.textContent).toContain('Internal Redirect');
    expect(hop.textContent).toContain('internal (HSTS)');
    const detail = screen.getByRole('region', { name: 'Hop 1 explained' });
    expect(detail.textContent).toMatch(/HSTS/);
    expect(detail.textContent).toMatch(/not contacted/i);
    expect(screen.getByRole('region', { name: 'Response headers' }).textContent).toContain('Non-Authoritative-Reason');
  });

  it('moves through chains and hops with the keyboard', () => {
    renderPanel(mainFrames('chain-3xx', 'post-303'));
    preserveLog();
    const list = screen.getByRole('listbox');
    // The newest chain is selected when the panel opens.
    expect(rows()[0]?.getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    expect(rows()[1]?.getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(list, { key: 'ArrowUp' });
    expect(rows()[0]?.getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    expect(rows()[1]?.getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(list, { key: 'Enter' });
    const table = screen.getByRole('table', { name: 'Hops of the selected chain' });
    expect(document.activeElement).toBe(table);
    fireEvent.keyDown(table, { key: 'ArrowDown' });
    expect(screen.getByRole('region', { name: 'Hop 2 explained' })).toBeTruthy();
    fireEvent.keyDown(table, { key: 'Escape' });
    expect(document.activeElement).toBe(list);
    fireEvent.keyDown(window, { key: 'f', ctrlKey: true });
    expect(document.activeElement).toBe(screen.getByLabelText('Filter chains'));
  });
});

describe('filter box', () => {
  it('filters by text and by predicates, and reports unknown ones', () => {
    renderPanel(mainFrames('chain-3xx', 'post-303', 'post-307', 'hsts-header', 'cache-301'));
    preserveLog();
    const box = screen.getByLabelText('Filter chains');
    fireEvent.change(box, { target: { value: 'is:internal' } });
    expect(rows().map((r) => r.textContent)).toEqual([expect.stringContaining('/sts/page')]);
    fireEvent.change(box, { target: { value: 'method:POST' } });
    expect(rows()).toHaveLength(2);
    fireEvent.change(box, { target: { value: 'status:303' } });
    expect(rows().map((r) => r.textContent)).toEqual([
      expect.stringContaining('/post/303'),
      expect.stringContaining('/chain/start'),
    ]);
    fireEvent.change(box, { target: { value: 'is:cached' } });
    expect(rows()).toHaveLength(1);
    fireEvent.change(box, { target: { value: 'chain/final' } });
    expect(rows()).toHaveLength(1);
    fireEvent.change(box, { target: { value: 'is:bogus' } });
    expect(screen.getByRole('alert').textContent).toMatch(/bogus/);
  });
});

describe('import and export', () => {
  it('exports the listed chains as HAR and imports them back to the same chains', async () => {
    const recorded = mainFrames('chain-3xx', 'post-303');
    renderPanel(recorded);
    preserveLog();
    let saved = '';
    const createObjectURL = vi.fn((blob: Blob) => {
      void blob.text().then((t) => {
        saved = t;
      });
      return 'blob:test';
    });
    URL.createObjectURL = createObjectURL;
    URL.revokeObjectURL = vi.fn();
    fireEvent.click(screen.getByText('Export 2 listed'));
    await vi.waitFor(() => expect(saved).not.toBe(''));
    const har = JSON.parse(saved);
    expect(har.log.entries).toHaveLength(8);
    expect(har.log.entries).toEqual(JSON.parse(JSON.stringify(chainsToHar(recorded).log.entries)));
    const file = new File([saved], 'export.har', { type: 'application/json' });
    fireEvent.change(screen.getByLabelText('Import HAR file'), { target: { files: [file] } });
    await screen.findByText(/Opened export\.har: 2 redirect chains/);
    expect(rows()).toHaveLength(2);
    expect(rows()[0]?.textContent).toContain('/post/303');
    expect(rows()[1]?.textContent).toContain('/chain/start');
  });

  it.each([
    ['truncated.har', '{"log": {"entries": ['],
    ['notes.har', '{"not": "a har"}'],
  ])('a file that is not HAR gets a clear message and changes nothing (%s)', async (name, content) => {
    renderPanel(mainFrames('chain-3xx'));
    const file = new File([content], name);
    fireEvent.change(screen.getByLabelText('Import HAR file'), { target: { files: [file] } });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(`${name} was not opened`);
    expect(rows()).toHaveLength(1);
    expect(rows()[0]?.textContent).toContain('/chain/start');
  });
});

describe('tab choice outside DevTools', () => {
  it('asks for a tab when opened without ?tabId', async () => {
    const connector = new MockConnector(mainFrames('chain-3xx'), {
      tabs: [{ id: 7, title: 'Fixture tab', url: 'http://localhost/' }],
    });
    render(<App connector={connector} search="" />);
    expect(screen.getByText('Choose the tab to inspect.')).toBeTruthy();
    const select = screen.getByLabelText('Tab to inspect') as HTMLSelectElement;
    await screen.findByText('Fixture tab');
    fireEvent.change(select, { target: { value: '7' } });
    expect(rows()).toHaveLength(1);
  });

  it('uses the inspected tab inside DevTools', () => {
    const connector = new MockConnector([...mainFrames('chain-3xx'), ...chains('ok', 9)], { inspectedTabId: 9 });
    render(<App connector={connector} search="?tabId=7" />);
    expect(rows().map((r) => r.textContent)).toEqual([expect.stringContaining('/ok')]);
    expect(screen.queryByLabelText('Tab to inspect')).toBeNull();
  });

  it('clears the tab through the connector', () => {
    const connector = renderPanel(mainFrames('chain-3xx'));
    fireEvent.click(screen.getByText('Clear'));
    expect(connector.cleared).toEqual([7]);
    expect(rows()).toHaveLength(0);
  });
});

describe('lost connection to the recorder', () => {
  const reconnecting = () => screen.queryByText(/Reconnecting to the recorder/);

  it('says it is reconnecting while the worker is gone, and stops saying it once it is back', () => {
    const connector = renderPanel(mainFrames('chain-3xx'));
    expect(reconnecting()).toBeNull();
    act(() => connector.disconnect());
    // Shown in the status bar, a live region: screen readers announce it too.
    const indicator = screen.getByText('Reconnecting to the recorder…');
    expect(indicator.closest('footer[role=status]')).not.toBeNull();
    expect(rows()).toHaveLength(1);
    act(() => connector.reconnect());
    expect(reconnecting()).toBeNull();
    expect(rows()).toHaveLength(1);
  });

  it('keeps a Clear pressed meanwhile and applies it once the worker is back', () => {
    const connector = renderPanel(mainFrames('chain-3xx'));
    act(() => connector.disconnect());
    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    // Not dropped, not yet applied: the page says so and shows what it had.
    expect(connector.cleared).toEqual([]);
    expect(reconnecting()?.textContent).toBe('Reconnecting to the recorder… Clear applies once it is back.');
    expect(rows()).toHaveLength(1);
    act(() => connector.reconnect());
    expect(connector.cleared).toEqual([7]);
    expect(rows()).toHaveLength(0);
    expect(reconnecting()).toBeNull();
  });
});

describe('many chains', () => {
  it('renders a virtualized window of 10,000 chains and filters them', () => {
    const base = loadFixture('chain-3xx');
    const many: Chain[] = [];
    const template = chainsOf(base).find((c) => c.type === 'main_frame') as Chain;
    for (let i = 0; i < 10_000; i++) {
      many.push({
        ...template,
        id: `c${i}`,
        requestId: `r${i}`,
        tabId: 7,
        type: i % 2 ? 'xmlhttprequest' : 'other',
        startTime: template.startTime + i,
      });
    }
    renderPanel(many);
    expect(rows().length).toBeGreaterThan(0);
    expect(rows().length).toBeLessThan(100);
    expect(screen.getByText(/10000 of 10000 chains/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Filter chains'), { target: { value: 'type:xhr' } });
    expect(screen.getByText(/5000 of 10000 chains/)).toBeTruthy();
    // What it checks is what shows, not how fast: jsdom renders 10,000 chains slowly on a busy machine.
  }, 60_000);
});

describe('sensitive headers', () => {
  it('shows cookies only on request', () => {
    const [chain] = mainFrames('chain-3xx');
    const withCookies: Chain = {
      ...(chain as Chain),
      hops: (chain as Chain).hops.map((h) => ({
        ...h,
        requestHeaders: [...h.requestHeaders, { name: 'Cookie', value: 'session=s3cr3t' }],
        responseHeaders: [...h.responseHeaders, { name: 'Set-Cookie', value: 'session=n3w; HttpOnly' }],
      })),
    };
    renderPanel([withCookies]);
    fireEvent.click(rows()[0] as HTMLElement);
    expect(document.body.textContent).not.toContain('s3cr3t');
    expect(document.body.textContent).not.toContain('n3w');
    const request = screen.getByRole('region', { name: 'Request headers' });
    fireEvent.click(within(request).getByRole('button', { name: 'Show cookies (1)' }));
    expect(request.textContent).toContain('session=s3cr3t');
    expect(document.body.textContent).not.toContain('n3w');
  });
});
