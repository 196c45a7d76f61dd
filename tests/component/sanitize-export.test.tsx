/**
 * The panel's export offers what `hopscope sanitize` does: secrets removed (the default, as
 * before), hashed (correlatable, `REDACTED:…`), or kept.
 */
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { type AnalyzedChain, analyze } from '../../src/core/analyze/index.ts';
import { chainsToHar } from '../../src/core/har/export.ts';
import { App } from '../../src/panel/App.tsx';
import { MockConnector } from '../../src/ui/connector/mock.ts';
import { assertValidHar } from '../support/har-validator.ts';
import { factsOf, requestEvents } from '../unit/helpers.ts';

const SECRETS = ['SESSIONVALUE42', 'OAUTHCODE0001'];

function login(): AnalyzedChain[] {
  return factsOf(
    requestEvents({
      requestId: '1',
      tabId: 7,
      hops: [
        {
          url: 'https://app.test/login',
          status: 302,
          statusLine: 'HTTP/1.1 302 Found',
          redirectUrl: 'https://app.test/cb?code=OAUTHCODE0001&state=ok',
          responseHeaders: [
            { name: 'Location', value: '/cb?code=OAUTHCODE0001&state=ok' },
            { name: 'Set-Cookie', value: 'sid=SESSIONVALUE42; Path=/' },
          ],
        },
        {
          url: 'https://app.test/cb?code=OAUTHCODE0001&state=ok',
          requestHeaders: [{ name: 'Cookie', value: 'sid=SESSIONVALUE42' }],
        },
      ],
    }),
  ).map(analyze);
}

/** Renders the panel and returns a function that clicks Export and resolves to the file's text. */
function panel(chains: AnalyzedChain[]) {
  render(<App connector={new MockConnector(chains)} search="?tabId=7" />);
  return async (): Promise<string> => {
    let saved: Promise<string> | undefined;
    URL.createObjectURL = vi.fn((blob: Blob) => {
      saved = blob.text();
      return 'blob:test';
    });
    URL.revokeObjectURL = vi.fn();
    fireEvent.click(screen.getByText('Export 1 listed'));
    await vi.waitFor(() => expect(saved).toBeDefined());
    return (await saved) as string;
  };
}

function choose(mode: 'sanitized' | 'hashed' | 'secrets') {
  fireEvent.change(screen.getByLabelText('HAR export secrets'), { target: { value: mode } });
}

describe('HAR export: secrets removed, hashed or kept', () => {
  it('removes them by default, as before', async () => {
    const chains = login();
    const exported = panel(chains);
    expect((screen.getByLabelText('HAR export secrets') as HTMLSelectElement).value).toBe('sanitized');
    const har = JSON.parse(await exported());
    expect(har.log.entries).toEqual(JSON.parse(JSON.stringify(chainsToHar(chains).log.entries)));
    for (const secret of SECRETS) expect(JSON.stringify(har)).not.toContain(secret);
  });

  it('hashed: each value replaced by its keyed hash, the same value the same hash, a fresh key per export', async () => {
    const exported = panel(login());
    choose('hashed');
    const text = await exported();
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    const har = JSON.parse(text);
    assertValidHar(har);
    const [redirect, landing] = har.log.entries;
    const setCookie = redirect.response.headers.find((h: { name: string }) => h.name === 'Set-Cookie').value;
    const cookie = landing.request.headers.find((h: { name: string }) => h.name === 'Cookie').value;
    const sid = /^sid=(REDACTED:[0-9a-f]{12}); Path=\/$/.exec(setCookie)?.[1];
    expect(sid).toBeDefined();
    expect(cookie).toBe(`sid=${sid}`);
    const code = /code=(REDACTED:[0-9a-f]{12})&state=ok$/.exec(redirect.response.redirectURL)?.[1];
    expect(code).toBeDefined();
    expect(landing.request.url).toBe(`https://app.test/cb?code=${code}&state=ok`);
    expect(har.log.comment).toMatch(/^Sanitized by Hopscope: .*keyed hash/);
    expect(screen.getByText('Exported 1 chain as HAR (secrets hashed).')).toBeTruthy();
    // Another export, another key.
    expect(await exported()).not.toContain(sid);
  });

  it('hashed: the names found in the chains, each hashed or kept by choice', async () => {
    const exported = panel(login());
    choose('hashed');
    const details = screen.getByText('names').closest('details') as HTMLDetailsElement;
    details.open = true;
    fireEvent(details, new Event('toggle'));
    const names = await screen.findByRole('group', { name: 'Names in the export' });
    expect(names.textContent).toMatch(/cookie sid ×2/);
    expect((screen.getByLabelText('cookie sid') as HTMLSelectElement).value).toBe('hash');
    expect((screen.getByLabelText('query state') as HTMLSelectElement).value).toBe('keep');
    fireEvent.change(screen.getByLabelText('cookie sid'), { target: { value: 'keep' } });
    fireEvent.change(screen.getByLabelText('query state'), { target: { value: 'hash' } });
    const har = JSON.parse(await exported());
    const [redirect, landing] = har.log.entries;
    expect(landing.request.headers).toContainEqual({ name: 'Cookie', value: 'sid=SESSIONVALUE42' });
    expect(redirect.response.redirectURL).toMatch(/\?code=REDACTED:[0-9a-f]{12}&state=REDACTED:[0-9a-f]{12}$/);
    expect(JSON.stringify(har)).not.toContain('OAUTHCODE0001');
  });

  it('kept: everything as recorded', async () => {
    const exported = panel(login());
    choose('secrets');
    const text = await exported();
    for (const secret of SECRETS) expect(text).toContain(secret);
    expect(screen.getByText('Exported 1 chain as HAR (with secrets).')).toBeTruthy();
  });
});
