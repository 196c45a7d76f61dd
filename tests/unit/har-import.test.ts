import { readdirSync, readFileSync } from 'node:fs';
import type { Entry, Har } from 'har-format';
import { describe, expect, it } from 'vitest';
import type { AnalyzedChain as Chain, AnalyzedHop as Hop } from '../../src/core/analyze/index.ts';
import { summarize } from '../../src/core/analyze/index.ts';
import { chainsToHar } from '../../src/core/har/export.ts';
import { HarImportError, importHar, MAX_IMPORT_ENTRIES, NOT_IN_HAR } from '../../src/core/har/import/index.ts';
import { isRedirectStatus } from '../../src/core/model/http.ts';
import { assertValidHar } from '../support/har-validator.ts';
import { chainsOf, FIXTURES, hopAt, importAnalyzed } from './helpers.ts';

// Real HAR files from other projects, vendored with their sources and licenses (INDEX.md there).
const HARS = new URL('../fixtures/hars/', import.meta.url);
const SAMPLES = readdirSync(HARS)
  .filter((f) => f.endsWith('.har'))
  .sort();

/** Chains a user sees per sample file; every file in tests/fixtures/hars must be listed. */
const CHAIN_COUNTS: Record<string, number> = {
  'Lookyloo__har2tree__lalibre-049.har': 4,
  'gatling__gatling__charles42-redirect-post.har': 1,
  'gatling__gatling__chrome61-redirect-post.har': 1,
  'gatling__gatling__firefox56-redirect-post.har': 1,
  'haralyzer__haralyzer__cnn-chrome.har': 35,
  'janodvarko__harviewer__testLoad3.har': 1,
  'janodvarko__harviewer__www-cnn-com.har': 2,
  'micmro__PerfCascade__capture-har_redirect-loop.har': 1,
  'micmro__PerfCascade__chrome_h2_h2o.examp1e.net.har': 2,
  'microsoft__playwright__har-redirect.har': 1,
  'mitmproxy__mitmproxy__postdata.har': 2,
  'sitespeedio__chrome-har__www.yahoo.com_2018-11-28_11-01-58-0.devtoolslog.har': 4,
  'sitespeedio__pagexray__arcelormittal.com.har': 3,
  'sitespeedio__pagexray__browsertime-recalculate-style.har': 1,
  'sitespeedio__pagexray__case-sensitive-protocol.har': 7,
  'sitespeedio__pagexray__ferguson.har': 5,
  'sitespeedio__pagexray__linkedin.har': 2,
  'sitespeedio__pagexray__redirect-and-redirect-back.har': 5,
  'sitespeedio__pagexray__www.nytimes.com.har': 37,
  'sitespeedio__pagexray__www.sitespeed.io-redirecting-to-https.har': 1,
  'sitespeedio__pagexray__www.sitespeed.io.har': 1,
  'sitespeedio__sitespeed.io__www-sitespeed-io.har': 1,
  'sitespeedio__sitespeed.io__www-theverge-com.har': 34,
  'webrecorder__har2warc__example.har': 1,
  'webrecorder__har2warc__http2.github.io.har': 1,
};

function text(file: string): string {
  return readFileSync(new URL(file, HARS), 'utf8');
}

function raw(file: string): Har {
  return JSON.parse(text(file).replace(/^\uFEFF/, '')) as Har;
}

type Imported = ReturnType<typeof importAnalyzed>;
const results = new Map<string, Imported>();
function imported(file: string): Imported {
  let r = results.get(file);
  if (!r) {
    r = importAnalyzed(text(file), { source: file });
    results.set(file, r);
  }
  return r;
}

function chainsIn(file: string): Chain[] {
  return imported(file).chains;
}

function chainAt(file: string, index: number): Chain {
  const chain = chainsIn(file)[index];
  if (!chain) throw new Error(`${file} has no chain ${index} (it has ${chainsIn(file).length})`);
  return chain;
}

/** The chain whose first hop URL starts with the prefix. */
function chainFrom(file: string, urlPrefix: string): Chain {
  const found = chainsIn(file).filter((c) => c.hops[0]?.url.startsWith(urlPrefix));
  if (found.length !== 1) throw new Error(`${found.length} chains in ${file} start with ${urlPrefix}`);
  return found[0] as Chain;
}

/** One line per hop, as the panel lists them. */
function lines(chain: Chain): string[] {
  return chain.hops.map((h) => `${h.method} ${h.statusCode} ${h.url}`);
}

function header(hop: Hop, name: string): string | undefined {
  return hop.responseHeaders.find((h) => h.name.toLowerCase() === name)?.value;
}

/** Same resource for a browser: normalized, without fragment, percent-decoding ignored. */
function sameResource(a: string, b: string): boolean {
  const norm = (u: string) => {
    const url = new URL(u);
    url.hash = '';
    try {
      return decodeURIComponent(url.href);
    } catch {
      return url.href;
    }
  };
  return norm(a) === norm(b);
}

describe('importHar on every sample in tests/fixtures/hars', () => {
  it('has an expectation for each sample file', () => {
    expect(SAMPLES.length).toBeGreaterThanOrEqual(25);
    expect(Object.keys(CHAIN_COUNTS).sort()).toEqual(SAMPLES);
  });

  it.each(SAMPLES)('%s: chains linked hop by hop, every redirect entry used once', (file) => {
    const har = raw(file);
    const result = imported(file);
    expect(result.chains).toHaveLength(CHAIN_COUNTS[file] ?? -1);
    expect(result.entries).toBe(har.log.entries.length);
    expect(result.warnings).toEqual([]);
    expect(result.creator).toBe(`${har.log.creator.name} ${har.log.creator.version}`.trim());

    // Each redirect entry of the file is one redirect hop of one chain.
    const redirectEntries = har.log.entries.filter((e) => isRedirectStatus(e.response.status)).length;
    const redirectHops = result.chains.flatMap((c) => c.hops).filter((h) => h.redirectUrl);
    expect(redirectHops).toHaveLength(redirectEntries);

    result.chains.forEach((chain, n) => {
      expect(chain.id).toBe(`import:${n + 1}`);
      expect(chain.tabId).toBe(-1);
      expect(chain.summary).toEqual(summarize(chain));
      expect(chain.startTime).toBe(chain.hops[0]?.startTime);
      chain.hops.forEach((hop, i) => {
        expect(hop.index).toBe(i);
        const next = chain.hops[i + 1];
        if (!next) return;
        expect(isRedirectStatus(hop.statusCode)).toBe(true);
        expect(sameResource(hop.redirectUrl, next.url)).toBe(true);
        expect(next.startTime).toBeGreaterThanOrEqual(hop.startTime);
        expect(hop.methodChange?.to).toBe(next.method);
      });
      const last = chain.hops.at(-1) as Hop;
      if (chain.outcome.state === 'completed') {
        expect(last.redirectUrl).toBe('');
        expect(chain.outcome.statusCode).toBe(last.statusCode);
      } else {
        // Cut off: the last redirect's target is not in the file.
        expect(chain.outcome.state).toBe('error');
        expect(last.redirectUrl).not.toBe('');
        expect(last.methodChange).toBeUndefined();
      }
    });
  });

  it.each(SAMPLES)('%s: re-exported as valid HAR 1.2 that imports back to the same chains', (file) => {
    const chains = chainsIn(file);
    assertValidHar(chainsToHar(chains));
    const full = chainsToHar(chains, { includeSensitive: true });
    assertValidHar(full);
    const again = importAnalyzed(JSON.stringify(full));
    expect(again.warnings).toEqual([]);
    expect(again.chains.map((c) => c.id)).toEqual(chains.map((c) => c.id));
    expect(chainsToHar(again.chains, { includeSensitive: true })).toEqual(full);
  });
});

describe('what a user sees in real HAR files', () => {
  it.each([
    ['gatling__gatling__charles42-redirect-post.har', 'Charles Proxy 4.2'],
    ['gatling__gatling__chrome61-redirect-post.har', 'WebInspector 537.36'],
    ['gatling__gatling__firefox56-redirect-post.har', 'Firefox 56.0'],
  ])('%s: a form POST, 303 with a relative Location, then GET', (file, creator) => {
    expect(imported(file).creator).toBe(creator);
    const chain = chainAt(file, 0);
    const url = 'http://computer-database.gatling.io/computers';
    expect(lines(chain)).toEqual([`POST 303 ${url}`, `GET 200 ${url}`]);
    const [post] = chain.hops as [Hop];
    expect(header(post, 'location')).toBe('/computers');
    expect(post.redirectUrl).toBe(url);
    expect(post.statusText).toBe('See Other');
    expect(post.methodChange).toMatchObject({ kind: 'changed', from: 'POST', to: 'GET', bodyDropped: true });
    expect(post.methodChange?.reason).toMatch(/303 See Other/);
    expect(post.cache.verdict).toBe('not-cacheable');
    expect(chain.summary).toMatchObject({ redirects: 1, methodChanged: true, crossOrigin: false, error: false });
    // A form that posts back to its own URL is not a loop: the GET is another request.
    expect(chain.summary.loop).toBe(false);
    expect(chain.hops[1]?.repeatsHop).toBeUndefined();
    expect(chain.outcome).toEqual({ state: 'completed', statusCode: 200 });
  });

  it('gatling: offsets in startedDateTime and `time: null` (Firefox 56, HAR 1.1)', () => {
    const charles = hopAt(chainAt('gatling__gatling__charles42-redirect-post.har', 0), 0);
    expect(charles.startTime).toBe(Date.parse('2017-10-19T19:18:44.931Z'));
    const firefox = hopAt(chainAt('gatling__gatling__firefox56-redirect-post.har', 0), 0);
    expect(firefox.startTime).toBe(Date.parse('2017-10-19T19:17:19.081Z'));
    expect(firefox.endTime).toBe(firefox.startTime);
  });

  it('PerfCascade redirect-loop: 11 hops of httpbin /redirect/25, cut off by MAXREDIRECTS', () => {
    const chain = chainAt('micmro__PerfCascade__capture-har_redirect-loop.har', 0);
    expect(chain.hops).toHaveLength(11);
    expect(lines(chain)[0]).toBe('GET 302 https://www.httpbin.org/redirect/25');
    expect(lines(chain)[10]).toBe('GET 302 https://www.httpbin.org/relative-redirect/15');
    for (const hop of chain.hops) expect(hop.statusText).toBe('FOUND');
    const last = hopAt(chain, 10);
    expect(header(last, 'location')).toBe('/relative-redirect/14');
    expect(last.redirectUrl).toBe('https://www.httpbin.org/relative-redirect/14');
    expect(chain.outcome).toEqual({
      state: 'error',
      error: 'Max redirects exceeded (MAXREDIRECTS)',
      tooManyRedirects: true,
    });
    expect(chain.summary).toMatchObject({ redirects: 11, loop: true, error: true });
  });

  it('PerfCascade h2o: Delegate internal 307s to about:blank and data:, whose targets are not requests', () => {
    const chains = chainsIn('micmro__PerfCascade__chrome_h2_h2o.examp1e.net.har');
    expect(chains.map((c) => c.hops.map((h) => h.redirectUrl.slice(0, 35)))).toEqual([
      ['about:blank'],
      ['data:application/javascript;base64,'],
    ]);
    for (const chain of chains) {
      const hop = hopAt(chain, 0);
      expect(hop).toMatchObject({
        statusCode: 307,
        statusText: 'Internal Redirect',
        httpVersion: '',
        kind: 'internal',
        internalReason: 'Delegate',
      });
      expect(hop.cache.verdict).toBe('not-applicable');
      expect(chain.outcome).toEqual({ state: 'error', error: NOT_IN_HAR });
      expect(chain.summary).toMatchObject({ internal: true, error: true, redirects: 1 });
    }
    expect(hopAt(chains[1] as Chain, 0).redirectUrl).toHaveLength(535);
  });

  it('playwright har-redirect: https → http (a downgrade) → https', () => {
    const chain = chainAt('microsoft__playwright__har-redirect.har', 0);
    expect(lines(chain)).toEqual([
      'GET 301 https://theverge.com/',
      'GET 301 http://www.theverge.com/',
      'GET 200 https://www.theverge.com/',
    ]);
    expect(chain.hops.map((h) => [h.statusText, h.httpVersion, h.downgrade, h.crossOrigin])).toEqual([
      ['', 'HTTP/2.0', true, true],
      ['Moved Permanently', 'HTTP/1.1', false, false],
      ['', 'HTTP/2.0', false, false],
    ]);
    expect(hopAt(chain, 0).cache.verdict).toBe('cacheable-by-default');
    expect(hopAt(chain, 0).ip).toBe('151.101.65.52');
    expect(chain.summary).toMatchObject({ redirects: 2, downgrade: true, crossOrigin: true, loop: false });
  });

  it('pagexray arcelormittal: a self-redirect in the main chain, and two HSTS internal 307s', () => {
    const file = 'sitespeedio__pagexray__arcelormittal.com.har';
    const main = chainAt(file, 0);
    expect(lines(main)).toEqual([
      'GET 301 http://www.arcelormittal.com/',
      'GET 301 https://www.arcelormittal.com/',
      'GET 302 http://corporate.arcelormittal.com/',
      'GET 302 http://corporate.arcelormittal.com/',
      'GET 200 http://m.corporate.arcelormittal.com/',
    ]);
    // redirectURL lacks the trailing slash the next request has.
    expect(header(hopAt(main, 1), 'location')).toBe('http://corporate.arcelormittal.com');
    expect(hopAt(main, 1).redirectUrl).toBe('http://corporate.arcelormittal.com/');
    expect(hopAt(main, 1).downgrade).toBe(true);
    expect(hopAt(main, 2).redirectUrl).toBe(hopAt(main, 2).url);
    expect(hopAt(main, 3).repeatsHop).toBe(2);
    expect(main.summary).toMatchObject({ redirects: 4, loop: true, downgrade: true });

    const hsts = chainsIn(file).slice(1);
    expect(hsts.map((c) => lines(c)[0]?.slice(0, 45))).toEqual([
      'GET 307 http://www.google-analytics.com/ga.js',
      'GET 307 http://www.google-analytics.com/r/__u',
    ]);
    for (const chain of hsts) {
      const hop = hopAt(chain, 0);
      expect(hop).toMatchObject({ kind: 'internal', internalReason: 'HSTS', statusText: 'Internal Redirect' });
      expect(hop.redirectUrl).toBe(hop.url.replace('http:', 'https:'));
      expect(hop.crossOrigin).toBe(false);
      expect(hop.cache.verdict).toBe('not-applicable');
      expect(hopAt(chain, 1).url).toBe(hop.redirectUrl);
    }
    expect(lines(hsts[1] as Chain)[2]).toMatch(/^GET 200 https:\/\/stats\.g\.doubleclick\.net\/r\/collect/);
  });

  it('pagexray case-sensitive-protocol: an upper-case HTTPS:// Location links to the lower-case request', () => {
    const chain = chainAt('sitespeedio__pagexray__case-sensitive-protocol.har', 0);
    expect(lines(chain)).toEqual([
      'GET 301 https://www.verizonwireless.com/devices',
      'GET 301 http://www.verizonwireless.com/devices/',
      'GET 200 https://www.verizonwireless.com/devices/',
    ]);
    expect(header(hopAt(chain, 1), 'location')).toBe('HTTPS://www.verizonwireless.com/devices/');
    expect(hopAt(chain, 1).redirectUrl).toBe('https://www.verizonwireless.com/devices/');
    expect(hopAt(chain, 0).downgrade).toBe(true);
  });

  it('pagexray ferguson: a protocol-relative Location, shared `_requestId`s, image and XHR chains', () => {
    const file = 'sitespeedio__pagexray__ferguson.har';
    const chain = chainFrom(file, 'https://analytics.ferguson.com/');
    const hop = hopAt(chain, 1);
    expect(header(hop, 'location')).toBe('//tags.bluekai.com/site/85350?vid=039b147782c84352b659f4ed1c53918e');
    expect(hop.redirectUrl).toBe('https://tags.bluekai.com/site/85350?vid=039b147782c84352b659f4ed1c53918e');
    expect(lines(chain)[2]).toBe('GET 200 https://tags.bluekai.com/site/85350?vid=039b147782c84352b659f4ed1c53918e');
    expect(chain).toMatchObject({ type: 'image', requestId: '77329.499r', initiator: 'https://www.ferguson.com' });
    expect(chainsIn(file).map((c) => c.type)).toEqual(['image', 'image', 'image', 'xmlhttprequest', 'xmlhttprequest']);
  });

  it('pagexray redirect-and-redirect-back: the chain returns to its start URL', () => {
    const file = 'sitespeedio__pagexray__redirect-and-redirect-back.har';
    const chain = chainAt(file, 0);
    const start = 'https://checkout.mytoys.de/checkout/registration';
    expect(lines(chain)).toEqual([
      `GET 302 ${start}`,
      'GET 302 https://sso.mytoys-group.de/session/makerecognisable/530e5ff1-7b5e-4441-b4c2-31f9c84f5aba',
      'GET 302 https://checkout.mytoys.de/session/setCookiesAndRedirect/530e5ff1-7b5e-4441-b4c2-31f9c84f5aba',
      `GET 200 ${start}`,
    ]);
    expect(hopAt(chain, 3).repeatsHop).toBe(0);
    expect(chain.summary).toMatchObject({ redirects: 3, loop: true, crossOrigin: true });
    expect(chain.outcome).toEqual({ state: 'completed', statusCode: 200 });
    // The relative Location of a 303 "Object Moved".
    const moved = chainFrom(file, 'https://statse.webtrendslive.com/');
    expect(hopAt(moved, 0).statusText).toBe('Object Moved');
    expect(hopAt(moved, 0).redirectUrl).toMatch(
      /^https:\/\/statse\.webtrendslive\.com\/dcsmmq6yd10000oagav4wuuq0_7o6w\/dcs\.gif\?dcsredirect=126&/,
    );
  });

  it('sitespeed.io www-theverge-com: every redirectURL is empty, so Location gives the targets', () => {
    const file = 'sitespeedio__sitespeed.io__www-theverge-com.har';
    const redirects = raw(file).log.entries.filter((e) => isRedirectStatus(e.response.status));
    expect(redirects).toHaveLength(54);
    expect(redirects.every((e) => e.response.redirectURL === '')).toBe(true);
    const hops = chainsIn(file).flatMap((c) => c.hops.filter((h) => isRedirectStatus(h.statusCode)));
    expect(hops).toHaveLength(54);
    for (const hop of hops) expect(hop.redirectUrl).toMatch(/^https?:\/\//);
    // Three parallel openx chains through identical URLs, each with its own hops.
    const openx = chainsIn(file).filter((c) => c.hops[0]?.url.startsWith('http://ox-d.sbnationbidder'));
    expect(openx.map((c) => c.hops.length)).toEqual([5, 5, 5]);
    // The facebook iframe target (http, with a fragment) was never requested after the redirect.
    const cut = chainsIn(file).filter((c) => c.outcome.state === 'error');
    expect(cut.map((c) => [c.hops.length, c.hops[0]?.redirectUrl.slice(0, 60), c.outcome])).toEqual([
      [1, 'http://staticxx.facebook.com/connect/xd_arbiter.php?version=', { state: 'error', error: NOT_IN_HAR }],
    ]);
  });

  it('sitespeed.io www-sitespeed-io: redirectURL "" with a Location header', () => {
    const chain = chainAt('sitespeedio__sitespeed.io__www-sitespeed-io.har', 0);
    expect(lines(chain)).toEqual(['GET 301 http://www.sitespeed.io/', 'GET 200 https://www.sitespeed.io/']);
    expect(hopAt(chain, 0).redirectUrl).toBe('https://www.sitespeed.io/');
  });

  it('Lookyloo (Splash): redirectURL percent-decoded, Location not; the target keeps the encoding', () => {
    const file = 'Lookyloo__har2tree__lalibre-049.har';
    const gemius = chainFrom(file, 'http://gabe.hit.gemius.pl/');
    const hop = hopAt(gemius, 0);
    expect(hop.statusCode).toBe(301);
    expect(hop.redirectUrl).toContain('fv=Shockwave%20Flash%2026.0%20r0');
    // Splash also writes the request URL decoded; the hop shows it as the browser sent it.
    const next = raw(file).log.entries.find((e) => e.request.url.startsWith('http://gabe.hit.gemius.pl/__/'));
    expect(next?.request.url).toContain('fv=Shockwave Flash 26.0 r0');
    expect(hopAt(gemius, 1).url).toBe(hop.redirectUrl);
    const google = chainFrom(file, 'https://googleads.g.doubleclick.net/');
    expect(google.hops.map((h) => new URL(h.url).host)).toEqual([
      'googleads.g.doubleclick.net',
      'www.google.com',
      'www.google.com.au',
    ]);
    expect(hopAt(google, 0).redirectUrl).toContain('tiba=D%C3%A9bats%20-%20Lalibre.be');
    // The two status-0 entries are not part of any chain.
    expect(
      chainsIn(file)
        .flatMap((c) => c.hops)
        .some((h) => h.statusCode === 0),
    ).toBe(false);
  });

  it('harviewer www-cnn-com (Fiddler, BOM): a Location without the trailing slash, 7-digit fractions', () => {
    const file = 'janodvarko__harviewer__www-cnn-com.har';
    expect(text(file).charCodeAt(0)).toBe(0xfeff);
    const [cnn, bango] = chainsIn(file) as [Chain, Chain];
    expect(lines(cnn)).toEqual(['GET 302 http://www.cnn.com/', 'GET 200 http://m.cnn.com/']);
    expect(header(hopAt(cnn, 0), 'location')).toBe('http://m.cnn.com');
    expect(hopAt(cnn, 0).redirectUrl).toBe('http://m.cnn.com/');
    expect(hopAt(cnn, 0).startTime).toBeCloseTo(Date.parse('2010-08-30T20:47:34.209Z') + 0.5733, 3);
    expect(bango.hops.map((h) => h.statusCode)).toEqual([302, 302, 302, 200]);
    expect(hopAt(bango, 2).url).toContain('/(X(1)S(pvnzao4525kprh2z121oqv55))/idimage.aspx');
    expect(hopAt(bango, 3).url).toBe('http://bango.net/images/track.gif');
  });

  it('pagexray nytimes (WebPageTest): statusText always "", relative and protocol-relative targets', () => {
    const file = 'sitespeedio__pagexray__www.nytimes.com.har';
    const hops = chainsIn(file).flatMap((c) => c.hops);
    expect(new Set(hops.map((h) => h.statusText))).toEqual(new Set(['']));
    const rubicon = chainFrom(file, 'https://pixel.rubiconproject.com/tap.php?v=13490');
    expect(hopAt(rubicon, 0).statusCode).toBe(307);
    expect(header(hopAt(rubicon, 0), 'location')).toMatch(/^\/tap\.php\?cookie_redirect=1&/);
    expect(lines(rubicon)[1]).toMatch(/^GET 200 https:\/\/pixel\.rubiconproject\.com\/tap\.php\?cookie_redirect=1&/);
    // Two pages (first and repeat view): the same sync redirect in each, linked separately.
    const adap = chainsIn(file).filter((c) => c.hops[0]?.url.startsWith('https://sync.adap.tv/'));
    expect(adap).toHaveLength(2);
    for (const chain of adap) {
      expect(header(hopAt(chain, 0), 'location')).toMatch(/^\/\/sync\.adaptv\.advertising\.com\//);
      expect(lines(chain)[1]).toMatch(/^GET 200 https:\/\/sync\.adaptv\.advertising\.com\/sync\?/);
    }
    // In the repeat view this target came from the cache: no request, so the chain is cut off.
    const cut = chainsIn(file).filter((c) => c.outcome.state === 'error');
    expect(cut.map((c) => [lines(c), c.hops[0]?.redirectUrl])).toEqual([
      [
        ['GET 302 https://t4.liverail.com/?metric=csync&p=3010&s=786792932447527911&redirect='],
        'https://cdn-static-secure.liverail.com/lr.gif',
      ],
    ]);
  });

  it('har2warc example: an HSTS upgrade, then a real 302', () => {
    const chain = chainAt('webrecorder__har2warc__example.har', 0);
    expect(lines(chain)).toEqual([
      'GET 307 http://www.iana.org/domains/example',
      'GET 302 https://www.iana.org/domains/example',
      'GET 200 https://www.iana.org/domains/reserved',
    ]);
    expect(chain.hops.map((h) => [h.kind, h.internalReason, h.httpVersion, h.statusText])).toEqual([
      ['internal', 'HSTS', '', 'Internal Redirect'],
      ['server', undefined, 'HTTP/1.1', 'Found'],
      ['server', undefined, 'HTTP/1.1', 'OK'],
    ]);
    expect(chain.summary).toMatchObject({ redirects: 2, internal: true, crossOrigin: false });
  });

  it('other samples: the chain a user expects', () => {
    expect(lines(chainAt('janodvarko__harviewer__testLoad3.har', 0))).toEqual([
      'GET 301 http://www.softwareishard.com/har/viewer-1.1',
      'GET 302 http://www.softwareishard.com/har/viewer-1.1/',
      'GET 200 http://www.softwareishard.com/har/viewer/',
    ]);
    expect(lines(chainAt('haralyzer__haralyzer__cnn-chrome.har', 0))).toEqual([
      'GET 301 http://cnn.com/',
      'GET 302 http://www.cnn.com/',
      'GET 200 http://edition.cnn.com/',
    ]);
    expect(lines(chainAt('sitespeedio__chrome-har__www.yahoo.com_2018-11-28_11-01-58-0.devtoolslog.har', 0))).toEqual([
      'GET 301 http://yahoo.com/',
      'GET 301 https://yahoo.com/',
      'GET 200 https://www.yahoo.com/',
    ]);
    const twitter = chainAt('webrecorder__har2warc__http2.github.io.har', 0);
    expect(lines(twitter)).toEqual([
      'POST 302 https://syndication.twitter.com/i/jot',
      'GET 200 https://platform.twitter.com/jot.html',
    ]);
    expect(hopAt(twitter, 0).methodChange).toMatchObject({ kind: 'changed', bodyDropped: true });
    const wiki = chainAt('sitespeedio__pagexray__browsertime-recalculate-style.har', 0);
    expect(lines(wiki)).toEqual(['GET 301 https://www.wikpedia.org/', 'GET 200 https://www.wikipedia.org/']);
    expect(wiki).toMatchObject({ type: 'main_frame', requestId: '058E1B56062207FEC0C471DEBE0F5AB7r' });
    expect(chainAt('sitespeedio__pagexray__linkedin.har', 1).hops.map((h) => new URL(h.url).host)).toEqual([
      'www.google-analytics.com',
      'stats.g.doubleclick.net',
      'www.google.com',
      'www.google.se',
    ]);
  });
});

describe('Hopscope HAR round trip', () => {
  /** Export keeps whole milliseconds only (ISO startedDateTime): compare without times. */
  function timeless(chains: readonly Chain[]) {
    return chains.map(({ startTime, endTime, pending, hops, ...rest }) => ({
      ...rest,
      hops: hops.map(({ startTime: _s, endTime: _e, ...hop }) => hop),
    }));
  }

  it.each(FIXTURES)('%s: export → import → export gives the same HAR, and the same chains', (name) => {
    const chains = chainsOf(name);
    for (const includeSensitive of [false, true]) {
      const har = chainsToHar(chains, { includeSensitive });
      const result = importAnalyzed(JSON.stringify(har));
      expect(result.warnings).toEqual([]);
      expect(result.entries).toBe(har.log.entries.length);
      expect(result.creator).toBe(`Hopscope ${har.log.creator.version}`);
      expect(chainsToHar(result.chains, { includeSensitive })).toEqual(har);
      if (includeSensitive) expect(timeless(result.chains)).toEqual(timeless(chains));
    }
  });

  it('keeps what only Hopscope knows: internal reason, cache verdict, outcome, tab and frame', () => {
    const chains = [...chainsOf('hsts-preload'), ...chainsOf('loop'), ...chainsOf('cache-301')];
    const back = importAnalyzed(JSON.stringify(chainsToHar(chains))).chains;
    expect(back.map((c) => [c.id, c.tabId, c.frameId, c.type, c.outcome])).toEqual(
      chains.map((c) => [c.id, c.tabId, c.frameId, c.type, c.outcome]),
    );
    expect(back.flatMap((c) => c.hops.map((h) => [h.kind, h.internalReason, h.cache.verdict, h.fromCache]))).toEqual(
      chains.flatMap((c) => c.hops.map((h) => [h.kind, h.internalReason, h.cache.verdict, h.fromCache])),
    );
    expect(back.some((c) => c.outcome.state === 'error' && c.outcome.tooManyRedirects)).toBe(true);
  });

  it('a Hopscope file missing a hop is rebuilt with a warning', () => {
    const har = chainsToHar(chainsOf('chain-3xx'));
    har.log.entries.splice(2, 1);
    const result = importAnalyzed(JSON.stringify(har));
    expect(result.chains).toHaveLength(1);
    expect(result.chains[0]?.hops.map((h) => h.statusCode)).toEqual([301, 302, 307, 308, 200]);
    expect(result.warnings).toEqual(['Chain 1 has 5 of its 6 hops in this file.']);
  });

  it('a Hopscope file whose `_hopscope` fields were stripped is linked like any HAR', () => {
    const chains = chainsOf('chain-3xx');
    const har = chainsToHar(chains);
    for (const e of har.log.entries) delete (e as Partial<Entry> & { _hopscope?: unknown })._hopscope;
    const [chain] = importAnalyzed(JSON.stringify(har)).chains as [Chain];
    expect(chain.id).toBe('import:1');
    expect(lines(chain)).toEqual(lines(chains[0] as Chain));
    expect(chain.hops.map((h) => [h.redirectUrl, h.cache.verdict])).toEqual(
      chains[0]?.hops.map((h) => [h.redirectUrl, h.cache.verdict]),
    );
    expect(chain.type).toBe('main_frame');
  });
});

// ——— Synthetic files: one property at a time ———

interface E {
  url: string;
  status?: number;
  method?: string;
  location?: string;
  redirectURL?: string;
  at?: number | string;
  extra?: Record<string, unknown>;
  response?: Record<string, unknown>;
}

function entry(e: E, i: number): Entry {
  return {
    startedDateTime: typeof e.at === 'string' ? e.at : new Date(1_700_000_000_000 + (e.at ?? i) * 10).toISOString(),
    time: 5,
    request: {
      method: e.method ?? 'GET',
      url: e.url,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: [],
      queryString: [],
      headersSize: -1,
      bodySize: 0,
    },
    response: {
      status: e.status ?? 200,
      statusText: '',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: e.location === undefined ? [] : [{ name: 'location', value: e.location }],
      content: { size: 0, mimeType: 'text/html' },
      redirectURL: e.redirectURL ?? '',
      headersSize: -1,
      bodySize: -1,
      ...e.response,
    },
    cache: {},
    timings: { send: 0, wait: 5, receive: 0 },
    ...e.extra,
  };
}

function harText(list: E[], log: Record<string, unknown> = {}): string {
  return JSON.stringify({
    log: { version: '1.2', creator: { name: 'test', version: '1' }, entries: list.map(entry), ...log },
  });
}

function importList(list: E[]): Imported {
  return importAnalyzed(harText(list));
}

describe('linking entries of any HAR', () => {
  it('sorts by startedDateTime: an answer listed before its redirect still follows it', () => {
    const { chains } = importList([
      { url: 'https://a.test/final', at: 2 },
      { url: 'https://a.test/start', status: 302, location: '/final', at: 1 },
    ]);
    expect(chains.map(lines)).toEqual([['GET 302 https://a.test/start', 'GET 200 https://a.test/final']]);
  });

  it('only links forward in time: an earlier request for the target is not the next hop', () => {
    const { chains } = importList([
      { url: 'https://a.test/final' },
      { url: 'https://a.test/start', status: 302, location: '/final' },
    ]);
    expect(chains).toHaveLength(1);
    expect(chains[0]?.hops).toHaveLength(1);
    expect(chains[0]?.outcome).toEqual({ state: 'error', error: NOT_IN_HAR });
  });

  it('upper-case scheme and host, default port, fragment, missing path all match', () => {
    const { chains } = importList([
      { url: 'http://a.test/', status: 301, location: 'HTTPS://A.TEST:443#top' },
      { url: 'https://a.test/', status: 302, location: '//b.test' },
      { url: 'https://b.test/' },
    ]);
    expect(chains.map(lines)).toEqual([
      ['GET 301 http://a.test/', 'GET 302 https://a.test/', 'GET 200 https://b.test/'],
    ]);
    expect(chains[0]?.hops.map((h) => h.redirectUrl)).toEqual(['https://a.test/#top', 'https://b.test/', '']);
  });

  it('falls back to a loose match: trailing slash, percent-decoding', () => {
    const { chains } = importList([
      { url: 'https://a.test/dir/', status: 302, location: 'https://a.test/other/' },
      { url: 'https://a.test/other', status: 302, redirectURL: 'https://a.test/q?u=http://b.test/x y' },
      { url: 'https://a.test/q?u=http%3A%2F%2Fb.test%2Fx%20y' },
    ]);
    expect(chains.map((c) => c.hops.map((h) => h.url))).toEqual([
      ['https://a.test/dir/', 'https://a.test/other', 'https://a.test/q?u=http%3A%2F%2Fb.test%2Fx%20y'],
    ]);
  });

  it('prefers whichever of redirectURL and Location matches a later entry', () => {
    const { chains } = importList([
      { url: 'https://a.test/', status: 302, redirectURL: 'https://a.test/nowhere', location: '/there' },
      { url: 'https://a.test/there' },
    ]);
    expect(chains.map(lines)).toEqual([['GET 302 https://a.test/', 'GET 200 https://a.test/there']]);
    expect(chains[0]?.hops[0]?.redirectUrl).toBe('https://a.test/there');
  });

  it('revisits (A → B → A → C) and self-redirects stay one chain', () => {
    const { chains } = importList([
      { url: 'https://a.test/a', status: 302, location: '/b' },
      { url: 'https://a.test/b', status: 302, location: '/a' },
      { url: 'https://a.test/a', status: 302, location: '/a' },
      { url: 'https://a.test/a', status: 307, location: '/c' },
      { url: 'https://a.test/c' },
    ]);
    expect(chains).toHaveLength(1);
    const chain = chains[0] as Chain;
    expect(chain.hops.map((h) => [h.url.slice(15), h.repeatsHop])).toEqual([
      ['a', undefined],
      ['b', undefined],
      ['a', 0],
      ['a', 0],
      ['c', undefined],
    ]);
    expect(chain.summary).toMatchObject({ redirects: 4, loop: true });
  });

  it('two parallel requests through the same URLs get one next hop each', () => {
    const { chains } = importList([
      { url: 'https://a.test/r', status: 302, location: '/t' },
      { url: 'https://a.test/r', status: 302, location: '/t' },
      { url: 'https://a.test/t' },
      { url: 'https://a.test/t' },
    ]);
    expect(chains.map((c) => c.hops.map((h) => h.startTime - 1_700_000_000_000))).toEqual([
      [0, 20],
      [10, 30],
    ]);
  });

  it('300, 304, 305 and 306 are not redirects; a 3xx without a target is not one either', () => {
    const result = importList([
      { url: 'https://a.test/1', status: 300, location: '/x' },
      { url: 'https://a.test/2', status: 304 },
      { url: 'https://a.test/3', status: 305, location: '/x' },
      { url: 'https://a.test/4', status: 306, location: '/x' },
      { url: 'https://a.test/5', status: 302 },
      { url: 'https://a.test/x' },
    ]);
    expect(result.chains).toEqual([]);
    expect(result.warnings).toEqual(['No redirect found: the 6 requests in this file were all answered without one.']);
  });

  it('a failed last hop ends the chain in error; status 0 too', () => {
    const { chains } = importList([
      { url: 'https://a.test/1', status: 302, location: '/down' },
      { url: 'https://a.test/down', status: 0, response: { _error: 'net::ERR_CONNECTION_REFUSED' } },
      { url: 'https://a.test/2', status: 302, location: '/gone' },
      { url: 'https://a.test/gone', status: 0 },
    ]);
    expect(chains.map((c) => c.outcome)).toEqual([
      { state: 'error', error: 'net::ERR_CONNECTION_REFUSED' },
      { state: 'error', error: 'no response' },
    ]);
    expect(chains[0]?.hops[1]?.error).toBe('net::ERR_CONNECTION_REFUSED');
    expect(chains[1]?.hops[1]?.error).toBeUndefined();
  });

  it('reads DevTools fields: _fromCache, _resourceType, _initiator, serverIPAddress; time null; long headers bounded', () => {
    const long = 'x'.repeat(20_000);
    const target = `https://a.test/${'p'.repeat(10_000)}`;
    const { chains } = importList([
      {
        url: 'https://a.test/',
        status: 301,
        location: target,
        extra: {
          _fromCache: 'disk',
          _resourceType: 'fetch',
          _initiator: { type: 'script', url: 'https://app.test/main.js' },
          serverIPAddress: '[::1]',
          time: null,
          _requestId: 42,
        },
        response: {
          headers: [
            { name: 'Location', value: target },
            { name: 'X-Long', value: long },
            { name: 7, value: 'bad name' },
            { name: 'X-Number', value: 5 },
          ],
        },
      },
      { url: target },
    ]);
    const chain = chains[0] as Chain;
    expect(chain).toMatchObject({ type: 'xmlhttprequest', initiator: 'https://app.test', requestId: '42' });
    const hop = hopAt(chain, 0);
    expect(hop).toMatchObject({ fromCache: true, ip: '::1', redirectUrl: target });
    expect(hop.cache.verdict).toBe('from-cache');
    expect(hop.endTime).toBe(hop.startTime);
    expect(hop.responseHeaders.map((h) => h.name)).toEqual(['Location', 'X-Long']);
    expect(header(hop, 'x-long')).toBe(`${'x'.repeat(8192)}…`);
    expect(hopAt(chain, 1).url).toBe(target);
  });

  it('a Non-Authoritative-Reason header makes the hop internal, whatever the tool', () => {
    const { chains } = importList([
      {
        url: 'http://a.test/',
        status: 307,
        location: 'https://a.test/',
        response: {
          statusText: 'Internal Redirect',
          httpVersion: 'unknown',
          headers: [
            { name: 'Location', value: 'https://a.test/' },
            { name: 'Non-Authoritative-Reason', value: 'HttpsUpgrades' },
          ],
          bodySize: -116,
        },
      },
      { url: 'https://a.test/' },
    ]);
    expect(hopAt(chains[0] as Chain, 0)).toMatchObject({
      kind: 'internal',
      internalReason: 'HttpsUpgrades',
      httpVersion: '',
      crossOrigin: false,
    });
  });

  it('keeps POST through a 307 and describes it', () => {
    const { chains } = importList([
      { url: 'https://a.test/form', method: 'post', status: 307, location: '/next' },
      { url: 'https://a.test/next', method: 'POST' },
    ]);
    expect(hopAt(chains[0] as Chain, 0).methodChange).toMatchObject({ kind: 'kept', from: 'POST', to: 'POST' });
  });
});

describe('bad input', () => {
  function failure(input: string, source?: string): string {
    try {
      importAnalyzed(input, source === undefined ? {} : { source });
    } catch (err) {
      expect(err).toBeInstanceOf(HarImportError);
      return (err as Error).message;
    }
    throw new Error('importHar accepted the input');
  }

  it('not JSON', () => {
    expect(failure('GET / HTTP/1.1')).toMatch(/^This file is not JSON \(.+\): pick a HAR file/);
    expect(failure('{"log": nope}')).toBe(
      "This file is not JSON (unexpected token 'o'): pick a HAR file (.har) as saved by the browser or tool.",
    );
    expect(failure('{\n  "log": {\n    "entries" []')).toBe(
      'This file is not JSON (unexpected text at line 3, column 15): pick a HAR file (.har) as saved by the browser or tool.',
    );
    expect(failure('')).toBe('This file is empty: pick a HAR file (.har) to import.');
    expect(failure('\uFEFF  \n')).toMatch(/is empty/);
  });

  it('truncated JSON says it was cut off', () => {
    const whole = text('microsoft__playwright__har-redirect.har');
    const message = failure(whole.slice(0, 1234), 'capture.har');
    expect(message).toMatch(/^"capture\.har" is not complete JSON \(unexpected end at character \d+\)/);
    expect(message).toMatch(/cut off while saving, so export or download it again\.$/);
  });

  it('JSON that is not a HAR', () => {
    expect(failure('[{"log": {}}]')).toBe(
      'This file is JSON but not a HAR: it holds an array, where a HAR holds an object with a "log".',
    );
    expect(failure('"log"')).toMatch(/it holds a string/);
    expect(failure('null')).toMatch(/it holds null/);
    expect(failure('42')).toMatch(/it holds a number/);
    expect(failure('{}')).toBe('This file is JSON but not a HAR: it has no "log" object with an entries array.');
    expect(failure('{"log": {}}', 'x.json')).toBe('"x.json" is JSON but not a HAR: it has no log.entries array.');
    expect(failure('{"log": {"entries": {}}}')).toMatch(/no log\.entries array/);
  });

  it('an empty entries array', () => {
    expect(failure('{"log": {"version": "1.2", "entries": []}}')).toBe(
      'This file is a HAR with no entries: there is nothing to import.',
    );
  });

  it('entries of the wrong type are skipped with a warning each', () => {
    const good = [
      entry({ url: 'https://a.test/', status: 302, location: '/b' }, 10),
      entry({ url: 'https://a.test/b' }, 11),
    ];
    const noUrl = entry({ url: 'x' }, 0) as unknown as { request: Record<string, unknown> };
    noUrl.request.url = 5;
    const noMethod = entry({ url: 'https://a.test/' }, 0) as unknown as { request: Record<string, unknown> };
    delete noMethod.request.method;
    const result = importAnalyzed(
      JSON.stringify({
        log: {
          entries: [
            5,
            null,
            {},
            { request: 'GET /' },
            noUrl,
            noMethod,
            { request: { method: 'GET', url: 'https://a.test/' } },
            { ...good[0], response: { ...good[0]?.response, status: '302' } },
            { ...good[0], response: { ...good[0]?.response, status: 3.5 } },
            ...good,
          ],
        },
      }),
    );
    expect(result.entries).toBe(11);
    expect(result.chains.map(lines)).toEqual([['GET 302 https://a.test/', 'GET 200 https://a.test/b']]);
    expect(result.warnings).toEqual([
      'Entry 1 was skipped: it is not an object.',
      'Entry 2 was skipped: it is not an object.',
      'Entry 3 was skipped: it has no request object.',
      'Entry 4 was skipped: it has no request object.',
      'Entry 5 was skipped: it has no request URL.',
      'Entry 6 was skipped: it has no request method.',
      'Entry 7 was skipped: it has no response object.',
      'Entry 8 was skipped: its response status is not a whole number from 0 to 999.',
      'Entry 9 was skipped: its response status is not a whole number from 0 to 999.',
    ]);
  });

  it('many bad entries: the first 20 are named, the rest counted', () => {
    const list = [...Array.from({ length: 25 }, () => 'bad'), entry({ url: 'https://a.test/' }, 0)];
    const result = importAnalyzed(JSON.stringify({ log: { entries: list } }));
    expect(result.warnings).toHaveLength(22);
    expect(result.warnings[20]).toBe('5 more entries were skipped.');
    expect(result.warnings[21]).toMatch(/^No redirect found/);
  });

  it('no usable entry at all', () => {
    expect(failure('{"log": {"entries": [{}, 1, "x"]}}')).toBe(
      'This file has no usable entry: none of its 3 entries has a request method, a URL and a response status.',
    );
  });

  it('unreadable dates keep the file order, with a warning', () => {
    const result = importList([
      { url: 'https://a.test/', status: 302, location: '/b', at: 'yesterday' },
      { url: 'https://a.test/b', at: 'soon' },
    ]);
    expect(result.chains.map(lines)).toEqual([['GET 302 https://a.test/', 'GET 200 https://a.test/b']]);
    expect(result.chains[0]?.startTime).toBe(0);
    expect(result.warnings).toEqual([
      '2 entries have no readable startedDateTime: they keep their place in the file and their times show as 0.',
    ]);
  });

  it('an unknown HAR version is read anyway, with a warning', () => {
    const result = importAnalyzed(harText([{ url: 'https://a.test/' }], { version: '2.0' }));
    expect(result.warnings[0]).toBe('The file says HAR version "2.0"; it was read as HAR 1.2.');
  });

  it('a document nested 100,000 levels deep fails cleanly, without a stack overflow', () => {
    const depth = 100_000;
    const deepValue = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    for (const doc of [
      deepValue,
      `${'['.repeat(depth)}${']'.repeat(depth)}`,
      `{"log": ${deepValue}}`,
      `{"log": {"entries": [{"request": {"method": "GET", "url": ${deepValue}}, "response": {"status": 200}}]}}`,
    ]) {
      expect(() => importHar(doc)).toThrow(HarImportError);
    }
    // Deep values in fields nobody reads are ignored.
    const first = JSON.stringify({ ...entry({ url: 'https://a.test/', status: 302, location: '/b' }, 0), _deep: 0 });
    const second = JSON.stringify(entry({ url: 'https://a.test/b' }, 1));
    const ok = importAnalyzed(
      `{"log": {"entries": [${first.replace('"_deep":0', `"_deep":${deepValue}`)}, ${second}]}}`,
    );
    expect(ok.chains).toHaveLength(1);
  });

  it(`refuses more than ${MAX_IMPORT_ENTRIES.toLocaleString('en-US')} entries`, () => {
    const doc = `{"log":{"entries":[${'{},'.repeat(MAX_IMPORT_ENTRIES)}{}]}}`;
    expect(failure(doc)).toBe(
      'This file has 200,001 entries, more than the 200,000 Hopscope imports at once: save a HAR of fewer requests (for example only the page you need).',
    );
  });
});
