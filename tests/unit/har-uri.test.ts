/** URLs as the HAR writes them: `isCanonicalHttp` decides without parsing what parsing would keep. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { harUri, isCanonicalHttp } from '../../src/core/har/uri.ts';

/** RFC 3986 with nothing to escape (what the HAR writes unchanged), as the export checks it after parsing. */
const PLAIN_URI =
  /^[a-z][a-z0-9+.-]*:(?:[\w\-.~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*(?:#(?:[\w\-.~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?$/i;

// URLs made of the pieces parsing changes (case, ports, dots, IPv4-like and punycode hosts,
// characters WHATWG or RFC 3986 escape, bare and encoded `%`, fragments), mixed with plain ones
// often enough that many URLs are canonical.
const mostly = <T>(plain: fc.Arbitrary<T>, odd: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: plain, weight: 4 }, { arbitrary: odd, weight: 1 });
const host = mostly(
  fc.constantFrom('a.test', 'h3.example.com', 'a-b.c0', 'localhost', 'x1.y'),
  fc.constantFrom(
    'A.test',
    'a..b',
    'a.',
    '1.2.3.4',
    '0x7f.1',
    'a.123',
    'a.0x1',
    'xn--bcher-kva.example',
    'b-.test',
    '-a.test',
    '[::1]',
  ),
);
const port = mostly(fc.constant(''), fc.constantFrom(':80', ':443', ':8080', ':0080', ':99999'));
const piece = mostly(
  fc.constantFrom('p', 'step3', "it's", '%41', '~!$&()*+,;=:@', 'a.b', ''),
  fc.constantFrom(
    '.',
    '..',
    '%2e',
    '%2E%2e',
    '.well-known',
    'a b',
    '%',
    '%zz',
    '|',
    '^',
    '[x]',
    '{',
    '`',
    '"',
    '<',
    '\\',
    'é',
  ),
);
const param = mostly(
  fc.constantFrom('q=1', 'token=REDACTED', 'x=%20', 'y=+', '', 'a', '/', '?'),
  fc.constantFrom("a='b'", 'z=|', 'w=%', 'v=é', 'u=<'),
);
const url = fc
  .record({
    scheme: mostly(fc.constantFrom('http', 'https'), fc.constantFrom('HTTPS', 'ftp', 'wss')),
    host,
    port,
    path: fc.array(piece, { maxLength: 4 }),
    query: fc.option(fc.array(param, { maxLength: 3 })),
    fragment: fc.option(fc.constantFrom('', 'f', 'a#b'), { freq: 4 }),
  })
  .map(
    (u) =>
      `${u.scheme}://${u.host}${u.port}/${u.path.join('/')}${u.query ? `?${u.query.join('&')}` : ''}${u.fragment === null ? '' : `#${u.fragment}`}`,
  );

describe('isCanonicalHttp', () => {
  it('accepts only URLs that parse to themselves and are plain RFC 3986 URIs', () => {
    let accepted = 0;
    fc.assert(
      fc.property(url, (u) => {
        if (!isCanonicalHttp(u)) return;
        accepted++;
        expect(new URL(u).href).toBe(u);
        expect(u).toMatch(PLAIN_URI);
      }),
      { numRuns: 5000 },
    );
    // The property is about something: a fair share of the URLs made take the shortcut.
    expect(accepted).toBeGreaterThan(250);
  });

  // The URLs browsers record most take the shortcut; what parsing would change is left to it.
  it.each([
    ['https://h3.example.com/path/3/step3?q=24&token=REDACTED', true],
    ['http://a.test/', true],
    ['https://www.example.org/a/b.html?x=%20y&z=1', true],
    ["https://a.test/it's/(1)", true],
    ['https://A.test/', false],
    ['https://a.test', false],
    ['https://a.test:443/', false],
    ['https://a.test:8080/', false],
    ['https://1.2.3.4/', false],
    ['https://a.test/./b', false],
    ['https://a.test/%2e%2e/b', false],
    ['https://xn--bcher-kva.example/', false],
    ["https://a.test/?q='", false],
    ['https://a.test/#f', false],
    ['https://u:p@a.test/', false],
    ['https://a.test/100%', false],
  ])('%s: shortcut %s', (u, canonical) => {
    expect(isCanonicalHttp(u)).toBe(canonical);
  });

  it('harUri gives the same URI with or without the shortcut', () => {
    fc.assert(
      fc.property(url, (u) => {
        const { uri, exact } = harUri(u);
        let href: string | undefined;
        try {
          href = new URL(u).href;
        } catch {
          href = undefined;
        }
        if (exact) expect(href).toBe(uri);
        if (isCanonicalHttp(u)) expect(uri).toBe(u);
      }),
      { numRuns: 3000 },
    );
  });
});
