/**
 * Where findings show in the panel, with the mock connector and chains from recorded Chromium
 * events: the Findings section at the top of a chain's details, the row's hop statuses and worst
 * finding, the newest chain selected when the panel opens, and the filter's help.
 */
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SOURCES } from '../../src/core/analyze/findings/sources.ts';
import type { AnalyzedChain as Chain, Finding } from '../../src/core/analyze/index.ts';
import { FILTER_HELP } from '../../src/core/filter/filter.ts';
import { App } from '../../src/panel/App.tsx';
import { Findings } from '../../src/panel/components/Findings.tsx';
import { MockConnector } from '../../src/ui/connector/mock.ts';
import { chainsOf, type FixtureName } from '../unit/helpers.ts';

/** The main-frame chains of fixtures on tab 7, re-timed to start in the order given. */
function mainFrames(...names: FixtureName[]): Chain[] {
  const t0 = 1_700_000_000_000;
  return names
    .flatMap((n) => chainsOf(n).filter((c) => c.type === 'main_frame'))
    .map((c, i) => ({ ...c, tabId: 7, startTime: t0 + i * 60_000 + (c.startTime % 60_000) }));
}

function renderPanel(list: Chain[], search = '?tabId=7') {
  const connector = new MockConnector(list);
  render(<App connector={connector} search={search} />);
  return connector;
}

const rows = () => screen.queryAllByTestId('chain-row');
const hopRows = () => screen.queryAllByTestId('hop-row');
const findingsRegion = () => screen.getByRole('region', { name: 'Findings' });
const findings = () => within(findingsRegion()).queryAllByTestId('finding');
const selectedRow = () => rows().find((r) => r.getAttribute('aria-selected') === 'true');

describe('the Findings section', () => {
  it('is the top of a chain’s details: severity in words, rule id, hop, sentence, source link', () => {
    renderPanel(mainFrames('downgrade'));
    const detail = document.querySelector('.chain-detail') as HTMLElement;
    expect(detail.firstElementChild).toBe(findingsRegion());
    expect(findingsRegion().querySelector('h3')?.textContent).toBe('Findings 1 error, 1 info');

    const [first, second] = findings() as [HTMLElement, HTMLElement];
    expect(findings()).toHaveLength(2);
    // Most severe first; the severity is a word (with its colour as a class), not colour alone.
    const severity = first.querySelector('.severity') as HTMLElement;
    expect(severity.textContent).toBe('error');
    expect(severity.className).toBe('severity error');
    expect(first.querySelector('.rule')?.textContent).toBe('downgrade');
    expect(within(first).getByRole('button', { name: 'hop 1' })).toBeTruthy();
    expect(first.querySelector('.message')?.textContent).toMatch(/^https:\/\/secure\.test:\d+\/downgrade sends the/);
    const link = within(first).getByRole('link');
    expect(link.textContent).toBe(SOURCES.rfc9110Redirects.title);
    expect(link.getAttribute('href')).toBe(SOURCES.rfc9110Redirects.url);
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.getAttribute('rel')?.split(' ').sort()).toEqual(['noopener', 'noreferrer']);

    expect(second.querySelector('.severity')?.textContent).toBe('info');
    expect(second.querySelector('.rule')?.textContent).toBe('permanent-cached-forever');
  });

  it('a finding’s hop selects that hop in the hop table, and its explanation', () => {
    renderPanel(mainFrames('chain-3xx'));
    const long = findings().find((f) => f.querySelector('.rule')?.textContent === 'long-chain') as HTMLElement;
    expect(hopRows()[0]?.getAttribute('aria-selected')).toBe('true');
    fireEvent.click(within(long).getByRole('button', { name: 'hop 4' }));
    expect(hopRows().map((r) => r.getAttribute('aria-selected'))).toEqual([
      'false',
      'false',
      'false',
      'true',
      'false',
      'false',
    ]);
    expect(screen.getByRole('region', { name: 'Hop 4 explained' }).textContent).toMatch(/307/);
    // The hop table takes the arrow keys from there.
    expect(document.activeElement).toBe(screen.getByRole('table', { name: 'Hops of the selected chain' }));
  });

  it('says so briefly when a chain has none', () => {
    renderPanel(mainFrames('post-307'));
    expect(findings()).toHaveLength(0);
    expect(findingsRegion().textContent).toBe('Findings No findings: this chain breaks none of the rules.');
  });

  it('renders a hostile URL quoted in a message as text', () => {
    const [chain] = mainFrames('downgrade') as [Chain];
    const evil = '<img src=x onerror="window.__pwnedFinding=1">';
    const hostile: Chain = { ...chain, hops: chain.hops.map((h) => ({ ...h, url: `${h.url}?q=${evil}` })) };
    renderPanel([hostile]);
    const message = findings()[0]?.querySelector('.message') as HTMLElement;
    expect(message.textContent).toContain(evil);
    expect(message.children).toHaveLength(0);
    expect(document.querySelector('img')).toBeNull();
    expect((window as unknown as { __pwnedFinding?: number }).__pwnedFinding).toBeUndefined();
  });

  it('links only web sources, and shows any other text as text', () => {
    const list: Finding[] = [
      {
        rule: 'loop',
        severity: 'error',
        hop: 2,
        message: '<b>bold</b> &amp; <script>window.__pwnedSource=1</script>',
        source: { title: 'javascript source', url: 'javascript:window.__pwnedSource=1' },
      },
    ];
    render(<Findings findings={list} onSelectHop={() => undefined} />);
    const item = findings()[0] as HTMLElement;
    expect(within(item).queryByRole('link')).toBeNull();
    expect(item.querySelector('.source')?.textContent).toBe('javascript source');
    expect(item.querySelector('.message')?.textContent).toBe(list[0]?.message);
    expect(document.querySelector('b, script')).toBeNull();
  });
});

describe('the chain row', () => {
  const rowOf = (text: string) => rows().find((r) => r.textContent?.includes(text)) as HTMLElement;

  it('shows the hop statuses at a glance', () => {
    renderPanel(mainFrames('chain-3xx', 'hsts-header', 'loop'));
    fireEvent.click(screen.getByLabelText(/Preserve/));
    const path = (row: HTMLElement) => row.querySelector('.status-path')?.textContent;
    expect(path(rowOf('/chain/start'))).toBe('301 → 302 → 303 → 307 → 308 → 200');
    // The browser's own hop: marked in words (its reason) and set apart by its style.
    const hsts = rowOf('/sts/page').querySelector('.status-path') as HTMLElement;
    expect(hsts.textContent).toBe('307 (HSTS) → 200');
    expect(hsts.querySelector('.hop-status.internal')?.textContent).toBe('307 (HSTS)');
    expect(hsts.querySelector('.hop-status.server')?.textContent).toBe('200');
    // A loop of 20 hops keeps its ends around a gap that says how many it leaves out; the
    // whole path is on hover.
    const loop = rowOf('/loop/a').querySelector('.status-path') as HTMLElement;
    expect(loop.textContent).toBe('302 → 302 → 302 → … (14 more hops) → 302 → 302 → 302');
    expect(loop.getAttribute('title')?.split(' → ')).toHaveLength(20);
  });

  it('shows its worst finding: severity and rule id, how many more; info only as a count', () => {
    renderPanel(mainFrames('chain-3xx', 'cache-301', 'loop', 'downgrade', 'post-307'));
    fireEvent.click(screen.getByLabelText(/Preserve/));
    const worst = (text: string) => rowOf(text).querySelector('[data-testid=worst-finding]');
    expect(worst('/loop/a')?.textContent).toBe('error loop +1');
    expect(worst('/loop/a')?.querySelector('.severity.error')).not.toBeNull();
    expect(worst('/loop/a')?.getAttribute('title')).toBe('error loop (hop 3)\nwarning long-chain (hop 4)');
    expect(worst('/downgrade')?.textContent).toBe('error downgrade');
    expect(worst('/chain/start')?.textContent).toBe('warning long-chain');
    expect(worst('/cache/301')?.textContent).toBe('1 info');
    expect(worst('/cache/301')?.getAttribute('title')).toBe('info permanent-cached-forever (hop 1)');
    expect(worst('/post/307')).toBeNull();
  });
});

describe('the selection when the panel opens', () => {
  it('the newest chain is selected, its hops shown without a click', () => {
    renderPanel(mainFrames('chain-3xx', 'post-303'));
    fireEvent.click(screen.getByLabelText(/Preserve/));
    expect(selectedRow()?.textContent).toContain('/post/303');
    expect(hopRows()).toHaveLength(2);
    expect(screen.getByRole('region', { name: 'Hop 1 explained' })).toBeTruthy();
  });

  it('a chain that arrives later is selected when there was none', () => {
    const [chain] = mainFrames('post-303') as [Chain];
    const connector = renderPanel([]);
    expect(screen.getByText('Select a chain to see its hops explained.')).toBeTruthy();
    act(() => connector.push(chain));
    expect(selectedRow()?.textContent).toContain('/post/303');
    expect(hopRows()).toHaveLength(2);
  });

  it('never steals a selection: newer chains do not move it, the user’s pick survives a filter', () => {
    const [older, newer, newest] = mainFrames('chain-3xx', 'post-303', 'cache-301') as [Chain, Chain, Chain];
    const connector = renderPanel([older, newer]);
    fireEvent.click(screen.getByLabelText(/Preserve/));
    // Chosen on open, not by the user: a newer chain does not take it over either.
    expect(selectedRow()?.textContent).toContain('/post/303');
    fireEvent.click(rowOf('/chain/start'));
    act(() => connector.push(newest));
    expect(rows()).toHaveLength(3);
    expect(selectedRow()?.textContent).toContain('/chain/start');
    expect(hopRows()).toHaveLength(6);
    const box = screen.getByLabelText('Filter chains');
    fireEvent.change(box, { target: { value: 'method:POST' } });
    expect(selectedRow()).toBeUndefined();
    fireEvent.change(box, { target: { value: '' } });
    expect(selectedRow()?.textContent).toContain('/chain/start');
  });

  it('after Clear, the newest chain that arrives is selected again', () => {
    const [first, second] = mainFrames('chain-3xx', 'post-303') as [Chain, Chain];
    const connector = renderPanel([first]);
    fireEvent.click(rows()[0] as HTMLElement);
    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    expect(rows()).toHaveLength(0);
    act(() => connector.push(second));
    expect(selectedRow()?.textContent).toContain('/post/303');
  });

  function rowOf(text: string): HTMLElement {
    return rows().find((r) => r.textContent?.includes(text)) as HTMLElement;
  }
});

describe('the filter', () => {
  it('its help lists the findings filters', () => {
    renderPanel(mainFrames('ok'));
    const help = screen.getByLabelText('Filter chains').getAttribute('title')?.split('\n') ?? [];
    expect(help).toEqual(FILTER_HELP.map((h) => `${h.syntax}  ${h.meaning}`));
    for (const syntax of ['is:error', 'is:warning', 'is:info', 'finding:long-chain']) {
      expect(help.some((line) => line.startsWith(`${syntax}  `))).toBe(true);
    }
  });

  it('finds chains by rule and by severity', () => {
    renderPanel(mainFrames('chain-3xx', 'loop', 'downgrade', 'post-302', 'post-307'));
    fireEvent.click(screen.getByLabelText(/Preserve/));
    const box = screen.getByLabelText('Filter chains');
    const listed = () => rows().map((r) => r.querySelector('.chain-urls')?.textContent?.split(' → ')[0]);
    fireEvent.change(box, { target: { value: 'finding:method-changed' } });
    expect(listed()).toEqual([expect.stringMatching(/\/post\/302$/)]);
    fireEvent.change(box, { target: { value: 'is:error' } });
    expect(listed()).toEqual([expect.stringMatching(/\/downgrade$/), expect.stringMatching(/\/loop\/a$/)]);
    fireEvent.change(box, { target: { value: 'is:warning -is:error' } });
    expect(listed()).toEqual([expect.stringMatching(/\/post\/302$/), expect.stringMatching(/\/chain\/start$/)]);
  });
});
