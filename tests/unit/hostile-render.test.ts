/**
 * HTML, script and terminal escape sequences recorded from a hostile server stay inert in every
 * text the core renders: the terminal table and explanations (no control character survives),
 * Markdown (nothing becomes a tag, a link or an image), cURL (a real shell sees only quoted words).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AnalyzedChain as Chain, AnalyzedHop as Hop } from '../../src/core/analyze/index.ts';
import { hopAsCurl } from '../../src/core/present/curl.ts';
import { explainChain, explainHop } from '../../src/core/present/explain/index.ts';
import { formatChainMarkdown } from '../../src/core/present/markdown.ts';
import { printable } from '../../src/core/present/text.ts';
import { formatChainTable, formatChainTable as formatChainText } from '../../src/core/present/text-table.ts';
import { chainsOf, requestEvents, UNSAFE, UNSAFE_EXCEPT_LF } from './helpers.ts';

const IMG = '<img src=x onerror=alert(1)>';
const JS = 'javascript:alert(1)';
const CLEAR = '\u001b[2J\u001b[H';
const OSC8 = '\u001b]8;;https://evil.test/\u0007click me\u001b]8;;\u0007';
const CSI8 = '\u009b31m';
const BIDI = '\u202egnp.exe';

const dir = mkdtempSync(join(tmpdir(), 'hopscope-hostile-'));
const MARKER = join(dir, 'pwned');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A chain whose every server-controlled string is hostile: URL, status text, headers, target, error, reason. */
function hostileChain(): Chain {
  const a = `https://a.test/${IMG}?next=${JS}&x=${CLEAR}`;
  const b = `https://b.test/${OSC8}/${BIDI}`;
  const c = `http://c.test/${CSI8}`;
  const events = requestEvents({
    requestId: '1',
    initiator: `https://evil.test/${IMG}`,
    hops: [
      {
        url: a,
        status: 302,
        statusLine: `HTTP/1.1 302 ${IMG}${CLEAR}`,
        redirectUrl: b,
        requestHeaders: [
          { name: 'User-Agent', value: `'; touch ${MARKER}; echo '` },
          { name: 'X-Sub', value: `$(touch ${MARKER})\`touch ${MARKER}\`` },
          { name: `X-${CLEAR}`, value: OSC8 },
        ],
        responseHeaders: [
          { name: 'Location', value: JS },
          { name: 'X-Evil', value: `${IMG}${CLEAR}${OSC8}` },
        ],
      },
      {
        url: b,
        status: 307,
        statusLine: 'HTTP/1.1 307 Internal Redirect',
        redirectUrl: c,
        internal: true,
        responseHeaders: [
          { name: 'Location', value: c },
          { name: 'Non-Authoritative-Reason', value: `${IMG}${CLEAR}` },
        ],
      },
      { url: c, requestHeaders: [{ name: 'Cookie', value: `a=${CLEAR}` }] },
    ],
    error: `net::ERR_FAILED${CLEAR}${IMG}`,
  });
  const [chain] = chainsOf(events);
  if (!chain) throw new Error('no chain recorded');
  return chain;
}

/** Markdown outside code spans: where CommonMark would find tags, links and images. */
function outsideCodeSpans(line: string): string {
  return line.replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, '');
}

/** Runs a cURL command in bash with `curl` replaced by printf: one line per argument bash sees. */
function bashWords(command: string): string[] {
  const script = command.replace(/^curl /m, "printf '%s\\n' ");
  const out = execFileSync('bash', ['-c', script], { encoding: 'utf8' });
  return out.split('\n').slice(0, -1);
}

describe('hostile strings render inert', () => {
  const chain = hostileChain();

  it('the recording kept the hostile strings as they came (so rendering is what is tested)', () => {
    const [first, second, third] = chain.hops as [Hop, Hop, Hop];
    expect(first.url).toContain(IMG);
    expect(first.statusText).toContain('\u001b[2J');
    expect(second.internalReason).toContain(IMG);
    expect(third.error).toContain('\u001b');
  });

  it('terminal table: no control character, no OSC 8 hyperlink, no bidi override survives', () => {
    for (const text of [formatChainTable(chain), formatChainText(chain), formatChainTable(chain, OSC8)]) {
      expect(text).not.toMatch(UNSAFE_EXCEPT_LF);
      expect(text).not.toContain('\u001b');
      expect(text).not.toContain('\u0007');
      expect(text).not.toContain('\u009b');
      expect(text).not.toContain('\u202e');
      // Replaced by a visible placeholder, not silently dropped: the user sees something was there.
      expect(text).toContain('\uFFFD[2J');
    }
    expect(printable(CLEAR)).toBe('\uFFFD[2J\uFFFD[H');
  });

  it('explanations: every line printable', () => {
    const lines = [explainChain(chain), ...chain.hops.map((hop) => explainHop(chain, hop))].flatMap((e) => [
      e.headline,
      ...e.points,
    ]);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(line).not.toMatch(UNSAFE);
  });

  it('Markdown: no raw tag, link or image outside code spans; no control characters', () => {
    for (const includeSensitive of [false, true]) {
      const md = formatChainMarkdown(chain, { includeSensitive });
      expect(md).not.toMatch(UNSAFE_EXCEPT_LF);
      for (const line of md.split('\n')) {
        const text = outsideCodeSpans(line);
        // `<` opens HTML or an autolink, `[`/`]` a link or image, `!` before `[` an image: each escaped.
        expect(text, line).not.toMatch(/(?<!\\)[<>[\]]/);
        expect(text, line).not.toMatch(/(?<!\\)!\\?\[/);
      }
      // The hostile URL is there, as code.
      expect(md).toContain(`\`https://a.test/${IMG}`);
    }
  });

  it('cURL: bash sees only the quoted words; nothing in a URL or header runs', () => {
    for (const hop of chain.hops) {
      for (const includeSensitive of [false, true]) {
        const command = hopAsCurl(hop, { includeSensitive });
        expect(command).not.toMatch(UNSAFE_EXCEPT_LF);
        const words = bashWords(command);
        // The URL is the first word, exactly as printed.
        expect(words[0]).toBe(printable(hop.url));
        for (const h of hop.requestHeaders) {
          const sensitive = !includeSensitive && /^(cookie|authorization)$/i.test(h.name);
          const arg = printable(`${h.name}: ${h.value}`);
          if (sensitive) expect(words).not.toContain(arg);
          else expect(words).toContain(arg);
        }
      }
    }
    expect(existsSync(MARKER)).toBe(false);
  });
});
