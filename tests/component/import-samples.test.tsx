/**
 * Import HAR in the panel, for every real sample in tests/fixtures/hars/: the chains appear in the
 * list, and a chain opens into its hops.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { importHar } from '../../src/core/har/import/index.ts';
import { App } from '../../src/panel/App.tsx';
import { MockConnector } from '../../src/ui/connector/mock.ts';

const HARS = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/hars');
const samples = readdirSync(HARS).filter((f) => f.endsWith('.har'));

describe('import of the HAR samples', () => {
  it('finds the samples', () => {
    expect(samples.length).toBeGreaterThanOrEqual(20);
  });

  it.each(samples)('%s', async (name) => {
    const text = readFileSync(join(HARS, name), 'utf8');
    const expected = importHar(text, { source: name }).chains;
    render(<App connector={new MockConnector([])} search="?tabId=1" />);
    const file = new File([text], name, { type: 'application/json' });
    fireEvent.change(screen.getByLabelText('Import HAR file'), { target: { files: [file] } });
    const n = expected.length;
    await screen.findByText(new RegExp(`Opened ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${n} redirect chain`));
    expect(screen.getByText(`${n} of ${n} chain${n === 1 ? '' : 's'}`)).toBeTruthy();
    expect(n).toBeGreaterThan(0);
    // The newest chain opens into its hops, the first of them a redirect.
    fireEvent.click(screen.getAllByTestId('chain-row')[0] as HTMLElement);
    const hops = screen.getAllByTestId('hop-row');
    const newest = [...expected].sort((a, b) => a.startTime - b.startTime).at(-1);
    expect(hops).toHaveLength(newest?.hops.length ?? -1);
    expect(hops[0]?.textContent).toMatch(/30[12378]/);
  });
});

describe('import of a large HAR', () => {
  it('shows the newest chains at once and lists all of them once the older ones are analyzed', async () => {
    const { buildStore } = await import('../../bench/synthetic.ts');
    const { harText } = await import('../../src/core/har/export.ts');
    const text = harText(buildStore(1200, 2, { tabId: 1, lean: true }));
    render(<App connector={new MockConnector([])} search="?tabId=1" />);
    const file = new File([text], 'big.har', { type: 'application/json' });
    fireEvent.change(screen.getByLabelText('Import HAR file'), { target: { files: [file] } });
    await screen.findByText(/Opened big\.har: 1,?200 redirect chains/);
    // The newest first: the list starts with the file's last chain.
    expect(screen.getAllByTestId('chain-row')[0]?.textContent).toContain('/path/1199/');
    expect(await screen.findByText('1200 of 1200 chains', undefined, { timeout: 20_000 })).toBeTruthy();
  }, 60_000);
});
