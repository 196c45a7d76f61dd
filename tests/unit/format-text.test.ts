import { describe, expect, it } from 'vitest';
import type { AnalyzedChain as Chain } from '../../src/core/analyze/index.ts';
import { badges, outcomeLabel } from '../../src/core/present/labels.ts';
import { printable } from '../../src/core/present/text.ts';
import { formatChainTable } from '../../src/core/present/text-table.ts';
import { chainsOf, onlyChain, requestEvents, syntheticHstsPreload } from './helpers.ts';

const L = 'http://localhost:47801';

interface Row {
  n: string;
  status: string;
  method: string;
  kind: string;
  cache: string;
  url: string;
  /** The `→ target` line under a redirect row, '' when none. */
  target: string;
}

/** Reads the table back the way a user does: one row per hop, the redirect target below it. */
function rowsOf(table: string): Row[] {
  const lines = table.split('\n');
  const rows: Row[] = [];
  for (const line of lines) {
    if (/^\s+→ /.test(line)) {
      const last = rows.at(-1);
      if (!last) throw new Error(`target line before any row: ${line}`);
      last.target = line.trim().slice(2);
    } else if (/^ {2}\d+ {2,}/.test(line)) {
      const [n, status, method, kind, cache, , url] = line.trim().split(/ {2,}/);
      rows.push({
        n: n ?? '',
        status: status ?? '',
        method: method ?? '',
        kind: kind ?? '',
        cache: cache ?? '',
        url: url ?? '',
        target: '',
      });
    }
  }
  return rows;
}

const lastLine = (table: string) => table.split('\n').at(-1) ?? '';

describe('formatChainTable', () => {
  it('chain-3xx: one row per hop with status text, cache, URL and the target on the next line', () => {
    const table = formatChainTable(onlyChain('chain-3xx'));
    expect(table.split('\n')[0]).toBe(`GET ${L}/chain/start`);
    expect(rowsOf(table)).toEqual([
      {
        n: '1',
        status: '301 Moved Permanently',
        method: 'GET',
        kind: 'server',
        cache: 'cacheable (default)',
        url: `${L}/chain/start`,
        target: '/chain/2',
      },
      {
        n: '2',
        status: '302 Found',
        method: 'GET',
        kind: 'server',
        cache: 'not cacheable',
        url: `${L}/chain/2`,
        target: '/chain/3',
      },
      {
        n: '3',
        status: '303 See Other',
        method: 'GET',
        kind: 'server',
        cache: 'not cacheable',
        url: `${L}/chain/3`,
        target: '/chain/4',
      },
      {
        n: '4',
        status: '307 Temporary Redirect',
        method: 'GET',
        kind: 'server',
        cache: 'not cacheable',
        url: `${L}/chain/4`,
        target: '/chain/5',
      },
      {
        n: '5',
        status: '308 Permanent Redirect',
        method: 'GET',
        kind: 'server',
        cache: 'cacheable (default)',
        url: `${L}/chain/5`,
        target: '/chain/final',
      },
      {
        n: '6',
        status: '200 OK',
        method: 'GET',
        kind: 'server',
        cache: 'not cacheable',
        url: `${L}/chain/final`,
        target: '',
      },
    ]);
    expect(lastLine(table)).toMatch(/^ {2}5 redirects, completed with 200, \d+ ms$/);
  });

  it("post-303: the method column says 'POST → GET' and the summary says the method changed", () => {
    const table = formatChainTable(onlyChain('post-303'));
    const rows = rowsOf(table);
    expect(rows.map((r) => [r.status, r.method, r.target])).toEqual([
      ['303 See Other', 'POST → GET', '/echo'],
      ['200 OK', 'GET', ''],
    ]);
    expect(table.split('\n')[0]).toBe(`POST ${L}/post/303`);
    expect(lastLine(table)).toMatch(/1 redirect, completed with 200, .* · method changed$/);
  });

  it('loop: 20 rows and a last line that names the loop', () => {
    const chain = onlyChain('loop');
    const table = formatChainTable(chain);
    const rows = rowsOf(table);
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.status === '302 Found')).toBe(true);
    expect(rows.map((r) => r.target).slice(0, 2)).toEqual(['/loop/b', '/loop/a']);
    expect(lastLine(table)).toContain(
      '20 redirects, redirect loop: the browser gave up after 20 redirects (net::ERR_TOO_MANY_REDIRECTS; webRequest: net::ERR_ABORTED)',
    );
    expect(badges(chain)).toEqual(['loop', 'error']);
  });

  it("the HSTS hop reads 'internal (HSTS)', no cache column, the full https target", () => {
    for (const chain of [chainsOf('hsts-header')[1] as Chain, onlyChain(syntheticHstsPreload())]) {
      const [hsts, page] = rowsOf(formatChainTable(chain));
      expect(hsts).toMatchObject({ status: '307 Internal Redirect', kind: 'internal (HSTS)', cache: '—' });
      // Another scheme is another origin: the target is shown in full.
      expect(hsts?.target).toMatch(/^https:\/\//);
      expect(page).toMatchObject({ status: '200 OK', kind: 'server' });
    }
  });

  it("a cached redirect reads 'from cache'", () => {
    const [first, second] = chainsOf('cache-301') as [Chain, Chain];
    expect(rowsOf(formatChainTable(first))[0]?.cache).toBe('cacheable (default)');
    expect(rowsOf(formatChainTable(second))[0]?.cache).toBe('from cache');
    expect(lastLine(formatChainTable(second))).toContain('served from cache');
  });

  it('a cross-origin target is shown in full, with its host', () => {
    const rows = rowsOf(formatChainTable(onlyChain('cross-host')));
    expect(rows.map((r) => r.target)).toEqual(['http://b.test:47801/hop', `${L}/hop/final`, '']);
  });

  it('a failed hop reads failed, and the outcome names the error', () => {
    const chain = onlyChain('unreachable');
    const table = formatChainTable(chain);
    expect(rowsOf(table)[0]).toMatchObject({ status: 'failed', cache: '—', url: 'http://localhost:47899/' });
    expect(outcomeLabel(chain)).toBe('failed: net::ERR_CONNECTION_REFUSED');
  });
});

describe('no terminal escape passes through', () => {
  // ESC (CSI, OSC 8 hyperlink, title set), BEL, CR, C1 CSI, bidi overrides and isolates, line separators.
  const HOSTILE =
    '\u001b[2J\u001b]8;;https://evil.test\u0007click\u001b]8;;\u0007\r\u009b31m\u202egnp.exe\u2066\u2028x';
  // What a status line can carry (Chromium splits the head on CR/LF, so no line terminators).
  const HOSTILE_STATUS = '\u001b[2J\u001b]0;pwned\u0007 \u009b31m\u202eKO';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

  it('printable replaces every control and bidi character with a visible placeholder', () => {
    const out = printable(HOSTILE);
    expect(out).not.toMatch(UNSAFE);
    expect(out).toContain('\uFFFD[2J');
    expect(out).toContain('click');
    expect(printable('https://ok.test/ä?x=1')).toBe('https://ok.test/ä?x=1');
    expect(printable('a\nb\tc')).toBe('a\uFFFDb\uFFFDc');
  });

  it('a hostile URL, status text, target, internal reason and error are all neutralised in the table', () => {
    const chain = onlyChain(
      requestEvents({
        requestId: 'evil',
        error: `net::ERR_FAILED${HOSTILE}`,
        hops: [
          {
            url: `http://evil.test/${HOSTILE}`,
            internal: true,
            status: 307,
            statusLine: `HTTP/1.1 307 Internal${HOSTILE_STATUS}`,
            redirectUrl: `https://other.test/${HOSTILE}`,
            responseHeaders: [{ name: 'Non-Authoritative-Reason', value: `HSTS${HOSTILE}` }],
          },
          { url: `https://other.test/${HOSTILE}` },
        ],
      }),
    );
    expect(chain.hops[0]?.statusText).toContain('\u001b'); // the recorder keeps what it received
    const table = formatChainTable(chain);
    for (const line of table.split('\n')) expect(line).not.toMatch(UNSAFE);
    expect(table).toContain('internal (HSTS\uFFFD[2J');
    expect(table).toContain('307 Internal\uFFFD[2J\uFFFD]0;pwned\uFFFD \uFFFD31m\uFFFDKO');
    expect(lastLine(table)).toContain('failed: net::ERR_FAILED\uFFFD');
    // The number of lines is what the hops make, not what the hostile text asks for.
    expect(table.split('\n')).toHaveLength(6); // title, head, hop 1, its target, hop 2, summary;
    const titled = formatChainTable(chain, `title${HOSTILE}`);
    expect(titled.split('\n')[0]).not.toMatch(UNSAFE);
  });
});
