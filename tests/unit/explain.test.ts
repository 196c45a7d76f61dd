import { describe, expect, it } from 'vitest';
import { analyze, type AnalyzedChain as Chain } from '../../src/core/analyze/index.ts';
import { describeNetError, type Explanation, explainChain, explainHop } from '../../src/core/present/explain/index.ts';
import { chainsOf, FIXTURES, hopAt, onlyChain, record, requestEvents, syntheticHstsPreload } from './helpers.ts';

const L = 'http://localhost:47801';

/** Everything a user reads, one string, for `toContain` checks. */
function read(e: Explanation): string {
  return [e.headline, ...e.points].join('\n');
}

function hopText(chain: Chain, index: number): string {
  return read(explainHop(chain, hopAt(chain, index)));
}

/** The last chain of a fixture (the second visit of the cache scenarios, the upgraded page of hsts-header). */
function lastChain(name: Parameters<typeof chainsOf>[0]): Chain {
  const chains = chainsOf(name);
  const chain = chains.at(-1);
  if (!chain) throw new Error('no chain');
  return chain;
}

/** A one-hop internal redirect with the given reason, then the 200 it led to. */
function internalChain(reason: string, statusLine = 'HTTP/1.1 307 Internal Redirect'): Chain {
  return onlyChain(
    requestEvents({
      requestId: 'i1',
      hops: [
        {
          url: 'http://shop.test/',
          internal: true,
          status: 307,
          statusLine,
          redirectUrl: 'https://shop.test/',
          responseHeaders: [
            { name: 'Location', value: 'https://shop.test/' },
            { name: 'Non-Authoritative-Reason', value: reason },
          ],
        },
        { url: 'https://shop.test/', statusLine: 'HTTP/1.1 200 OK' },
      ],
    }),
  );
}

describe('explainHop: statuses', () => {
  const chain = onlyChain('chain-3xx');

  it.each([
    [0, '301 Moved Permanently: permanent redirect → /chain/2', 'RFC 9110 §15.4.2', 'strong signal'],
    [1, '302 Found: temporary redirect → /chain/3', 'RFC 9110 §15.4.3', 'keep the original URL indexed'],
    [2, '303 See Other: redirect to be fetched with GET → /chain/4', 'RFC 9110 §15.4.4', 'Post/Redirect/Get'],
    [3, '307 Temporary Redirect: temporary redirect → /chain/5', 'RFC 9110 §15.4.8', 'same method and body'],
    [4, '308 Permanent Redirect: permanent redirect → /chain/final', 'RFC 9110 §15.4.9', 'same method and body'],
  ])('chain-3xx hop %i: "%s", cites %s', (index, headline, spec, words) => {
    const e = explainHop(chain, hopAt(chain, index));
    expect(e.headline).toBe(headline);
    expect(read(e)).toContain(spec);
    expect(read(e)).toContain(words);
  });

  it('the final 200 says the chain ends there', () => {
    const e = explainHop(chain, hopAt(chain, 5));
    expect(e.headline).toBe('200 OK: success');
    expect(e.points[0]).toBe('200 OK: the server answered with the content (RFC 9110 §15.3.1); the chain ends here.');
  });

  it('says what search engines do: permanent passes signals on, temporary keeps the original', () => {
    expect(hopText(chain, 0)).toContain('they index the target instead');
    expect(hopText(chain, 4)).toContain('they index the target instead');
    expect(hopText(chain, 1)).toContain('Search engines keep the original URL indexed');
    expect(hopText(chain, 3)).toContain('Search engines keep the original URL indexed');
  });

  it('HTTP/2 status lines carry no reason phrase: the standard one is shown', () => {
    const h2 = onlyChain(
      requestEvents({
        requestId: 'h2',
        hops: [
          { url: 'https://a.test/', status: 301, statusLine: 'HTTP/2 301', redirectUrl: 'https://a.test/b' },
          { url: 'https://a.test/b', statusLine: 'HTTP/2 404' },
        ],
      }),
    );
    expect(explainHop(h2, hopAt(h2, 0)).headline).toBe('301 Moved Permanently: permanent redirect → /b');
    const last = explainHop(h2, hopAt(h2, 1));
    expect(last.headline).toBe('404 Not Found: client error');
    expect(read(last)).toContain('RFC 9110 §15.5.5');
    expect(read(last)).toContain('Search engines drop');
    expect(explainChain(h2).points).toContain('The chain ends in an error page: 404 Not Found.');
  });

  it.each([
    [410, 'Gone', '§15.5.11'],
    [429, 'Too Many Requests', 'RFC 6585 §4'],
    [500, 'Internal Server Error', '§15.6.1'],
    [502, 'Bad Gateway', '§15.6.3'],
    [503, 'Service Unavailable', '§15.6.4'],
    [418, "I'm a teapot", 'RFC 9110 §15.5'],
    [599, 'Odd', 'RFC 9110 §15.6'],
  ])('%i %s is explained with %s', (code, text, spec) => {
    const c = onlyChain(
      requestEvents({
        requestId: 's',
        hops: [{ url: 'https://a.test/', status: code, statusLine: `HTTP/1.1 ${code} ${text}` }],
      }),
    );
    const e = explainHop(c, hopAt(c, 0));
    expect(e.headline).toBe(`${code} ${text}: ${code < 500 ? 'client' : 'server'} error`);
    expect(read(e)).toContain(spec);
  });

  it('a 405 right after a POST became GET names the redirect as the likely cause', () => {
    const c = onlyChain(
      requestEvents({
        requestId: 'm',
        hops: [
          { url: 'https://a.test/form', method: 'POST', status: 302, redirectUrl: 'https://a.test/api' },
          { url: 'https://a.test/api', method: 'GET', status: 405, statusLine: 'HTTP/1.1 405 Method Not Allowed' },
        ],
      }),
    );
    const text = hopText(c, 1);
    expect(text).toContain('this URL does not accept GET');
    expect(text).toContain('The redirect before turned POST into GET, which is a likely cause.');
  });
});

describe('explainHop: method change', () => {
  it('post-303: POST became GET and the body was dropped, with the spec', () => {
    const chain = onlyChain('post-303');
    const e = explainHop(chain, hopAt(chain, 0));
    expect(e.headline).toBe('303 See Other: redirect to be fetched with GET → /echo; POST became GET');
    expect(e.points).toContain(
      '303 See Other tells the browser to fetch the target with GET: POST became GET and the request body was dropped (RFC 9110 §15.4.4).',
    );
  });

  it.each(['post-301', 'post-302'] as const)('%s: POST became GET, the body dropped, 307/308 advised', (name) => {
    const chain = onlyChain(name);
    const text = hopText(chain, 0);
    expect(text).toContain('POST became GET');
    expect(text).toContain('drop the body');
    expect(text).toContain('Use 307 or 308 to keep the method.');
  });

  it.each([
    ['post-307', '§15.4.8'],
    ['post-308', '§15.4.9'],
  ] as const)('%s: method and body were kept (%s)', (name, section) => {
    const chain = onlyChain(name);
    const e = explainHop(chain, hopAt(chain, 0));
    expect(e.headline).not.toContain('became');
    expect(read(e)).toContain(
      `keeps the method and the body: the browser repeats the POST at the new URL (RFC 9110 ${section})`,
    );
    expect(read(e)).toContain('the POST is sent again with its body');
  });

  it('a stored reason without the word body still says the body was dropped', () => {
    const chain = structuredClone(onlyChain('post-302'));
    const hop = hopAt(chain, 0);
    if (!hop.methodChange) throw new Error('no method change');
    hop.methodChange.reason = 'POST became GET.';
    expect(read(explainHop(chain, hop))).toContain('POST became GET. The request body was dropped.');
  });
});

describe('explainHop: internal hops', () => {
  it('HSTS (hsts-header): the browser upgraded, the server was not contacted, nothing crossed the network', () => {
    const chain = lastChain('hsts-header');
    const e = explainHop(chain, hopAt(chain, 0));
    expect(e.headline).toBe('HSTS: the browser upgraded the request to https itself → https://sts.test:47801/sts/page');
    expect(e.points[0]).toBe(
      'The browser itself upgraded the request to https because the host is on the HSTS preload list or sent Strict-Transport-Security earlier (RFC 6797 §8.3, §12.3); the server was not contacted; nothing crossed the network.',
    );
    expect(read(e)).toContain('The 307 "Internal Redirect" was made up by the browser; no server sent it.');
    // Not a server redirect: no search-engine or cache talk.
    expect(read(e)).not.toContain('Search engines');
    expect(read(e)).not.toContain('cache');
  });

  it('HSTS preload (synthetic) reads the same', () => {
    const chain = onlyChain(syntheticHstsPreload());
    expect(hopText(chain, 0)).toContain('the server was not contacted; nothing crossed the network');
  });

  it.each(['WebRequest API', 'Delegate'])('%s: an extension or declarativeNetRequest rule redirected it', (reason) => {
    const chain = internalChain(reason);
    const e = explainHop(chain, hopAt(chain, 0));
    expect(e.headline).toBe('An extension redirected this request → https://shop.test/');
    expect(read(e)).toContain('An extension or a declarativeNetRequest rule redirected it before it was sent');
    expect(read(e)).toContain(`Non-Authoritative-Reason: ${reason}`);
  });

  it("HttpsUpgrades: Chrome's HTTPS-Upgrades tried https first", () => {
    const chain = internalChain('HttpsUpgrades', 'HTTP/1.1 307 Temporary Redirect');
    const e = explainHop(chain, hopAt(chain, 0));
    expect(e.headline).toBe('HTTPS-Upgrades: the browser tried https first → https://shop.test/');
    expect(read(e)).toContain("Chrome's HTTPS-Upgrades (or HTTPS-First Mode) tried https first");
    expect(read(e)).toContain('The 307 "Temporary Redirect" was made up by the browser');
  });

  it('another reason is shown raw', () => {
    const chain = internalChain('offline redirects');
    const e = explainHop(chain, hopAt(chain, 0));
    expect(e.headline).toBe('Internal redirect by the browser (offline redirects) → https://shop.test/');
    expect(read(e)).toContain('Non-Authoritative-Reason: offline redirects');
  });

  it('explainChain counts the internal hop and says why', () => {
    const chain = lastChain('hsts-header');
    const e = explainChain(chain);
    expect(e.headline).toMatch(/^1 redirect \(1 by the browser itself\), ended at 200 in \d+ ms$/);
    expect(e.points).toContain('Hop 1: the browser upgraded to https itself (HSTS); the server was not contacted.');
  });
});

describe('explainHop: cache', () => {
  it('cache-301, first visit: cacheable by default, and what that means for the next visit', () => {
    const [first] = chainsOf('cache-301');
    if (!first) throw new Error('no chain');
    const text = hopText(first, 0);
    expect(text).toContain('the next visit goes straight to the target without asking the server');
    expect(text).toContain('keep following it even after the server changes it');
  });

  it.each(['cache-301', 'cache-308', 'cache-307-max-age'] as const)(
    '%s, second visit: from cache, the server was not contacted',
    (name) => {
      const chain = lastChain(name);
      const text = hopText(chain, 0);
      expect(text).toContain('Served from the browser cache: the server was not contacted for this hop.');
      expect(text).toContain('a change on the server does not show here until then');
      expect(explainChain(chain).points).toContain(
        'Hop 1 came from the browser cache: the server was not contacted for it.',
      );
    },
  );

  it('cache-307-max-age, first visit: explicit lifetime', () => {
    const [first] = chainsOf('cache-307-max-age');
    if (!first) throw new Error('no chain');
    expect(hopText(first, 0)).toMatch(/max-age=\d+ lets the browser reuse it for .+ without asking the server/);
    expect(hopText(first, 0)).toContain('Within that time the next visit follows it from the cache');
  });

  it('cache-302: the server is asked every time, a change takes effect on the next visit', () => {
    const text = hopText(lastChain('cache-302'), 0);
    expect(text).toContain('the browser asks the server every time');
    expect(text).toContain('A change on the server takes effect on the next visit.');
  });
});

describe('explainHop: origin, downgrade, loops, Location', () => {
  it('cross-host: leaving the host, and what happens to cookies', () => {
    const chain = onlyChain('cross-host');
    const text = hopText(chain, 0);
    expect(text).toContain('The request leaves a.test:47801 for b.test:47801: another origin (RFC 6454).');
    expect(text).toContain("the next request carries b.test's cookies, not a.test's");
    expect(text).toContain('SameSite=Strict');
    expect(explainChain(chain).points).toContain(
      "Hop 1 leaves http://a.test:47801 for http://b.test:47801: from there on other cookies apply, and a request's Origin header may become null.",
    );
  });

  it('a fetch redirected from a foreign origin to another one: Origin becomes null, CORS applies', () => {
    const chain = onlyChain(
      requestEvents({
        requestId: 'f',
        type: 'xmlhttprequest',
        initiator: 'https://page.test',
        hops: [
          { url: 'https://api.test/a', status: 302, redirectUrl: 'https://cdn.test/b' },
          { url: 'https://cdn.test/b' },
        ],
      }),
    );
    const text = hopText(chain, 0);
    expect(text).toContain('sends "Origin: null" (Fetch, HTTP-redirect fetch: tainted origin)');
    expect(text).toContain('Access-Control-Allow-Origin');
  });

  it('downgrade: unencrypted from here, cookies without Secure exposed, HSTS on the target host would prevent it', () => {
    const chain = onlyChain('downgrade');
    const text = hopText(chain, 0);
    expect(text).toContain('Downgrade from https to http: everything after this hop travels unencrypted');
    expect(text).toContain('cookies without the Secure attribute are exposed');
    expect(text).toContain('HSTS on plain.test would make the browser upgrade the target to https itself');
    expect(explainChain(chain).points).toContain(
      'Hop 1 goes from https to http: everything after it travels unencrypted.',
    );
  });

  it('downgrade on the same host: HSTS on that host would prevent it', () => {
    const chain = onlyChain(
      requestEvents({
        requestId: 'd',
        hops: [{ url: 'https://a.test/x', status: 302, redirectUrl: 'http://a.test/y' }, { url: 'http://a.test/y' }],
      }),
    );
    expect(hopText(chain, 0)).toContain('HSTS on a.test would prevent it');
  });

  it('a server upgrade from http to https suggests HSTS', () => {
    const chain = onlyChain(
      requestEvents({
        requestId: 'u',
        hops: [{ url: 'http://a.test/x', status: 301, redirectUrl: 'https://a.test/x' }, { url: 'https://a.test/x' }],
      }),
    );
    expect(hopText(chain, 0)).toContain(
      'The server upgrades http to https. This first request still went out unencrypted',
    );
    expect(hopText(lastChain('hsts-header'), 0)).not.toContain('The server upgrades');
  });

  it('loop: the repeated hop and the browser giving up after 20 redirects', () => {
    const chain = onlyChain('loop');
    expect(hopText(chain, 2)).toContain('This URL was already requested at hop 1: the chain goes in a circle.');
    expect(hopText(chain, 0)).not.toContain('circle');
    const lastHop = hopText(chain, 19);
    expect(lastHop).toContain('Chromium gives up after 20 redirects');
    expect(lastHop).toContain('webRequest reports net::ERR_ABORTED');
    const e = explainChain(chain);
    expect(e.headline).toMatch(/^20 redirects, gave up in a redirect loop after \d+ ms$/);
    expect(e.points).toContain('Redirect loop: hop 3 requests the URL of hop 1 again.');
    expect(e.points).toContain('Chromium gives up after 20 redirects; webRequest reports it as net::ERR_ABORTED.');
  });

  it('a relative Location is shown and said to be resolved; an absolute one equal to the target is not', () => {
    const chain = onlyChain('chain-3xx');
    expect(hopText(chain, 2)).toContain(
      `The Location header was relative ("4"); the browser resolved it against this hop's URL to ${L}/chain/4`,
    );
    expect(hopText(chain, 0)).not.toContain('Location header');
  });

  it('an absolute Location that differs from the target is said to be normalized', () => {
    const chain = onlyChain(
      requestEvents({
        requestId: 'n',
        hops: [
          {
            url: 'https://a.test/x#top',
            status: 301,
            redirectUrl: 'https://b.test/y#top',
            responseHeaders: [{ name: 'Location', value: 'https://b.test/y' }],
          },
          { url: 'https://b.test/y#top' },
        ],
      }),
    );
    expect(hopText(chain, 0)).toContain('The Location header said "https://b.test/y"; the browser normalized it');
  });
});

describe('explainHop: failures and other kinds', () => {
  it('unreachable: connection refused in words', () => {
    const chain = onlyChain('unreachable');
    const e = explainHop(chain, hopAt(chain, 0));
    expect(e.headline).toBe('Failed: connection refused');
    expect(e.points[0]).toContain('nothing accepted the connection');
    expect(e.points[0]).toContain('(net::ERR_CONNECTION_REFUSED)');
    expect(explainChain(chain).headline).toMatch(/^No redirect, failed \(connection refused\) after \d+ ms$/);
  });

  it.each([
    ['net::ERR_NAME_NOT_RESOLVED', 'host name not found', 'could not be resolved (DNS)'],
    ['net::ERR_ABORTED', 'aborted', 'cancelled'],
    ['tab closed', 'tab closed', 'The tab was closed while this chain was under way'],
    ['net::ERR_TOO_MANY_REDIRECTS', 'too many redirects', 'Chromium gives up after 20 redirects'],
    ['net::ERR_CERT_DATE_INVALID', 'certificate rejected', 'expired or is not valid yet'],
    ['net::ERR_CERT_AUTHORITY_INVALID', 'certificate rejected', 'self-signed'],
    ['net::ERR_CERT_SOMETHING_NEW', 'certificate rejected', 'net::ERR_CERT_SOMETHING_NEW'],
    ['NS_ERROR_UNKNOWN_HOST', 'NS_ERROR_UNKNOWN_HOST', 'NS_ERROR_UNKNOWN_HOST'],
  ])('%s: "%s"', (error, short, long) => {
    const d = describeNetError(error);
    expect(d.short).toBe(short);
    expect(d.long).toContain(long);
  });

  it('a failed hop after a redirect is explained on that hop and in the chain', () => {
    const chain = onlyChain(
      requestEvents({
        requestId: 'e',
        error: 'net::ERR_NAME_NOT_RESOLVED',
        hops: [
          { url: 'https://a.test/', status: 302, redirectUrl: 'https://gone.test/' },
          { url: 'https://gone.test/' },
        ],
      }),
    );
    expect(explainHop(chain, hopAt(chain, 1)).headline).toBe('Failed: host name not found');
    const e = explainChain(chain);
    expect(e.headline).toMatch(/^1 redirect, failed \(host name not found\) after \d+ ms$/);
    expect(e.points.join('\n')).toContain(
      'Hop 2 failed (net::ERR_NAME_NOT_RESOLVED): the host name could not be resolved',
    );
    expect(e.points.join('\n')).toContain('stopped at https://gone.test/');
  });

  it('a client hop gets the generic sentence', () => {
    const chain = structuredClone(onlyChain('ok'));
    const hop = hopAt(chain, 0);
    hop.kind = 'client';
    hop.redirectUrl = `${L}/next`;
    const e = explainHop(chain, hop);
    expect(e.headline).toMatch(/^200 OK, then the page moved on by itself \(client-side\) → \/next$/);
    expect(e.points[0]).toContain('Not an HTTP redirect');
  });

  it.each([
    [
      { type: 'meta-refresh', delaySeconds: 2, afterMs: 2010 },
      'meta refresh, 2 s',
      /<meta http-equiv="refresh"> tag in the page asked for it after 2 s/,
    ],
    [
      { type: 'refresh-header', delaySeconds: 0, afterMs: 12 },
      'Refresh header, 0 s',
      /Refresh header asked for it after 0 s/,
    ],
    [{ type: 'javascript', afterMs: 30_000 }, 'JavaScript, after 30.00 s', /a script in the page changed location/],
  ] as const)('a %j client hop says how the page moved on', (client, label, how) => {
    const chain = structuredClone(onlyChain('ok'));
    const hop = hopAt(chain, 0);
    hop.kind = 'client';
    hop.clientRedirect = { ...client };
    hop.redirectUrl = `${L}/next`;
    const e = explainHop(chain, hop);
    expect(e.headline).toContain(`(${label}) → /next`);
    expect(e.points.join(' ')).toMatch(how);
    if (client.afterMs >= 2000) expect(e.points.join(' ')).toMatch(/started .* after this page had loaded/);
  });

  it('a redirect with status 0 and no error (Firefox HSTS) says there was no response', () => {
    const chain = structuredClone(lastChain('hsts-header'));
    const hop = hopAt(chain, 0);
    hop.kind = 'server';
    hop.internalReason = undefined;
    hop.statusCode = 0;
    hop.statusText = '';
    expect(explainHop(chain, hop).headline).toBe('Redirect without a response → https://sts.test:47801/sts/page');
    expect(read(explainHop(chain, hop))).toContain('Firefox reports its HSTS upgrades this way');
  });

  it('a chain under way says so', () => {
    const events = requestEvents({
      requestId: 'p',
      hops: [{ url: 'https://a.test/', status: 301, redirectUrl: 'https://a.test/b' }, { url: 'https://a.test/b' }],
    });
    // Up to and including the second onBeforeRequest.
    const cut = events.findIndex((e, i) => i > 0 && e.event === 'onBeforeRequest');
    const chain = onlyChain(events.slice(0, cut + 1));
    const e = explainChain(chain);
    expect(e.headline).toBe('1 redirect, still under way');
    expect(e.points[0]).toBe('Started at https://a.test/, now at https://a.test/b.');
  });
});

describe('explainChain', () => {
  it('post-303: "1 redirect, POST became GET, ended at 200 in N ms"', () => {
    const e = explainChain(onlyChain('post-303'));
    expect(e.headline).toMatch(/^1 redirect, POST became GET, ended at 200 in \d+ ms$/);
    expect(e.points).toEqual([
      `Started at ${L}/post/303, ended at ${L}/echo.`,
      'Hop 1: POST became GET after the 303; the request body was dropped.',
    ]);
  });

  it('chain-3xx: five redirects, advice to link straight to the end', () => {
    const e = explainChain(onlyChain('chain-3xx'));
    expect(e.headline).toMatch(/^5 redirects, ended at 200 in \d+ ms$/);
    expect(e.points).toContain(
      `5 server redirects in a row: each costs a round trip, and Googlebot follows at most 10 (Google Search Central). Link straight to ${L}/chain/final.`,
    );
  });

  it('ok: no redirect, nothing notable', () => {
    const e = explainChain(onlyChain('ok'));
    expect(e.headline).toMatch(/^No redirect, ended at 200 in \d+ ms$/);
    expect(e.points).toEqual([]);
  });
});

describe('untrusted text', () => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
  const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

  it('every explanation of every fixture is plain text without control characters', () => {
    for (const name of FIXTURES) {
      for (const chain of record(name).list().map(analyze)) {
        for (const e of [explainChain(chain), ...chain.hops.map((h) => explainHop(chain, h))]) {
          expect(e.headline).not.toMatch(CONTROL);
          for (const p of e.points) expect(p).not.toMatch(CONTROL);
        }
      }
    }
  });

  it('escape sequences and bidi overrides in status text, Location, reason and error are neutralized', () => {
    const chain = structuredClone(onlyChain('post-303'));
    const hop = hopAt(chain, 0);
    hop.statusText = 'See Other\u001b[2J<b>';
    hop.responseHeaders = [{ name: 'Location', value: '/echo\u202e\r\nX-Evil: 1' }];
    hop.error = 'net::ERR_\u001b]0;pwned\u0007';
    const e = explainHop(chain, hop);
    expect(e.headline).not.toMatch(CONTROL);
    for (const p of e.points) expect(p).not.toMatch(CONTROL);
    expect(read(e)).toContain(
      'then the request failed: the network error net::ERR_\uFFFD]0;pwned\uFFFD ended the request.',
    );
    expect(e.headline).toContain('303 See Other\uFFFD[2J<b>: ');
    expect(read(e)).toContain('relative ("/echo\uFFFD\uFFFD\uFFFDX-Evil: 1")');

    const internal = structuredClone(internalChain('HSTS'));
    const ih = hopAt(internal, 0);
    ih.internalReason = 'X\u001b[31m';
    const ie = explainHop(internal, ih);
    for (const line of [ie.headline, ...ie.points]) expect(line).not.toMatch(CONTROL);
    expect(ie.headline).toBe('Internal redirect by the browser (X\uFFFD[31m) → https://shop.test/');
  });
});
