import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  headerAction,
  isSecretParam,
  REDACTED,
  type Redaction,
  redactPairs,
  redactUrl,
  SENSITIVE_HEADERS,
  sanitizeHeaders,
  URL_HEADERS,
} from '../../src/core/har/redact.ts';

describe('redactPairs', () => {
  // What it did before it worked in place: split on &, each name=value judged, joined again.
  const byPairs = (part: string, how: Redaction): string =>
    part
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        if (eq < 0) return pair;
        const name = pair.slice(0, eq);
        return how.isSecret(name) ? `${name}=${how.replace(pair.slice(eq + 1), name)}` : pair;
      })
      .join('&');

  it('replaces the values of secret names as a split, map and join would, every other byte kept', () => {
    const atom = fc.constantFrom('a=1', 'token=x', '', 'code', 'code=', '=v', 'key=a=b', 'x', 'sid=%20', 'T%6Fken=1');
    const how: Redaction = { isSecret: isSecretParam, replace: (value, name) => `<${name}:${value}>` };
    fc.assert(
      fc.property(fc.array(atom, { maxLength: 6 }), fc.constantFrom('&', '', '&&'), (atoms, sep) => {
        const part = atoms.join(sep);
        expect(redactPairs(part, how)).toBe(byPairs(part, how));
        expect(redactPairs(part)).toBe(byPairs(part, { isSecret: isSecretParam, replace: () => REDACTED }));
      }),
      { numRuns: 2000 },
    );
  });

  it('returns the very text when nothing is secret', () => {
    const part = 'a=1&b=2&c';
    expect(redactPairs(part)).toBe(part);
  });
});

describe('redactUrl', () => {
  it.each([
    // OAuth authorization code flow (RFC 6749 §4.1.2): the code goes, state stays.
    ['https://app.test/cb?code=SECRET&state=ok', 'https://app.test/cb?code=REDACTED&state=ok'],
    // Relative URLs (Location values) are redacted the same way.
    ['/cb?code=SECRET&state=ok', '/cb?code=REDACTED&state=ok'],
    ['cb?token=SECRET', 'cb?token=REDACTED'],
    ['?id_token=SECRET', '?id_token=REDACTED'],
    // Implicit flow (RFC 6749 §4.2.2): tokens in the fragment.
    [
      'https://app.test/cb#access_token=SECRET&token_type=bearer&expires_in=3600&state=ok',
      'https://app.test/cb#access_token=REDACTED&token_type=bearer&expires_in=3600&state=ok',
    ],
    ['https://app.test/#id_token=SECRET', 'https://app.test/#id_token=REDACTED'],
    // A hash-routed SPA callback: the parameters come after a route inside the fragment.
    ['https://app.test/#/callback?code=SECRET&state=ok', 'https://app.test/#/callback?code=REDACTED&state=ok'],
    // Query and fragment both.
    ['https://a.test/?code=S1#access_token=S2', 'https://a.test/?code=REDACTED#access_token=REDACTED'],
    // Case and percent-encoding of the name do not hide it; the name stays as written.
    ['https://a.test/?CODE=S&Access_Token=S', 'https://a.test/?CODE=REDACTED&Access_Token=REDACTED'],
    ['https://a.test/?access%5Ftoken=SECRET&x=1', 'https://a.test/?access%5Ftoken=REDACTED&x=1'],
    ['https://a.test/?refresh_token=S&csrf-token=S', 'https://a.test/?refresh_token=REDACTED&csrf-token=REDACTED'],
    [
      'https://b.s3.test/o?X-Amz-Signature=S&X-Amz-Credential=S&X-Amz-Date=1',
      'https://b.s3.test/o?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED&X-Amz-Date=1',
    ],
    // Path parameters carrying a session.
    ['https://a.test/app;jsessionid=ABC123?x=1', 'https://a.test/app;jsessionid=REDACTED?x=1'],
    ['https://a.test/app;JSESSIONID=ABC123/next', 'https://a.test/app;JSESSIONID=REDACTED/next'],
    // Credentials in the authority.
    ['https://user:pass@a.test/x', 'https://user:REDACTED@a.test/x'],
    ['ftp://u:p@files.test/', 'ftp://u:REDACTED@files.test/'],
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it.each([
    'https://a.test/plain/path',
    'https://a.test/?page=2&sort=asc&state=ok',
    'https://a.test/?token_type=bearer&monkey=1&keyboard=2&codec=h264',
    'https://user@a.test/', // a user name without a password is not a secret
    'https://a.test:8443/p',
    'https://a.test/p?next=https://b.test:8080/x',
    'https://a.test/?flag&other=',
    'hello world',
    'not a url at all: key=value',
    'a=b&code=c', // no '?': not a query
    'max-age=3600',
    '',
    'about:blank',
    '%E0%A4%A',
  ])('leaves %j unchanged', (text) => {
    expect(redactUrl(text)).toBe(text);
  });

  it('keeps every other byte of the URL, including a malformed encoded name', () => {
    const url = 'https://a.test/p%20q/?%E0%A4%A=1&code=S&x=%ZZ#frag';
    expect(redactUrl(url)).toBe('https://a.test/p%20q/?%E0%A4%A=1&code=REDACTED&x=%ZZ#frag');
  });

  it('redacts every occurrence of a repeated parameter', () => {
    expect(redactUrl('https://a.test/?code=1&code=2')).toBe('https://a.test/?code=REDACTED&code=REDACTED');
    expect(redactUrl('https://a.test/?code=1=2')).toBe(`https://a.test/?code=${REDACTED}`);
  });

  it('isSecretParam knows the usual names and not their look-alikes', () => {
    for (const name of ['code', 'token', 'id_token', 'client_secret', 'password', 'api_key', 'SAMLResponse', 'sid'])
      expect(isSecretParam(name), name).toBe(true);
    for (const name of ['state', 'scope', 'redirect_uri', 'token_type', 'client_id', 'codes', 'page'])
      expect(isSecretParam(name), name).toBe(false);
  });
});

describe('headerAction', () => {
  // What it decides, read from the two sets alone (it skips names on their length first).
  const bySets = (name: string): string => {
    const lower = name.toLowerCase();
    if (SENSITIVE_HEADERS.has(lower)) return 'drop';
    if (URL_HEADERS.has(lower)) return lower === 'refresh' ? 'refresh' : 'url';
    return 'keep';
  };

  it('acts on every name of the two sets, in any case', () => {
    for (const name of [...SENSITIVE_HEADERS, ...URL_HEADERS]) {
      for (const written of [name, name.toUpperCase(), name.replace(/(^|-)[a-z]/g, (m) => m.toUpperCase())]) {
        expect(headerAction(written), written).toBe(bySets(written));
        expect(headerAction(written), written).not.toBe('keep');
      }
    }
  });

  it('keeps every other name, as the sets would', () => {
    const names = ['Host', 'Accept', 'Server', 'Cookie2', 'Set-Cookie2', 'Content-Type', 'X-Location', 'Referrer', 'K'];
    for (const name of names) expect(headerAction(name), name).toBe(bySets(name));
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (name) => {
        expect(headerAction(name)).toBe(bySets(name));
      }),
    );
  });
});

describe('sanitizeHeaders', () => {
  const headers = [
    { name: 'Cookie', value: 'sid=SECRET' },
    { name: 'set-cookie', value: 'sid=SECRET; HttpOnly' },
    { name: 'AUTHORIZATION', value: 'Bearer SECRET' },
    { name: 'Proxy-Authorization', value: 'Basic SECRET' },
    { name: 'Location', value: '/cb?code=SECRET&state=ok' },
    { name: 'Referer', value: 'https://idp.test/login?ticket=SECRET' },
    { name: 'Content-Location', value: 'https://a.test/r?token=SECRET' },
    { name: 'Refresh', value: '0; url=https://a.test/cb?code=SECRET&state=ok' },
    { name: 'X-Code', value: 'code=keep-me' },
    { name: 'Content-Type', value: 'text/html' },
  ];

  it('drops credential headers, redacts URL-valued ones, keeps the rest in order', () => {
    expect(sanitizeHeaders(headers)).toEqual([
      { name: 'Location', value: '/cb?code=REDACTED&state=ok' },
      { name: 'Referer', value: 'https://idp.test/login?ticket=REDACTED' },
      { name: 'Content-Location', value: 'https://a.test/r?token=REDACTED' },
      { name: 'Refresh', value: '0; url=https://a.test/cb?code=REDACTED&state=ok' },
      { name: 'X-Code', value: 'code=keep-me' },
      { name: 'Content-Type', value: 'text/html' },
    ]);
    expect(JSON.stringify(sanitizeHeaders(headers))).not.toContain('SECRET');
  });

  it.each([
    ["5;URL='https://a.test/?token=SECRET'", "5;URL='https://a.test/?token=REDACTED'"],
    ['3; url="https://a.test/#access_token=SECRET"', '3; url="https://a.test/#access_token=REDACTED"'],
    ['0;url=/next?session=SECRET&x=1', '0;url=/next?session=REDACTED&x=1'],
    ['10', '10'],
  ])('Refresh %j → %j (only the URL part)', (value, expected) => {
    expect(sanitizeHeaders([{ name: 'Refresh', value }])).toEqual([{ name: 'Refresh', value: expected }]);
  });

  it('does not change the headers it was given, and keeps extra fields', () => {
    const input = [{ name: 'Location', value: '/?code=SECRET', extra: 1 }];
    const out = sanitizeHeaders(input);
    expect(input[0]?.value).toBe('/?code=SECRET');
    expect(out).toEqual([{ name: 'Location', value: '/?code=REDACTED', extra: 1 }]);
  });
});
