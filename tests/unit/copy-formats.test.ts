import { describe, expect, it } from 'vitest';
import type { AnalyzedChain as Chain, AnalyzedHop as Hop } from '../../src/core/analyze/index.ts';
import { hopAsCurl, shellQuote } from '../../src/core/present/curl.ts';
import { formatChainMarkdown, markdownCode } from '../../src/core/present/markdown.ts';
import { formatChainTable, formatChainTable as formatChainText } from '../../src/core/present/text-table.ts';
import { chainsOf, hopAt, onlyChain, requestEvents } from './helpers.ts';

const L = 'http://localhost:47801';

// ---------------------------------------------------------------------------------------------
// Reading the output back the way its consumer does

/**
 * A GFM table row split into cells the way cmark-gfm does: a `|` preceded by a backslash is
 * part of the cell (and loses the backslash), any other `|` separates cells.
 */
function gfmCells(row: string): string[] {
  const inner = row
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '');
  const cells: string[] = [];
  let cell = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '\\' && inner[i + 1] === '|') {
      cell += '|';
      i++;
    } else if (c === '|') {
      cells.push(cell.trim());
      cell = '';
    } else {
      cell += c;
    }
  }
  cells.push(cell.trim());
  return cells;
}

/** The text of a cell that is one code span (CommonMark §6.1), '' for an empty cell. */
function codeSpanText(cell: string): string {
  if (cell === '') return '';
  const m = /^(`+)(.*?)\1$/s.exec(cell);
  if (!m) throw new Error(`not one code span: ${cell}`);
  const body = m[2] ?? '';
  if (new RegExp(`(?<!\`)${m[1]}(?!\`)`).test(body)) throw new Error(`code span closes early: ${cell}`);
  return body.length > 1 && body.startsWith(' ') && body.endsWith(' ') ? body.slice(1, -1) : body;
}

function tableRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map(gfmCells);
}

/**
 * A tiny POSIX shell reader for what hopAsCurl produces: comment lines, words made of
 * single-quoted strings, backslash escapes and plain characters, `\` + newline continuations.
 * Anything a shell would treat as syntax outside quotes (`;`, `$`, a backtick, a second
 * command on a new line, …) throws: if a hostile value leaked out of its quotes, this fails.
 */
function shellWords(script: string): { comments: string[]; words: string[] } {
  const comments: string[] = [];
  const words: string[] = [];
  let word: string | undefined;
  let commandEnded = false;
  const end = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i] as string;
    if (c === "'") {
      const close = script.indexOf("'", i + 1);
      if (close < 0) throw new Error('unterminated quote');
      if (commandEnded) throw new Error('a second command');
      word = (word ?? '') + script.slice(i + 1, close);
      i = close;
    } else if (c === '\\') {
      const next = script[i + 1];
      if (next === '\n') {
        end();
        i++;
      } else if (next !== undefined) {
        word = (word ?? '') + next;
        i++;
      }
    } else if (c === ' ' || c === '\t') {
      end();
    } else if (c === '\n') {
      end();
      if (words.length) commandEnded = true;
    } else if (c === '#' && word === undefined) {
      const eol = script.indexOf('\n', i);
      comments.push(script.slice(i, eol < 0 ? script.length : eol));
      i = eol < 0 ? script.length : eol - 1;
    } else if (/[A-Za-z0-9_.=:/,+-]/.test(c)) {
      if (commandEnded) throw new Error('a second command');
      word = (word ?? '') + c;
    } else {
      throw new Error(
        `unquoted shell syntax ${JSON.stringify(c)} at ${i}: ${script.slice(Math.max(0, i - 20), i + 20)}`,
      );
    }
  }
  end();
  return { comments, words };
}

/** The -H values of a cURL argv. */
function headersOf(words: string[]): string[] {
  const out: string[] = [];
  words.forEach((w, i) => {
    if (w === '-H') out.push(words[i + 1] ?? '');
  });
  return out;
}

function hostileChain(url: string, target: string, statusLine = 'HTTP/1.1 302 Found'): Chain {
  return onlyChain(
    requestEvents({
      requestId: 'h',
      hops: [{ url, status: 302, statusLine, redirectUrl: target }, { url: target }],
    }),
  );
}

// ---------------------------------------------------------------------------------------------

describe('formatChainMarkdown', () => {
  it('chain-3xx: a GitHub table with one row per hop, URLs in code spans', () => {
    const md = formatChainMarkdown(onlyChain('chain-3xx'));
    const lines = md.split('\n');
    expect(lines[0]).toBe(`**GET** \`${L}/chain/start\``);
    expect(lines[1]).toBe('');
    const rows = tableRows(md);
    expect(rows[0]).toEqual(['#', 'Status', 'Method', 'URL', 'Target', 'Kind', 'Cache']);
    expect(rows[1]).toEqual(['--:', '---', '---', '---', '---', '---', '---']);
    expect(rows.slice(2)).toEqual([
      ['1', '301 Moved Permanently', 'GET', `\`${L}/chain/start\``, '`/chain/2`', 'server', 'cacheable (default)'],
      ['2', '302 Found', 'GET', `\`${L}/chain/2\``, '`/chain/3`', 'server', 'not cacheable'],
      ['3', '303 See Other', 'GET', `\`${L}/chain/3\``, '`/chain/4`', 'server', 'not cacheable'],
      ['4', '307 Temporary Redirect', 'GET', `\`${L}/chain/4\``, '`/chain/5`', 'server', 'not cacheable'],
      ['5', '308 Permanent Redirect', 'GET', `\`${L}/chain/5\``, '`/chain/final`', 'server', 'cacheable (default)'],
      ['6', '200 OK', 'GET', `\`${L}/chain/final\``, '', 'server', 'not cacheable'],
    ]);
    expect(lines.at(-1)).toMatch(/^5 redirects, completed with 200, \d+ ms$/);
  });

  it('post-303: the method cell shows the change', () => {
    const rows = tableRows(formatChainMarkdown(onlyChain('post-303')));
    expect(rows[2]?.[2]).toBe('POST → GET');
    expect(formatChainMarkdown(onlyChain('post-303')).split('\n').at(-1)).toMatch(/· method changed$/);
  });

  it('HSTS hop: internal kind with its reason, full target across origins', () => {
    const chain = chainsOf('hsts-header').at(-1) as Chain;
    const rows = tableRows(formatChainMarkdown(chain));
    expect(rows[2]).toEqual([
      '1',
      '307 Internal Redirect',
      'GET',
      '`http://sts.test:47801/sts/page`',
      '`https://sts.test:47801/sts/page`',
      'internal (HSTS)',
      '—',
    ]);
  });

  it('a URL with | and backticks stays one cell and reads back exactly', () => {
    const url = 'https://evil.test/a|b`c``d?q=|x`';
    const target = 'https://other.test/``|`';
    const md = formatChainMarkdown(hostileChain(url, target));
    for (const row of tableRows(md)) expect(row).toHaveLength(7);
    const row = tableRows(md)[2] ?? [];
    expect(codeSpanText(row[3] ?? '')).toBe(url);
    expect(codeSpanText(row[4] ?? '')).toBe(target);
  });

  it('Markdown in the status text is escaped and stays in its cell', () => {
    const md = formatChainMarkdown(
      hostileChain('https://a.test/', 'https://a.test/b', 'HTTP/1.1 302 *Found* | <img src=x> [x](y) $a$ \\'),
    );
    const row = tableRows(md)[2] ?? [];
    expect(row).toHaveLength(7);
    expect(row[1]).toBe('302 \\*Found\\* | \\<img src=x\\> \\[x\\](y) \\$a\\$ \\\\');
  });

  it('control characters never reach the output', () => {
    const chain = structuredClone(onlyChain('ok'));
    const hop = hopAt(chain, 0);
    hop.url = 'https://a.test/\u001b[2J\n| x |';
    const md = formatChainMarkdown(chain);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
    expect(md.replaceAll('\n', '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(tableRows(md)[2]).toHaveLength(7);
  });

  it('redacts secret URL parameters unless asked to include them', () => {
    const chain = hostileChain('https://idp.test/cb?code=s3cret&state=ok', 'https://app.test/?access_token=t0k');
    const md = formatChainMarkdown(chain);
    expect(md).not.toContain('s3cret');
    expect(md).not.toContain('t0k');
    expect(md).toContain('code=REDACTED&state=ok');
    const full = formatChainMarkdown(chain, { includeSensitive: true });
    expect(full).toContain('code=s3cret');
    expect(full).toContain('access_token=t0k');
  });
});

describe('markdownCode', () => {
  it.each([
    ['plain', '`plain`'],
    ['a`b', '``a`b``'],
    ['`x', '`` `x ``'],
    ['a|b', '`a\\|b`'],
    ['a\\|b', '`a\\\\|b`'],
    ['', ''],
  ])('%s → %s', (text, md) => {
    expect(markdownCode(text)).toBe(md);
  });

  it('reads back exactly through a GFM cell', () => {
    for (const text of ['a\\|b', '``', '` `', 'x``y`', '|||']) {
      const [cell] = gfmCells(`| ${markdownCode(text)} |`);
      expect(codeSpanText(cell ?? '')).toBe(text);
    }
  });
});

describe('formatChainText', () => {
  it('is the text table', () => {
    const chain = onlyChain('chain-3xx');
    expect(formatChainText(chain)).toBe(formatChainTable(chain));
  });
});

describe('hopAsCurl', () => {
  const getHop = () => hopAt(onlyChain('chain-3xx'), 0);

  it('a GET: the URL, the request headers, one hop only', () => {
    const hop = getHop();
    const { comments, words } = shellWords(hopAsCurl(hop));
    expect(comments).toEqual([]);
    expect(words.slice(0, 2)).toEqual(['curl', `${L}/chain/start`]);
    expect(words).not.toContain('-X');
    expect(words.slice(-3)).toEqual(['-i', '--max-redirs', '0']);
    expect(words).toContain('--compressed');
    const headers = headersOf(words);
    expect(headers).toContain('Upgrade-Insecure-Requests: 1');
    expect(headers.some((h) => h.startsWith('User-Agent: Mozilla/5.0'))).toBe(true);
    expect(headers.some((h) => /^accept-encoding:/i.test(h))).toBe(false);
    expect(headers).toHaveLength(hop.requestHeaders.length - 1);
  });

  it('renders one argument per line, continued with a backslash', () => {
    const lines = hopAsCurl(getHop()).split('\n');
    expect(lines[0]).toBe(`curl '${L}/chain/start' \\`);
    expect(lines[1]).toMatch(/^ {2}-H '[^']+' \\$/);
    expect(lines.at(-1)).toBe('  -i --max-redirs 0');
  });

  it('a POST: no -X, an empty --data-raw placeholder and a note that the body was not recorded', () => {
    const hop = hopAt(onlyChain('post-307'), 0);
    const { comments, words } = shellWords(hopAsCurl(hop));
    expect(comments).toEqual(['# request body not recorded: put it in the empty --data-raw below']);
    expect(words).not.toContain('-X');
    const data = words.indexOf('--data-raw');
    expect(data).toBeGreaterThan(0);
    expect(words[data + 1]).toBe('');
    expect(headersOf(words)).toContain('Content-Type: application/x-www-form-urlencoded');
    expect(headersOf(words)).toContain('Origin: null');
  });

  it.each([
    ['PUT', ['-X', 'PUT'], true],
    ['DELETE', ['-X', 'DELETE'], false],
    ['HEAD', ['--head'], false],
  ])('%s', (method, expected, body) => {
    const hop: Hop = { ...getHop(), method };
    const { words } = shellWords(hopAsCurl(hop));
    const at = words.indexOf(expected[0] as string);
    expect(words.slice(at, at + expected.length)).toEqual(expected);
    expect(words.includes('--data-raw')).toBe(body);
  });

  it('leaves out Host, Content-Length, Connection and pseudo-headers', () => {
    const hop: Hop = {
      ...getHop(),
      requestHeaders: [
        { name: ':authority', value: 'a.test' },
        { name: 'Host', value: 'a.test' },
        { name: 'Content-Length', value: '3' },
        { name: 'Connection', value: 'keep-alive' },
        { name: 'Accept', value: '*/*' },
      ],
    };
    expect(headersOf(shellWords(hopAsCurl(hop)).words)).toEqual(['Accept: */*']);
  });

  it('sanitized by default: no Cookie or Authorization, secrets in the URL and Referer redacted', () => {
    const hop: Hop = {
      ...getHop(),
      url: 'https://app.test/cb?code=abc123&state=ok',
      requestHeaders: [
        { name: 'Cookie', value: 'sid=topsecret' },
        { name: 'Authorization', value: 'Bearer xyz' },
        { name: 'Referer', value: 'https://idp.test/?access_token=leak' },
        { name: 'Accept', value: '*/*' },
      ],
    };
    const script = hopAsCurl(hop);
    expect(script).not.toContain('topsecret');
    expect(script).not.toContain('xyz');
    expect(script).not.toContain('abc123');
    expect(script).not.toContain('leak');
    const { comments, words } = shellWords(script);
    expect(words[1]).toBe('https://app.test/cb?code=REDACTED&state=ok');
    expect(headersOf(words)).toEqual(['Referer: https://idp.test/?access_token=REDACTED', 'Accept: */*']);
    expect(comments).toEqual([
      '# left out (sensitive): Cookie, Authorization',
      '# secret-looking URL parameters replaced by REDACTED',
    ]);

    const full = shellWords(hopAsCurl(hop, { includeSensitive: true }));
    expect(full.comments).toEqual([]);
    expect(full.words[1]).toBe('https://app.test/cb?code=abc123&state=ok');
    expect(headersOf(full.words)).toContain('Cookie: sid=topsecret');
    expect(headersOf(full.words)).toContain('Authorization: Bearer xyz');
  });

  it("a hostile URL with '; rm -rf ~; ' stays one argument", () => {
    const url = "https://evil.test/'; rm -rf ~; '$(id)`id`\"\\";
    const hop: Hop = { ...getHop(), url };
    const script = hopAsCurl(hop);
    const { words } = shellWords(script);
    expect(words[1]).toBe(url);
    expect(script).toContain(shellQuote(url));
  });

  it('hostile header names and values stay inside their -H argument', () => {
    const value = "x' ; touch /tmp/pwned ; echo '$(whoami) `id` \\'";
    const hop: Hop = {
      ...getHop(),
      requestHeaders: [
        { name: "X-Evil'", value },
        { name: 'X-Line', value: 'a\nb; reboot' },
      ],
    };
    const { words } = shellWords(hopAsCurl(hop));
    // A newline would end the command in a shell: it is neutralized like any control character.
    expect(headersOf(words)).toEqual([`X-Evil': ${value}`, 'X-Line: a\uFFFDb; reboot']);
  });

  it('an internal hop says the server never saw it', () => {
    const chain = chainsOf('hsts-header').at(-1) as Chain;
    const { comments, words } = shellWords(hopAsCurl(hopAt(chain, 0)));
    expect(comments).toContain('# this hop was made by the browser itself (HSTS): no server saw it');
    expect(words[1]).toBe('http://sts.test:47801/sts/page');
  });

  it('shellQuote', () => {
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
    expect(shellWords(`x ${shellQuote("'''")}`).words).toEqual(['x', "'''"]);
  });
});
