/**
 * present/ as the one vocabulary: counted nouns, a chain's total time, the badge list shared by
 * the panel chips and the text outputs, and the network-error catalogue shared by the
 * explanations and `hopscope trace`.
 */
import { describe, expect, it } from 'vitest';
import { problemLine } from '../../src/cli/trace.ts';
import type { AnalyzedChain as Chain, ChainSummary } from '../../src/core/analyze/index.ts';
import { FILTER_HELP } from '../../src/core/filter/filter.ts';
import { chainDuration, durationLabel } from '../../src/core/present/duration.ts';
import { describeNetError } from '../../src/core/present/explain/index.ts';
import { badges, badgeTitle, CHAIN_BADGES, chainSummaryLabel } from '../../src/core/present/labels.ts';
import { plural, pluralWord } from '../../src/core/present/plural.ts';
import { chainsOf, FIXTURES, onlyChain, requestEvents, syntheticHstsPreload } from './helpers.ts';

describe('plural', () => {
  it('one, zero, many', () => {
    expect(plural(1, 'redirect')).toBe('1 redirect');
    expect(plural(0, 'redirect')).toBe('0 redirects');
    expect(plural(2, 'redirect')).toBe('2 redirects');
  });

  it('irregular nouns and whole phrases', () => {
    expect(plural(1, 'entry')).toBe('1 entry');
    expect(plural(3, 'entry')).toBe('3 entries');
    expect(plural(2, 'more entry was', 'more entries were')).toBe('2 more entries were');
    expect(pluralWord(1, 'it keeps its', 'they keep their')).toBe('it keeps its');
    expect(pluralWord(5, 'it keeps its', 'they keep their')).toBe('they keep their');
  });

  it('groups thousands', () => {
    expect(plural(60_001, 'entry')).toBe('60,001 entries');
  });
});

describe('chainDuration', () => {
  const hop = (startTime: number, endTime: number) => ({ startTime, endTime });

  it('an ended chain: from its start to its end', () => {
    expect(chainDuration({ startTime: 1000, endTime: 1250, hops: [hop(1000, 1100), hop(1100, 1240)] })).toBe(250);
  });

  it('a chain under way with hops: up to its latest event, or to now when given', () => {
    const chain = { startTime: 1000, hops: [hop(1000, 1100), hop(1100, 1180)] };
    expect(chainDuration(chain)).toBe(180);
    expect(chainDuration(chain, 1500)).toBe(500);
  });

  it('a chain whose only request is under way is not 0 ms', () => {
    const chain = { startTime: 1000, hops: [hop(1000, 1040)], pending: { startTime: 1300 } };
    expect(chainDuration(chain)).toBe(300);
    expect(chainDuration({ startTime: 1000, hops: [], pending: { startTime: 1000 } }, 1900)).toBe(900);
  });

  it('the text outputs use it', () => {
    const chain = onlyChain('chain-3xx');
    expect(chainSummaryLabel(chain)).toBe(`5 redirects, completed with 200, ${durationLabel(chainDuration(chain))}`);
  });
});

describe('CHAIN_BADGES', () => {
  const flags = (Object.keys(onlyChain('ok').summary) as Array<keyof ChainSummary>).filter((k) => k !== 'redirects');

  it('has one badge per flag of the summary, each once', () => {
    expect(CHAIN_BADGES.map((b) => b.key).sort()).toEqual([...flags].sort());
  });

  it('badges() is the text of the badges a chain shows, in the same order', () => {
    const chains = [...FIXTURES.flatMap((f) => chainsOf(f)), onlyChain(syntheticHstsPreload())];
    for (const chain of chains) {
      const shown = CHAIN_BADGES.filter((b) => chain.summary[b.key]);
      expect(badges(chain)).toEqual(shown.map((b) => b.text));
    }
    const all = structuredClone(onlyChain('ok')) as Chain;
    for (const k of flags) (all.summary as unknown as Record<string, boolean>)[k] = true;
    expect(badges(all)).toEqual(CHAIN_BADGES.map((b) => b.text));
  });

  it('the panel chip names HSTS when the browser upgraded, else says internal', () => {
    const internal = CHAIN_BADGES.find((b) => b.key === 'internal');
    expect(internal?.label(onlyChain(syntheticHstsPreload()))).toBe('HSTS');
    const other = structuredClone(onlyChain(syntheticHstsPreload()));
    for (const h of other.hops) if (h.internalReason) h.internalReason = 'Delegate';
    expect(internal?.label(other)).toBe('internal');
  });

  it('error means what analyze/summary means: a network error or a final 4xx/5xx', () => {
    expect(badgeTitle('error')).toMatch(/network error.*4xx\/5xx/);
  });

  it('the is: filters are explained with the badge meanings', () => {
    const help = new Map(FILTER_HELP.map((h) => [h.syntax, h.meaning]));
    expect(help.get('is:loop')).toBe('a URL repeats, or the browser gave up after 20 redirects');
    expect(help.get('is:error')).toMatch(/^a finding of severity error/);
    expect(help.get('is:downgrade')?.toLowerCase()).toBe(badgeTitle('downgrade').toLowerCase());
    expect(help.get('is:cross-origin')?.toLowerCase()).toBe(badgeTitle('crossOrigin').toLowerCase());
  });
});

describe('describeNetError', () => {
  it('a known code: words and what to do', () => {
    const d = describeNetError('net::ERR_CONNECTION_REFUSED');
    expect(d.short).toBe('connection refused');
    expect(d.long).toContain('nothing accepted the connection');
    expect(d.advice).toBe('nothing is listening there: check the host and port, or start the server');
    expect(describeNetError('ERR_CONNECTION_REFUSED')).toEqual(d);
  });

  it('a certificate error: why, and advice where there is some', () => {
    const untrusted = describeNetError('net::ERR_CERT_AUTHORITY_INVALID');
    expect(untrusted.short).toBe('certificate rejected');
    expect(untrusted.long).toContain('not issued by an authority this browser trusts');
    expect(untrusted.advice).toContain('--ignore-certificate-errors-spki-list');
    const expired = describeNetError('net::ERR_CERT_DATE_INVALID');
    expect(expired.long).toContain('expired');
    expect(expired.advice).toBeUndefined();
  });

  it('an unknown code is kept raw and printable, with no advice', () => {
    const d = describeNetError('NS_ERROR_SOMETHING\u001b[2J');
    expect(d.short).toBe('NS_ERROR_SOMETHING\uFFFD[2J');
    expect(d.long).toBe('The network error NS_ERROR_SOMETHING\uFFFD[2J ended the request.');
    expect(d.advice).toBeUndefined();
  });

  it('hopscope trace ends its report with the same advice', () => {
    const result = (error: string) => ({
      target: { url: 'http://a.test/' },
      chains: [onlyChain(requestEvents({ requestId: 'x', error, hops: [{ url: 'http://a.test/' }] }))],
    });
    expect(problemLine(result('net::ERR_UNSAFE_PORT'))).toBe(
      'could not load a.test (net::ERR_UNSAFE_PORT): Chromium refuses to connect to this port (it is on its list of unsafe ports): use another port.',
    );
    expect(problemLine(result('net::ERR_CONNECTION_RESET'))).toBe(
      'could not load a.test (net::ERR_CONNECTION_RESET): see the chain above for where it stopped.',
    );
  });
});
