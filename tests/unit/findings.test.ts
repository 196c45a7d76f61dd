/**
 * Findings: each rule on a chain that triggers it and on one that must not, from the recorded
 * Chromium fixtures where the browser matters (methods, caching, HSTS, loops, errors) and from
 * synthetic requests on public names where the rule is about the site's URLs.
 */
import { describe, expect, it } from 'vitest';
import {
  type AnalyzedChain,
  analyze,
  findingsOf,
  RULES,
  type RuleId,
  type RuleSettings,
  worstSeverity,
} from '../../src/core/analyze/index.ts';
import { chainsToHar } from '../../src/core/har/export.ts';
import type { Chain, ClientRedirect } from '../../src/core/model/chain.ts';
import { isPublicHost } from '../../src/core/model/url.ts';
import { Recorder } from '../../src/core/record/recorder.ts';
import { assertValidHar } from '../support/har-validator.ts';
import { chainsOf, type FixtureName, requestEvents, type SyntheticHop } from './helpers.ts';

function synthetic(hops: SyntheticHop[], extra: { type?: string; error?: string } = {}): AnalyzedChain {
  const recorder = new Recorder();
  for (const e of requestEvents({ requestId: '1', hops, ...extra })) recorder.handle(e);
  return analyze(recorder.list()[0] as Chain);
}

function redirect(url: string, status: number, to: string, headers: Array<[string, string]> = []): SyntheticHop {
  return {
    url,
    status,
    statusLine: `HTTP/1.1 ${status}`,
    redirectUrl: to,
    responseHeaders: [['Location', to] as [string, string], ...headers].map(([name, value]) => ({ name, value })),
  };
}

const page = (url: string, headers: Array<[string, string]> = []): SyntheticHop => ({
  url,
  responseHeaders: headers.map(([name, value]) => ({ name, value })),
});

function rules(chain: AnalyzedChain, settings?: RuleSettings): string[] {
  return findingsOf(chain, settings).map((f) => `${f.rule}@${f.hop}`);
}

function has(chain: AnalyzedChain, rule: RuleId, settings?: RuleSettings) {
  return findingsOf(chain, settings).filter((f) => f.rule === rule);
}

/** The last chain a fixture records (the revisit, for the cache fixtures). */
function fixture(name: FixtureName): AnalyzedChain {
  return chainsOf(name).at(-1) as AnalyzedChain;
}

/** A chain with a client hop, as the recorder joins a page that moved on by itself. */
function clientChain(client: ClientRedirect): AnalyzedChain {
  const chain = synthetic([page('https://shop.example.com/old'), page('https://shop.example.com/new')]);
  return analyze({
    ...chain,
    hops: chain.hops.map((h, i) =>
      i === 0
        ? { ...h, kind: 'client' as const, clientRedirect: client, redirectUrl: 'https://shop.example.com/new' }
        : h,
    ),
  } as Chain);
}

describe('every rule', () => {
  it('has a source unless it is plain sense, and a severity', () => {
    expect(RULES.map((r) => r.id)).toHaveLength(16);
    for (const r of RULES) {
      if (!['ends-in-error', 'loop', 'lost-query-param'].includes(r.id))
        expect(r.source?.url, r.id).toMatch(/^https:\/\//);
      expect(['info', 'warning', 'error']).toContain(r.severity);
    }
  });
});

describe('transport: insecure-hop, downgrade, browser-upgraded', () => {
  it('insecure-hop: a public site answered over http; not localhost or .test', () => {
    const chain = synthetic([
      redirect('http://shop.example.com/', 301, 'https://shop.example.com/'),
      page('https://shop.example.com/'),
    ]);
    expect(has(chain, 'insecure-hop').map((f) => [f.hop, f.severity])).toEqual([[0, 'warning']]);
    expect(has(chain, 'insecure-hop')[0]?.message).toMatch(/^http:\/\/shop\.example\.com\/ was loaded over plain http/);
    expect(has(fixture('ok'), 'insecure-hop')).toEqual([]);
    expect(has(synthetic([page('https://shop.example.com/')]), 'insecure-hop')).toEqual([]);
  });

  it('downgrade: a Location from https to http is an error (recorded); a cross-host https hop is not', () => {
    expect(has(fixture('downgrade'), 'downgrade').map((f) => [f.hop, f.severity])).toEqual([[0, 'error']]);
    expect(has(fixture('cross-host'), 'downgrade')).toEqual([]);
  });

  it('browser-upgraded: the HSTS hop the browser made itself (recorded); not a server redirect', () => {
    const [upgraded] = has(fixture('hsts-header'), 'browser-upgraded');
    expect(upgraded?.hop).toBe(0);
    // HSTS cannot be switched off for a host the browser knows: the advice is a client outside it.
    expect(upgraded?.message).toMatch(/\(HSTS\).*`curl -sI http:\/\/[^`]+`/);
    expect(upgraded?.message).not.toMatch(/--no-https-upgrades/);
    expect(has(fixture('chain-3xx'), 'browser-upgraded')).toEqual([]);
  });

  it('browser-upgraded: an HTTPS-Upgrades hop points at --no-https-upgrades', () => {
    const hsts = fixture('hsts-header');
    const upgradedChain = {
      ...hsts,
      hops: hsts.hops.map((h, i) => (i === 0 ? { ...h, internalReason: 'HttpsUpgrades' } : h)),
    };
    const [upgraded] = has(upgradedChain, 'browser-upgraded');
    expect(upgraded?.message).toMatch(/\(HttpsUpgrades\).*`hopscope trace --no-https-upgrades` shows it\.$/);
  });
});

describe('HSTS preload rules', () => {
  it('hsts-first-redirect: http://host must first go to https on the same host', () => {
    const bad = synthetic([
      redirect('http://example.com/', 301, 'http://example.com/home'),
      page('http://example.com/home'),
    ]);
    expect(has(bad, 'hsts-first-redirect').map((f) => f.hop)).toEqual([0]);
    const good = synthetic([
      redirect('http://example.com/', 301, 'https://example.com/'),
      page('https://example.com/'),
    ]);
    expect(has(good, 'hsts-first-redirect')).toEqual([]);
  });

  it('hsts-www-first: www before https is its own finding, not also hsts-first-redirect', () => {
    const chain = synthetic([
      redirect('http://example.com/', 301, 'https://www.example.com/'),
      page('https://www.example.com/'),
    ]);
    expect(rules(chain).filter((r) => r.startsWith('hsts-'))).toEqual(['hsts-www-first@0', 'hsts-header@1']);
    const good = synthetic([
      redirect('http://example.com/', 301, 'https://example.com/'),
      redirect('https://example.com/', 301, 'https://www.example.com/'),
      page('https://www.example.com/'),
    ]);
    expect(has(good, 'hsts-www-first')).toEqual([]);
  });

  it('hsts-header: names each missing part of Strict-Transport-Security on the first https answer', () => {
    const none = synthetic([
      redirect('http://example.com/', 301, 'https://example.com/'),
      page('https://example.com/'),
    ]);
    expect(has(none, 'hsts-header')[0]?.message).toMatch(/lacks in Strict-Transport-Security: the header itself/);
    const weak = synthetic([
      redirect('http://example.com/', 301, 'https://example.com/'),
      page('https://example.com/', [['Strict-Transport-Security', 'max-age=600']]),
    ]);
    const [finding] = has(weak, 'hsts-header');
    expect(finding?.hop).toBe(1);
    expect(finding?.message).toMatch(/a max-age of a year or more \(it says 600\), includeSubDomains, preload/);
    const full = synthetic([
      redirect('http://example.com/', 301, 'https://example.com/', [
        ['Strict-Transport-Security', 'max-age=63072000; includeSubDomains; preload'],
      ]),
      page('https://example.com/', [['Strict-Transport-Security', 'max-age=63072000; includeSubDomains; preload']]),
    ]);
    expect(has(full, 'hsts-header')).toEqual([]);
    // A chain that began at https is not about the http → https step.
    expect(has(synthetic([page('https://example.com/')]), 'hsts-header')).toEqual([]);
  });
});

describe('redirect rules', () => {
  it('long-chain: more redirects than the limit (3 by default, --rule long-chain=N); off turns it off', () => {
    const chain = fixture('chain-3xx');
    expect(has(chain, 'long-chain').map((f) => [f.hop, f.severity])).toEqual([[3, 'warning']]);
    expect(has(chain, 'long-chain', { 'long-chain': 5 })).toEqual([]);
    expect(has(chain, 'long-chain', { 'long-chain': 'off' })).toEqual([]);
    expect(has(chain, 'long-chain', { 'long-chain': 'error' })[0]?.severity).toBe('error');
    expect(has(fixture('cross-host'), 'long-chain')).toEqual([]);
  });

  it.each([
    ['http → https', 'http://example.com/a', 'https://example.com/a', 'http → https'],
    ['adding www', 'https://example.com/a', 'https://www.example.com/a', 'adding www'],
    ['removing www', 'https://www.example.com/a', 'https://example.com/a', 'removing www'],
    ['trailing slash', 'https://example.com/a', 'https://example.com/a/', 'adding the trailing slash'],
  ])('temporary-for-permanent: %s done with a 302', (_name, from, to, kind) => {
    const chain = synthetic([redirect(from, 302, to), page(to)]);
    const [finding] = has(chain, 'temporary-for-permanent');
    expect(finding?.message).toContain(kind);
    expect(has(synthetic([redirect(from, 301, to), page(to)]), 'temporary-for-permanent')).toEqual([]);
  });

  it('temporary-for-permanent: not for a 302 to another page', () => {
    const chain = synthetic([
      redirect('https://example.com/cart', 302, 'https://example.com/login'),
      page('https://example.com/login'),
    ]);
    expect(has(chain, 'temporary-for-permanent')).toEqual([]);
  });

  it('lost-query-param: names each parameter dropped, tracking ones called out', () => {
    const chain = synthetic([
      redirect('https://example.com/a?utm_source=news&id=7&gclid=x', 301, 'https://example.com/b?id=7'),
      page('https://example.com/b?id=7'),
    ]);
    const [finding] = has(chain, 'lost-query-param');
    expect(finding?.message).toMatch(
      /drops the query parameters utm_source \(tracking\), gclid \(tracking\): campaign/,
    );
    const kept = synthetic([
      redirect('https://example.com/a?utm_source=news', 301, 'https://example.com/b?utm_source=news'),
      page('https://example.com/b?utm_source=news'),
    ]);
    expect(has(kept, 'lost-query-param')).toEqual([]);
  });

  it('method-changed: POST became GET after a 301 or 302 (recorded); not after a 303, 307 or 308', () => {
    for (const name of ['post-301', 'post-302'] as const) {
      expect(
        has(fixture(name), 'method-changed').map((f) => f.message),
        name,
      ).toEqual([
        `The ${name.slice(-3)} turned POST into GET and dropped the request body: use 307 or 308 to keep the method, or 303 if the change is meant.`,
      ]);
    }
    for (const name of ['post-303', 'post-307', 'post-308'] as const)
      expect(has(fixture(name), 'method-changed')).toEqual([]);
  });

  it('client-redirect and refresh-delay: a meta refresh with a delay; none for HTTP redirects', () => {
    const meta = clientChain({ type: 'meta-refresh', delaySeconds: 5, afterMs: 5000 });
    expect(rules(meta).filter((r) => r.startsWith('client') || r.startsWith('refresh'))).toEqual([
      'refresh-delay@0',
      'client-redirect@0',
    ]);
    const js = clientChain({ type: 'javascript', afterMs: 10 });
    expect(has(js, 'client-redirect')[0]?.message).toMatch(/moves on by JavaScript/);
    expect(has(js, 'refresh-delay')).toEqual([]);
    expect(has(clientChain({ type: 'meta-refresh', delaySeconds: 0, afterMs: 0 }), 'refresh-delay')).toEqual([]);
    expect(has(fixture('chain-3xx'), 'client-redirect')).toEqual([]);
  });
});

describe('caching and ends', () => {
  it('permanent-cached-forever: a 301/308 without Cache-Control or Expires (recorded); not a 302, nor one with max-age', () => {
    expect(has(fixture('cache-301'), 'permanent-cached-forever').map((f) => [f.hop, f.severity])).toEqual([
      [0, 'info'],
    ]);
    expect(has(fixture('cache-308'), 'permanent-cached-forever')).toHaveLength(1);
    expect(has(fixture('cache-302'), 'permanent-cached-forever')).toEqual([]);
    const bounded = synthetic([
      redirect('https://example.com/a', 301, 'https://example.com/b', [['Cache-Control', 'max-age=3600']]),
      page('https://example.com/b'),
    ]);
    expect(has(bounded, 'permanent-cached-forever')).toEqual([]);
  });

  it('temporary-cached: a 302/307 fresh for more than a day; not an hour (recorded)', () => {
    const sticky = synthetic([
      redirect('https://example.com/a', 307, 'https://example.com/b', [['Cache-Control', 'max-age=172800']]),
      page('https://example.com/b'),
    ]);
    expect(has(sticky, 'temporary-cached')[0]?.message).toMatch(/for 2 days/);
    expect(has(fixture('cache-307-max-age'), 'temporary-cached')).toEqual([]);
  });

  it('ends-in-error: a network error (recorded) or a final 4xx/5xx; not a loop, not a 200', () => {
    expect(has(fixture('unreachable'), 'ends-in-error')[0]?.message).toMatch(/net::ERR_CONNECTION_REFUSED/);
    const notFound = synthetic([
      redirect('https://example.com/old', 301, 'https://example.com/gone'),
      { url: 'https://example.com/gone', status: 404, statusLine: 'HTTP/1.1 404 Not Found' },
    ]);
    expect(has(notFound, 'ends-in-error').map((f) => [f.hop, f.message])).toEqual([
      [1, 'The chain ends in 404 Not Found at https://example.com/gone: the redirect leads to an error page.'],
    ]);
    expect(has(fixture('loop'), 'ends-in-error')).toEqual([]);
    expect(has(fixture('ok'), 'ends-in-error')).toEqual([]);
  });

  it('loop: a URL requested again (recorded), reported once, most severe first', () => {
    const chain = fixture('loop');
    expect(has(chain, 'loop').map((f) => [f.hop, f.severity])).toEqual([[2, 'error']]);
    expect(findingsOf(chain)[0]?.rule).toBe('loop');
    expect(worstSeverity(findingsOf(chain))).toBe('error');
    expect(has(fixture('post-303'), 'loop')).toEqual([]);
  });
});

describe('settings', () => {
  it('off, another severity, the default list', () => {
    const chain = fixture('cache-301');
    expect(rules(chain, { 'permanent-cached-forever': 'off' })).not.toContain('permanent-cached-forever@0');
    expect(has(chain, 'permanent-cached-forever', { 'permanent-cached-forever': 'error' })[0]?.severity).toBe('error');
    expect(analyze(chain).findings).toEqual(findingsOf(chain));
    expect(worstSeverity([])).toBeUndefined();
  });
});

describe('public hosts', () => {
  it.each([
    ['example.com', true],
    ['8.8.8.8', true],
    ['localhost', false],
    ['shop.test', false],
    ['printer.local', false],
    ['intranet', false],
    ['192.168.1.1', false],
    ['10.0.0.2', false],
    ['127.0.0.1', false],
    ['[::1]', false],
    ['[2001:db8::1]', true],
  ])('%s → %s', (host, expected) => {
    expect(isPublicHost(host)).toBe(expected);
  });
});

describe('in the HAR', () => {
  it('each finding on the entry of its hop, the sentences redacted like the URLs', () => {
    const chain = synthetic([
      redirect('https://example.com/cb?code=SECRET&utm_source=x', 302, 'http://example.com/home'),
      page('http://example.com/home'),
    ]);
    const har = chainsToHar([chain]);
    assertValidHar(har);
    const perEntry = har.log.entries.map((e) =>
      (
        (e as unknown as { _hopscope: { findings?: Array<{ rule: string; hop: number }> } })._hopscope.findings ?? []
      ).map((f) => `${f.rule}@${f.hop}`),
    );
    expect(perEntry).toEqual([['downgrade@0', 'lost-query-param@0'], ['insecure-hop@1']]);
    expect(JSON.stringify(har)).not.toContain('SECRET');
    expect(JSON.stringify(chainsToHar([chain], { includeSensitive: true }))).toContain('SECRET');
  });
});
