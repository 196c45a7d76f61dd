/**
 * The toolbar popup with the mock connector: the journey of the page the tab shows now, and
 * the way into the full view.
 */
import { act, fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Chain } from '../../src/core/model/chain.ts';
import { Popup } from '../../src/popup/Popup.tsx';
import { MockConnector } from '../../src/ui/connector/mock.ts';
import { chainsOf, type FixtureName } from '../unit/helpers.ts';

/** The main-frame chain of a fixture, on tab 7, starting at `startTime`. */
function pageLoad(name: FixtureName, startTime: number): Chain {
  const chain = chainsOf(name).find((c) => c.type === 'main_frame');
  if (!chain) throw new Error(`${name} has no main-frame chain`);
  return { ...chain, tabId: 7, startTime };
}

/** A 6-hop chain, then a POST through a 303, both main frames of tab 7. */
const journeys = () => [pageLoad('chain-3xx', 1), pageLoad('post-303', 2)];

const hopTexts = () => screen.queryAllByTestId('popup-hop').map((h) => h.textContent);

describe('popup', () => {
  it('shows the journey the worker says the tab shows, else the newest page load', () => {
    const [older, newer] = journeys() as [Chain, Chain];
    const connector = new MockConnector([older, newer]);
    render(<Popup connector={connector} search="?tabId=7" />);
    expect(screen.getByTestId('popup-summary').textContent).toMatch(/^ 1 redirect led to this page/);
    expect(hopTexts()[0]).toMatch(/^303POST → GET.*not cacheable$/);

    // Back in history: the tab shows the older journey again.
    connector.current.set(7, older.id);
    act(() => connector.push());
    expect(screen.getByTestId('popup-summary').textContent).toMatch(/^ 5 redirects led to this page/);
    expect(hopTexts()).toHaveLength(6);
  });

  it('follows the active tab without ?tabId and opens the full view on it', async () => {
    const connector = new MockConnector(journeys(), { tabs: [{ id: 7, title: 'Tab', url: 'http://localhost/' }] });
    render(<Popup connector={connector} search="" />);
    await screen.findByTestId('popup-summary');
    fireEvent.click(screen.getByRole('button', { name: 'Open full view' }));
    expect(connector.opened).toEqual([7]);
  });

  it('counts the errors and warnings of the journey and names each, its sentence on hover', () => {
    const loop = pageLoad('loop', 1);
    const connector = new MockConnector([loop]);
    render(<Popup connector={connector} search="?tabId=7" />);
    expect(screen.getByTestId('popup-findings').textContent).toBe('1 error, 1 warning');
    const items = screen.getAllByTestId('popup-finding');
    expect(items.map((i) => i.textContent)).toEqual(['error loop hop 3', 'warning long-chain hop 4']);
    expect(items[0]?.querySelector('.severity.error')).not.toBeNull();
    expect(items[1]?.getAttribute('title')).toMatch(/^20 redirects before the page, more than 3/);

    // A journey with info findings only, then one with none: nothing to count.
    act(() => connector.push(pageLoad('cache-301', 2)));
    expect(screen.getByTestId('popup-findings').textContent).toBe('no errors or warnings.');
    expect(screen.queryAllByTestId('popup-finding')).toHaveLength(0);
    act(() => connector.push(pageLoad('post-302', 3)));
    expect(screen.getByTestId('popup-findings').textContent).toBe('1 warning');
    expect(screen.getByTestId('popup-finding').textContent).toBe('warning method-changed hop 1');
  });
});
