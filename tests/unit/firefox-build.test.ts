/**
 * What differs when the chains come from Firefox (verified on Firefox ESR 153): the manifest of
 * its build, the facts its adapter hands the core, and the words that are true for it.
 */
import { describe, expect, it } from 'vitest';
import { adapterFor } from '../../src/background/adapters/index.ts';
import { GECKO_ID, manifestFor } from '../../src/build/manifest.ts';
import { analyze } from '../../src/core/analyze/index.ts';
import { chainsToHar } from '../../src/core/har/export.ts';
import { explainChain, explainHop } from '../../src/core/present/explain/index.ts';
import { chainsOf } from './helpers.ts';

describe('the Firefox build', () => {
  it('takes the one manifest with Firefox’s differences: an event page, a gecko id, no split incognito', () => {
    const chromium = manifestFor('chromium');
    const firefox = manifestFor('firefox') as Record<string, unknown> & typeof chromium;
    expect(chromium.background).toEqual({ service_worker: 'src/background/index.ts', type: 'module' });
    expect(firefox.background).toEqual({ scripts: ['src/background/index.ts'], type: 'module' });
    expect(firefox).not.toHaveProperty('minimum_chrome_version');
    expect(firefox.incognito).toBe('not_allowed');
    expect(firefox.browser_specific_settings).toMatchObject({ gecko: { id: GECKO_ID } });
    // Everything else is the same manifest.
    const { background: _a, minimum_chrome_version: _b, incognito: _c, ...shared } = chromium;
    expect(firefox).toMatchObject(shared);
  });
});

describe('the Firefox adapter', () => {
  const firefox = adapterFor({ extraHeaders: false }, 'moz-extension://x');
  const base = { requestId: '1', tabId: 1, frameId: 0, type: 'main_frame', url: 'https://a.example/', timeStamp: 1 };

  it('trusts fromCache only without an ip: the hop after a cached redirect says fromCache while the server answered', () => {
    const answered = firefox.toEvent('onCompleted', { ...base, statusCode: 200, fromCache: true, ip: '127.0.0.1' });
    const cached = firefox.toEvent('onCompleted', { ...base, statusCode: 200, fromCache: true });
    expect(answered?.details).toMatchObject({ fromCache: false });
    expect(cached?.details).toMatchObject({ fromCache: true });
  });

  it("takes the request types from the browser's own webRequest.ResourceType, without pages and frames", () => {
    const a = adapterFor({ extraHeaders: false, resourceTypes: ['main_frame', 'sub_frame', 'beacon', 'json'] }, 'x');
    expect(a.otherTypes).toEqual(['beacon', 'json']);
  });
});

describe('explanations true for the browser that recorded the chain', () => {
  it('caching: Firefox asks again for a header-less 301 that Chromium keeps', () => {
    const [chromium] = chainsOf('cache-301', { browser: 'chromium' });
    const [firefox] = chainsOf('cache-301', { browser: 'firefox' });
    expect(chromium?.hops[0]?.cache.verdict).toBe('cacheable-by-default');
    expect(firefox?.hops[0]?.cache.verdict).toBe('not-cacheable');
    expect(firefox?.hops[0]?.cache.reason).toContain('Firefox does not store one without caching headers');
    const finding = (c: typeof firefox) => c?.findings.find((f) => f.rule === 'permanent-cached-forever')?.message;
    expect(finding(chromium)).toContain('browsers keep it with no expiry');
    expect(finding(firefox)).toContain(
      'Chromium-based browsers keep it with no expiry (Firefox, which recorded this, does not store it)',
    );
  });

  it('HSTS: each browser’s own evidence', () => {
    const chains = chainsOf('hsts-header', { browser: 'firefox' });
    const chain = chains.find((c) => c.hops.some((h) => h.internalReason === 'HSTS'));
    if (!chain) throw new Error('no HSTS chain in the fixture');
    const hop = chain.hops.find((h) => h.internalReason === 'HSTS');
    if (!hop) throw new Error('no HSTS hop');
    expect(explainHop(chain, hop).points.join(' ')).toContain(
      'Firefox reported it to extensions as a redirect with status 0',
    );
    const chromium = analyze({ ...chain, browser: 'chromium' });
    expect(explainHop(chromium, chromium.hops[hop.index] ?? hop).points.join(' ')).toContain(
      'Chromium reported it as a 307 "Internal Redirect" with Non-Authoritative-Reason: HSTS',
    );
  });

  it('loop: Firefox gives up after 20 redirects with its own error page', () => {
    const [loop] = chainsOf('loop', { browser: 'firefox' });
    if (!loop) throw new Error('no loop chain');
    const last = loop.hops.at(-1);
    if (!last) throw new Error('no hop');
    const words = explainHop(loop, last).points.join(' ');
    expect(words).toContain('Firefox gives up after 20 redirects');
    expect(words).toContain('The page isn’t redirecting properly');
    expect(explainChain(loop).points.join(' ')).toContain('Firefox gives up after 20 redirects');
  });

  it('HAR log.browser names the browser that recorded the chains', () => {
    expect(chainsToHar(chainsOf('ok', { browser: 'firefox' })).log.browser).toEqual({ name: 'Firefox', version: '' });
    expect(chainsToHar(chainsOf('ok')).log.browser).toBeUndefined();
    const named = chainsToHar(chainsOf('ok', { browser: 'firefox' }), {
      browser: { name: 'Firefox', version: '153.8.0' },
    });
    expect(named.log.browser).toEqual({ name: 'Firefox', version: '153.8.0' });
  });
});
