/** BadgeUpdater: one set per change of what a tab shows, and again after Chromium reset it. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BadgeUpdater } from '../../src/background/badge.ts';

function fakeAction() {
  const texts: Array<[number, string]> = [];
  return {
    texts,
    action: {
      setBadgeText: async ({ tabId, text }: { tabId: number; text: string }) => {
        texts.push([tabId, text]);
      },
      setBadgeBackgroundColor: async () => undefined,
      setTitle: async () => undefined,
    },
  };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('BadgeUpdater', () => {
  it('sets a tab once for the same state, and again after a page committed in it', async () => {
    const { texts, action } = fakeAction();
    const badge = new BadgeUpdater(action, () => undefined);
    badge.schedule(7);
    await vi.advanceTimersByTimeAsync(100);
    expect(texts).toEqual([[7, '']]);
    badge.schedule(7);
    await vi.advanceTimersByTimeAsync(100);
    expect(texts).toEqual([[7, '']]);
    // Chromium reset the tab's badge on the commit: the same state is set again.
    badge.committed(7);
    await vi.advanceTimersByTimeAsync(100);
    expect(texts).toEqual([
      [7, ''],
      [7, ''],
    ]);
  });
});
