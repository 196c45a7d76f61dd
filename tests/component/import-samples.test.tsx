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
