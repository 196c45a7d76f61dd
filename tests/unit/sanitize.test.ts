/**
 * The sanitizer of any HAR (src/core/har/sanitize.ts): secrets replaced by keyed hashes that keep
 * their correlation, JWT and SAML signatures dropped, `--keep` / `--redact`, the names inventory.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chainsToHar } from '../../src/core/har/export.ts';
import { importHar } from '../../src/core/har/import/index.ts';
import { redactUrl } from '../../src/core/har/redact.ts';
import { SecretScanner } from '../../src/core/har/sanitize/scan.ts';
import { hex, hmacSha256Hex, sha256, utf8 } from '../../src/core/har/sanitize/sha256.ts';
import { binaryToBase64, samlWithoutSignature } from '../../src/core/har/sanitize/tokens.ts';
import {
  HASH_PREFIX,
  keyedHash,
  NameInventory,
  NamePolicy,
  SANITIZED_COMMENT,
  type SanitizerOptions,
  sanitizeHar,
} from '../../src/core/har/sanitize.ts';
import { assertValidHar } from '../support/har-validator.ts';
import { factsOf, requestEvents } from './helpers.ts';

const KEY = Uint8Array.from({ length: 32 }, (_, i) => i);
const options = (extra: Partial<SanitizerOptions> = {}): SanitizerOptions => ({ hash: keyedHash(KEY), ...extra });
const HASHED = /^REDACTED:[0-9a-f]{12}$/;

/** A signed JWT: {"alg":"HS256","typ":"JWT"} . {"sub":"1234567890","name":"Ann"} . signature. */
const JWT_HEAD = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkFubiJ9';
const JWT_SIG = 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const JWT = `${JWT_HEAD}.${JWT_SIG}`;

const SAML_XML =
  '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><saml:Assertion><saml:Subject>ann@example.test</saml:Subject>' +
  '<ds:Signature><ds:SignedInfo><ds:DigestValue>d1g3st</ds:DigestValue></ds:SignedInfo>' +
  '<ds:SignatureValue>SAMLSIGNATURESECRETVALUE0123</ds:SignatureValue></ds:Signature></saml:Assertion></samlp:Response>';
const SAML = binaryToBase64(SAML_XML);

/** Every secret of the fixture below: none may be left anywhere in the sanitized text. */
const SECRETS = [
  'SESSIONVALUE42',
  'CSRFVALUE77',
  'shortpw',
  'BASICCREDS99',
  'PROXYCREDS99',
  'APIKEY123456',
  'OAUTHCODE0001',
  'ACCESSTOKEN01',
  'FRAGTOKEN0001',
  'REFERERCODE01',
  'REFRESHTOKEN1',
  'CONTENTLOCTOKEN1',
  'hunter2',
  'JSONPASSWORD9',
  'MULTIPARTPW1',
  'USERPASS5',
  JWT_SIG,
  'SAMLSIGNATURESECRETVALUE0123',
  'BODYTOKEN7777X',
  'pw',
];

// biome-ignore lint/suspicious/noExplicitAny: HAR documents walked freely in tests
type Any = any;

function secretHar(): Any {
  return {
    log: {
      version: '1.2',
      creator: { name: 'WebInspector', version: '537.36' },
      pages: [
        {
          id: 'page_1',
          startedDateTime: '2026-01-01T00:00:00.000Z',
          title: 'https://app.test/cb?code=OAUTHCODE0001&state=ok',
          pageTimings: { onContentLoad: -1, onLoad: -1 },
        },
      ],
      entries: [
        {
          pageref: 'page_1',
          startedDateTime: '2026-01-01T00:00:00.000Z',
          time: 10,
          request: {
            method: 'POST',
            url: 'https://USER:USERPASS5@idp.test/login?access_token=ACCESSTOKEN01&lang=en#id_token=FRAGTOKEN0001',
            httpVersion: 'HTTP/1.1',
            cookies: [{ name: 'sid', value: 'SESSIONVALUE42' }],
            headers: [
              { name: 'Cookie', value: 'sid=SESSIONVALUE42; csrf=CSRFVALUE77; p=pw' },
              { name: 'Authorization', value: `Bearer ${JWT}` },
              { name: 'Proxy-Authorization', value: 'Basic PROXYCREDS99' },
              { name: 'X-Api-Key', value: 'APIKEY123456' },
              { name: 'Referer', value: 'https://app.test/start?ticket=REFERERCODE01' },
              { name: 'Accept', value: 'text/html' },
            ],
            queryString: [
              { name: 'access_token', value: 'ACCESSTOKEN01' },
              { name: 'lang', value: 'en' },
            ],
            postData: {
              mimeType: 'application/x-www-form-urlencoded',
              params: [
                { name: 'user', value: 'ann' },
                { name: 'password', value: 'hunter2' },
                { name: 'SAMLResponse', value: SAML },
              ],
              text: `user=ann&password=hunter2&SAMLResponse=${encodeURIComponent(SAML)}`,
            },
            headersSize: -1,
            bodySize: -1,
          },
          response: {
            status: 302,
            statusText: 'Found',
            httpVersion: 'HTTP/1.1',
            cookies: [{ name: 'sid', value: 'SESSIONVALUE42', path: '/', httpOnly: true }],
            headers: [
              { name: 'Set-Cookie', value: 'sid=SESSIONVALUE42; Path=/; HttpOnly\ncsrf=CSRFVALUE77; Secure' },
              { name: 'Location', value: '/cb?code=OAUTHCODE0001&state=ok' },
              { name: 'Refresh', value: '0; url=https://app.test/r?refresh_token=REFRESHTOKEN1' },
              { name: 'Content-Location', value: 'https://app.test/x?token=CONTENTLOCTOKEN1' },
              { name: 'Content-Type', value: 'text/html' },
            ],
            content: {
              size: 80,
              mimeType: 'text/html',
              text: '<a href="https://app.test/cb?code=OAUTHCODE0001">go</a> session SESSIONVALUE42 BODYTOKEN7777X',
            },
            redirectURL: 'https://app.test/cb?code=OAUTHCODE0001&state=ok',
            headersSize: -1,
            bodySize: -1,
          },
          cache: {},
          timings: { send: 0, wait: 10, receive: 0 },
          _initiator: { type: 'other', url: 'https://app.test/start?ticket=REFERERCODE01' },
        },
        {
          startedDateTime: '2026-01-01T00:00:01.000Z',
          time: 10,
          request: {
            method: 'POST',
            url: 'https://api.test/v1/login',
            httpVersion: 'HTTP/2',
            cookies: [],
            headers: [{ name: 'x-auth-token', value: 'BODYTOKEN7777X' }],
            queryString: [],
            postData: { mimeType: 'application/json', text: '{"user": "ann", "password": "JSONPASSWORD9", "n": 1}' },
            headersSize: -1,
            bodySize: -1,
          },
          response: {
            status: 200,
            statusText: 'OK',
            httpVersion: 'HTTP/2',
            cookies: [],
            headers: [],
            content: { size: 0, mimeType: 'application/json', text: '{"access_token": "ACCESSTOKEN01"}' },
            redirectURL: '',
            headersSize: -1,
            bodySize: -1,
          },
          cache: {},
          timings: { send: 0, wait: 10, receive: 0 },
        },
        {
          startedDateTime: '2026-01-01T00:00:02.000Z',
          time: 10,
          request: {
            method: 'POST',
            url: 'https://api.test/upload',
            httpVersion: 'HTTP/1.1',
            cookies: [],
            headers: [],
            queryString: [],
            postData: {
              mimeType: 'multipart/form-data; boundary=XX',
              text: '--XX\r\nContent-Disposition: form-data; name="password"\r\n\r\nMULTIPARTPW1\r\n--XX\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--XX--\r\n',
            },
            headersSize: -1,
            bodySize: -1,
          },
          response: {
            status: 204,
            statusText: 'No Content',
            httpVersion: 'HTTP/1.1',
            cookies: [],
            headers: [],
            content: { size: 0, mimeType: 'x-unknown' },
            redirectURL: '',
            headersSize: -1,
            bodySize: -1,
          },
          cache: {},
          timings: { send: 0, wait: 10, receive: 0 },
        },
      ],
    },
  };
}

describe('SHA-256 and HMAC (pure, for the panel)', () => {
  it('give the digests node:crypto gives', () => {
    for (const text of ['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64), 'é😀\ud800x', 'x'.repeat(1000)]) {
      expect(hex(sha256(utf8(text)))).toBe(createHash('sha256').update(text).digest('hex'));
      for (const key of [randomBytes(32), randomBytes(100), new Uint8Array(0)]) {
        expect(hmacSha256Hex(key, text)).toBe(createHmac('sha256', key).update(text).digest('hex'));
      }
    }
  });
});

describe('sanitizeHar', () => {
  const out = sanitizeHar(secretHar(), options()) as Any;
  const text = JSON.stringify(out);
  const [first, second, third] = out.log.entries as Any[];
  const header = (list: Any[], name: string) => list.find((h: Any) => h.name === name)?.value as string;

  it('leaves no secret value anywhere: headers, cookies, URLs, postData, redirectURL, Location, Referer, bodies', () => {
    for (const secret of SECRETS) {
      if (secret === 'pw') continue; // too short to look for as text; checked where it was
      expect(text, secret).not.toContain(secret);
    }
    expect(header(first.request.headers, 'Cookie')).not.toMatch(/p=pw/);
  });

  it('keeps correlation: one cookie value, one hash, wherever it appears', () => {
    const cookieHeader = header(first.request.headers, 'Cookie');
    const sid = /sid=([^;]+)/.exec(cookieHeader)?.[1];
    expect(sid).toMatch(HASHED);
    expect(first.request.cookies[0].value).toBe(sid);
    expect(first.response.cookies[0].value).toBe(sid);
    expect(header(first.response.headers, 'Set-Cookie')).toBe(
      `sid=${sid}; Path=/; HttpOnly\ncsrf=${/csrf=([^;]+)/.exec(cookieHeader)?.[1]}; Secure`,
    );
    expect(first.response.content.text).toContain(`session ${sid}`);
    // Another value, another hash; the same token in a URL, a queryString and a JSON body: one hash.
    expect(/csrf=([^;]+)/.exec(cookieHeader)?.[1]).not.toBe(sid);
    const token = /access_token=([^&#]+)/.exec(first.request.url)?.[1];
    expect(token).toMatch(HASHED);
    expect(first.request.queryString[0].value).toBe(token);
    expect(JSON.parse(second.response.content.text).access_token).toBe(token);
    // A token sent in a header and seen in a body.
    expect(header(second.request.headers, 'x-auth-token')).toBe(first.response.content.text.split(' ').at(-1));
  });

  it('keeps names, attributes, schemes and everything that is no secret', () => {
    expect(header(first.request.headers, 'Accept')).toBe('text/html');
    expect(first.request.url).toMatch(/^https:\/\/USER:REDACTED:[0-9a-f]{12}@idp\.test\/login\?access_token=REDACTED:/);
    expect(first.request.url).toMatch(/&lang=en#id_token=REDACTED:[0-9a-f]{12}$/);
    expect(header(first.request.headers, 'Proxy-Authorization')).toMatch(/^Basic REDACTED:[0-9a-f]{12}$/);
    expect(header(first.request.headers, 'X-Api-Key')).toMatch(HASHED);
    expect(header(first.response.headers, 'Location')).toMatch(/^\/cb\?code=REDACTED:[0-9a-f]{12}&state=ok$/);
    expect(first.response.redirectURL).toBe(`https://app.test${header(first.response.headers, 'Location')}`);
    expect(header(first.response.headers, 'Refresh')).toMatch(
      /^0; url=https:\/\/app\.test\/r\?refresh_token=REDACTED:/,
    );
    expect(header(first.request.headers, 'Referer')).toMatch(/\?ticket=REDACTED:/);
    expect(first._initiator.url).toBe(header(first.request.headers, 'Referer'));
    expect(out.log.pages[0].title).toBe(first.response.redirectURL);
    expect(first.request.postData.params[0]).toEqual({ name: 'user', value: 'ann' });
    expect(first.request.postData.text).toMatch(/^user=ann&password=REDACTED:[0-9a-f]{12}&SAMLResponse=/);
    expect(first.request.postData.params[1].value).toBe(/password=([^&]+)/.exec(first.request.postData.text)?.[1]);
    expect(JSON.parse(second.request.postData.text)).toEqual({
      user: 'ann',
      password: expect.stringMatching(HASHED),
      n: 1,
    });
    expect(third.request.postData.text).toMatch(/name="password"\r\n\r\nREDACTED:[0-9a-f]{12}\r\n/);
    expect(third.request.postData.text).toContain('name="note"\r\n\r\nhello\r\n');
    for (const key of ['status', 'statusText', 'httpVersion', 'headersSize', 'bodySize']) {
      expect(first.response[key]).toEqual(secretHar().log.entries[0].response[key]);
    }
    expect(first.timings).toEqual(secretHar().log.entries[0].timings);
    expect(out.log.creator).toEqual({ name: 'WebInspector', version: '537.36' });
    expect(out.log.comment).toBe(SANITIZED_COMMENT);
  });

  it('keeps a JWT without its signature, and a SAML response without its signature values', () => {
    expect(header(first.request.headers, 'Authorization')).toBe(`Bearer ${JWT_HEAD}.REDACTED`);
    const saml = first.request.postData.params[2].value as string;
    const xml = Buffer.from(saml, 'base64').toString('latin1');
    expect(xml).toContain('<ds:SignatureValue>REDACTED</ds:SignatureValue>');
    expect(xml).toContain('<saml:Subject>ann@example.test</saml:Subject>');
    expect(xml).toBe(SAML_XML.replace('SAMLSIGNATURESECRETVALUE0123', 'REDACTED'));
    // The form text carries it percent-encoded, stripped the same way.
    expect(decodeURIComponent(/SAMLResponse=(.*)$/.exec(first.request.postData.text)?.[1] ?? '')).toBe(saml);
    // An unsigned JWT (alg none) is usable as it is: hashed whole. A deflated SAML request: hashed whole.
    const unsigned = `${JWT_HEAD}.`;
    const doc = secretHar();
    (doc.log.entries[0]?.request.headers[1] as Any).value = `Bearer ${unsigned}`;
    const again = sanitizeHar(doc, options()) as Any;
    expect(header(again.log.entries[0].request.headers, 'Authorization')).toMatch(/^Bearer REDACTED:[0-9a-f]{12}$/);
    expect(samlWithoutSignature('fZBBT8MwDIXv')).toBeUndefined();
  });

  it('finds JWTs in any text, and leaves dotted words alone', () => {
    const doc = secretHar();
    (doc.log.entries[1]?.response.content as Any).text = `{"note": "see ${JWT} and eyewear.example.community"}`;
    const out2 = sanitizeHar(doc, options()) as Any;
    expect(JSON.parse(out2.log.entries[1].response.content.text).note).toBe(
      `see ${JWT_HEAD}.REDACTED and eyewear.example.community`,
    );
  });

  it('hashes with the key of the run: another key, other hashes; the same key, the same file', () => {
    const other = JSON.stringify(sanitizeHar(secretHar(), { hash: keyedHash(randomBytes(32)) }));
    const sid = (s: string) => /sid=(REDACTED:[0-9a-f]{12})/.exec(s)?.[1];
    expect(sid(other)).toMatch(/^REDACTED:/);
    expect(sid(other)).not.toBe(sid(text));
    expect(JSON.stringify(sanitizeHar(secretHar(), options()))).toBe(text);
    // Node's HMAC gives the panel's hashes.
    const node = (v: string) => createHmac('sha256', KEY).update(v).digest('hex');
    expect(JSON.stringify(sanitizeHar(secretHar(), { hash: node }))).toBe(text);
  });

  it('is stable: a sanitized file sanitized again stays the same', () => {
    const twice = sanitizeHar(out, { hash: keyedHash(randomBytes(32)) }) as Any;
    expect(twice).toEqual(out);
  });

  it('does not change its input', () => {
    const doc = secretHar();
    const before = JSON.stringify(doc);
    sanitizeHar(doc, options());
    expect(JSON.stringify(doc)).toBe(before);
  });

  it('--keep leaves a name as it is; --redact hashes one more', () => {
    const kept = sanitizeHar(secretHar(), options({ keep: ['csrf', 'Authorization', 'lang', 'code'] })) as Any;
    const e = kept.log.entries[0];
    expect(header(e.request.headers, 'Cookie')).toMatch(/^sid=REDACTED:[0-9a-f]{12}; csrf=CSRFVALUE77; p=REDACTED:/);
    expect(header(e.request.headers, 'Authorization')).toBe(`Bearer ${JWT}`);
    expect(header(e.response.headers, 'Location')).toBe('/cb?code=OAUTHCODE0001&state=ok');
    const redacted = sanitizeHar(secretHar(), options({ redact: ['Accept', 'user', 'state'] })) as Any;
    const r = redacted.log.entries[0];
    expect(header(r.request.headers, 'Accept')).toMatch(HASHED);
    expect(r.request.postData.params[0].value).toMatch(HASHED);
    expect(JSON.parse(redacted.log.entries[1].request.postData.text).user).toMatch(HASHED);
    expect(header(r.response.headers, 'Location')).toMatch(/&state=REDACTED:/);
    expect(new NamePolicy({ keep: ['a'], redact: ['A'] }).conflicts()).toEqual(['a']);
  });

  it('refuses what is not a HAR, as the import does', () => {
    expect(() => sanitizeHar([1], options())).toThrow(/is JSON but not a HAR/);
    expect(() => sanitizeHar({ log: {} }, options())).toThrow(/no log.entries array/);
  });

  it('keeps the order of members and adds its comment after those of the file', () => {
    const doc = { x: 1, log: { entries: [], version: '1.2', comment: 'from the tool' }, y: 2 };
    const out2 = sanitizeHar(doc, options());
    expect(Object.keys(out2)).toEqual(['x', 'log', 'y']);
    expect(Object.keys(out2.log)).toEqual(['entries', 'version', 'comment']);
    expect(out2.log.comment).toBe(`from the tool\n${SANITIZED_COMMENT}`);
  });
});

describe("Hopscope's own export, hashed (the panel's choice)", () => {
  function chains() {
    return factsOf(
      requestEvents({
        requestId: '1',
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
    );
  }

  it('validates as HAR 1.2, reads back as the same chain, and holds no secret', () => {
    const har = sanitizeHar(chainsToHar(chains(), { includeSensitive: true }), options()) as Any;
    assertValidHar(har);
    const text = JSON.stringify(har);
    for (const secret of ['OAUTHCODE0001', 'SESSIONVALUE42']) expect(text).not.toContain(secret);
    // The finding sentences quote URLs: hashed the same way.
    const imported = importHar(text);
    expect(imported.chains).toHaveLength(1);
    expect(imported.chains[0]?.hops.map((h) => h.url)).toEqual(har.log.entries.map((e: Any) => e.request.url));
    expect(imported.chains[0]?.hops[1]?.url).toMatch(/\/cb\?code=REDACTED:[0-9a-f]{12}&state=ok$/);
  });
});

describe('SecretScanner', () => {
  it('replaces every known value, longest first, in one pass', () => {
    const scanner = new SecretScanner();
    for (const v of ['ABCDEFGH12', 'ABCDEFGH1234', 'short', 'ZZZZZZZZZ']) scanner.add(v);
    expect(scanner.size).toBe(3);
    const text = 'x ABCDEFGH1234 y ABCDEFGH12 ZZZZZZZZZZ short ABCDEFG';
    expect(scanner.replace(text, (v) => `<${v.length}>`)).toBe('x <12> y <10> <9>Z short ABCDEFG');
    expect(scanner.replace('nothing here at all', () => '!')).toBe('nothing here at all');
  });
});

describe('redactUrl with a Redaction', () => {
  it('keeps its default, and takes other names and replacements', () => {
    expect(redactUrl('https://a.test/?code=1&x=2')).toBe('https://a.test/?code=REDACTED&x=2');
    const how = { isSecret: (n: string) => n === 'x', replace: (v: string) => `<${v}>` };
    expect(redactUrl('https://u:p@a.test/p;jsessionid=S?code=1&x=2#x=3', how)).toBe(
      'https://u:<p>@a.test/p;jsessionid=S?code=1&x=<2>#x=<3>',
    );
  });
});

describe('NameInventory (--list)', () => {
  it('counts header, cookie, query and form names, and says what happens to each', () => {
    const inventory = new NameInventory();
    for (const entry of secretHar().log.entries) inventory.add(entry);
    const rows = inventory.rows(new NamePolicy({ keep: ['lang'] }));
    const row = (kind: string, name: string) => rows.find((r) => r.kind === kind && r.name === name);
    expect(inventory.entries).toBe(3);
    expect(row('header', 'cookie')).toEqual({ kind: 'header', name: 'cookie', count: 1, action: 'hash' });
    expect(row('header', 'accept')?.action).toBe('-');
    expect(row('header', 'location')?.action).toBe('url');
    expect(row('header', 'x-auth-token')?.action).toBe('hash');
    // Request cookies from the cookies array (one), response cookies from its array (one).
    expect(row('cookie', 'sid')?.count).toBe(2);
    expect(row('query', 'access_token')).toEqual({ kind: 'query', name: 'access_token', count: 1, action: 'hash' });
    expect(row('query', 'lang')?.action).toBe('keep');
    expect(row('form', 'password')?.action).toBe('hash');
    expect(row('form', 'user')?.action).toBe('-');
    expect(rows.map((r) => r.kind)).toEqual([...rows.map((r) => r.kind)].sort((a, b) => order(a) - order(b)));
  });
});

function order(kind: string): number {
  return ['header', 'cookie', 'query', 'form'].indexOf(kind);
}

it('HASH_PREFIX is what the README documents', () => {
  expect(HASH_PREFIX).toBe('REDACTED:');
});
