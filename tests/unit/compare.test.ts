/**
 * `hopscope trace --compare`: the differences between one visit recorded in Chromium and in
 * Firefox, named in words, from recorded Chromium events and their Firefox counterparts (what
 * the Firefox adapter makes of Firefox's events, verified on Firefox ESR 153).
 */
import { describe, expect, it } from 'vitest';
import type { Chain } from '../../src/core/model/chain.ts';
import { compareChains, formatComparison } from '../../src/core/present/compare.ts';
import { factsOf } from './helpers.ts';

const CHROMIUM = 'Chromium 156.0.8078.114';
const FIREFOX = 'Firefox 153.8.0';

/** The same chain as Firefox reports it: nothing from its cache, HSTS hops with no status line or headers. */
function asFirefox(chain: Chain): Chain {
  return {
    ...chain,
    browser: 'firefox',
    hops: chain.hops.map((h) =>
      h.kind === 'internal'
        ? { ...h, statusText: '', responseHeaders: [] }
        : { ...h, fromCache: false, ip: '127.0.0.1' },
    ),
  };
}

describe('compareChains', () => {
  it('names a revisited 301 cached in Chromium and asked again in Firefox', () => {
    const [, second] = factsOf('cache-301', { browser: 'chromium' }).filter((c) => c.type === 'main_frame');
    if (!second) throw new Error('no second visit in the fixture');
    expect(second.hops[0]?.fromCache).toBe(true);
    const differences = compareChains(
      { name: CHROMIUM, chains: [second] },
      { name: FIREFOX, chains: [asFirefox(second)] },
    );
    expect(differences).toEqual([
      `hop 1 (301 Moved Permanently ${second.hops[0]?.url}): cached in Chromium, asked again in Firefox.`,
    ]);
  });

  it('names both HSTS hops with each browser’s own evidence', () => {
    const chain = factsOf('hsts-header', { browser: 'chromium' }).find((c) =>
      c.hops.some((h) => h.kind === 'internal'),
    );
    if (!chain) throw new Error('no HSTS chain in the fixture');
    const text = formatComparison(
      'GET x',
      { name: CHROMIUM, chains: [chain] },
      { name: FIREFOX, chains: [asFirefox(chain)] },
    );
    expect(text).toContain(
      `internal in both (HSTS); Chromium said so with 307 "Internal Redirect" with Non-Authoritative-Reason: HSTS, Firefox with a redirect with status 0, no status line and no headers.`,
    );
    expect(text.split('\n')[1]).toMatch(/^\s+#\s+CHROMIUM 156\.0\.8078\.114\s+FIREFOX 153\.8\.0\s+URL$/);
  });

  it('names another end and a hop in one browser only, and says when nothing differs', () => {
    const [loop] = factsOf('loop', { browser: 'chromium' });
    if (!loop) throw new Error('no loop');
    const last = loop.hops.at(-1);
    if (!last) throw new Error('no hop');
    const firefox: Chain = {
      ...asFirefox(loop),
      hops: [...asFirefox(loop).hops, { ...last, url: last.redirectUrl || last.url, redirectUrl: '' }],
      outcome: { state: 'error', error: 'NS_ERROR_REDIRECT_LOOP', tooManyRedirects: true },
    };
    const differences = compareChains({ name: CHROMIUM, chains: [loop] }, { name: FIREFOX, chains: [firefox] });
    expect(differences.at(-1)).toBe(
      'Ends with error net::ERR_ABORTED in Chromium, error NS_ERROR_REDIRECT_LOOP in Firefox.',
    );
    expect(differences.some((d) => /^hop \d+ only in Firefox: /.test(d))).toBe(true);

    const [ok] = factsOf('ok', { browser: 'chromium' });
    if (!ok) throw new Error('no chain');
    expect(compareChains({ name: CHROMIUM, chains: [ok] }, { name: FIREFOX, chains: [asFirefox(ok)] })).toEqual([]);
    expect(
      formatComparison('GET x', { name: CHROMIUM, chains: [ok] }, { name: FIREFOX, chains: [asFirefox(ok)] }),
    ).toContain('No differences.');
  });
});
