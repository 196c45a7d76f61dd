/**
 * The toolbar badge's tooltip with findings, and the words it shares with the panel and the
 * popup (present/labels.ts): severity counts and the hop statuses at a glance.
 */
import { describe, expect, it } from 'vitest';
import { badgeFor } from '../../src/background/badge.ts';
import type { Finding } from '../../src/core/analyze/index.ts';
import type { Chain, Hop } from '../../src/core/model/chain.ts';
import {
  findingCountLabel,
  findingShortLabel,
  hopStatuses,
  SEVERITY_ORDER,
  severityCounts,
} from '../../src/core/present/labels.ts';
import { type FixtureName, factsOf } from './helpers.ts';

/** The last page load of a fixture, as stored (facts). */
const page = (name: FixtureName): Chain =>
  factsOf(name)
    .filter((c) => c.type === 'main_frame')
    .at(-1) as Chain;

const finding = (severity: Finding['severity'], hop = 0): Finding => ({
  rule: 'loop',
  severity,
  hop,
  message: '',
});

describe('badge tooltip', () => {
  it('counts the journey’s errors and warnings on the first line, and puts each hop’s at the end of its line', () => {
    const lines = badgeFor(page('loop')).title.split('\n');
    expect(lines[0]).toBe('Hopscope: 20 redirects · 1 error, 1 warning');
    expect(lines).toHaveLength(21);
    expect(lines[1]).toMatch(/^302 Found http:\/\/localhost:\d+\/loop\/a$/);
    expect(lines[3]).toMatch(/^302 Found http:\/\/localhost:\d+\/loop\/a \[error: loop\]$/);
    expect(lines[4]).toMatch(/^302 Found http:\/\/localhost:\d+\/loop\/b \[warning: long-chain\]$/);
    expect(lines.filter((l) => l.includes(': '))).toHaveLength(3);
  });

  it('names several on one hop, most severe first, and leaves info findings out', () => {
    const downgrade = badgeFor(page('downgrade')).title.split('\n');
    // permanent-cached-forever (info) is about the same hop as the downgrade.
    expect(downgrade[1]).toMatch(/\/downgrade \[error: downgrade\]$/);
    expect(badgeFor(page('post-301')).title.split('\n')[1]).toMatch(/\/post\/301 \[warning: method-changed\]$/);
    expect(badgeFor(page('cache-301')).title).not.toContain('[');
    expect(badgeFor(page('hsts-header')).title.split('\n')).toEqual([
      'Hopscope: 1 redirect',
      expect.stringMatching(/^307 Internal Redirect http:\/\/sts\.test:\d+\/sts\/page \[internal \(HSTS\)\]$/),
      expect.stringMatching(/^200 OK https:\/\/sts\.test:\d+\/sts\/page$/),
    ]);
  });

  it('stays empty without redirects', () => {
    expect(badgeFor(page('ok'))).toEqual({ text: '', color: '#1a73e8', title: 'Hopscope: no redirects' });
    expect(badgeFor(undefined).title).toBe('Hopscope: no redirects');
  });
});

describe('severity counts', () => {
  it('counts errors and warnings, most severe first, in counted nouns', () => {
    const list = [finding('warning'), finding('error'), finding('info'), finding('error')];
    expect(findingCountLabel(list)).toBe('2 errors, 1 warning');
    expect(findingCountLabel(list, SEVERITY_ORDER)).toBe('2 errors, 1 warning, 1 info');
    expect(findingCountLabel([finding('info'), finding('info')], SEVERITY_ORDER)).toBe('2 info');
    expect(findingCountLabel([finding('info')])).toBe('');
    expect(findingCountLabel([])).toBe('');
    expect(severityCounts(list)).toEqual({ error: 2, warning: 1, info: 1 });
  });

  it('a finding in a few words names its hop from 1, like the hop table', () => {
    expect(findingShortLabel({ ...finding('warning', 3), rule: 'long-chain' })).toBe('warning long-chain (hop 4)');
  });
});

describe('hopStatuses', () => {
  const hop = (statusCode: number, extra: Partial<Hop> = {}): Hop =>
    ({ statusCode, kind: 'server', url: '', redirectUrl: '', ...extra }) as Hop;
  const chain = (hops: Hop[], state = 'completed') => ({ hops, outcome: { state } });

  it('301 → 307 → 200, the browser’s own hops and the page’s own with a note', () => {
    expect(hopStatuses(factsOf('chain-3xx')[0] as Chain)).toBe('301 → 302 → 303 → 307 → 308 → 200');
    expect(hopStatuses(page('hsts-header'))).toBe('307 (HSTS) → 200');
    expect(
      hopStatuses(
        chain([
          hop(301),
          hop(200, { kind: 'client', clientRedirect: { type: 'meta-refresh', delaySeconds: 0, afterMs: 5 } }),
          hop(307, { kind: 'internal', internalReason: 'HttpsUpgrades', inferred: true }),
          hop(200),
        ]),
      ),
    ).toBe('301 → 200 (meta refresh, 0 s) → 307 (HttpsUpgrades, inferred) → 200');
  });

  it('a failed hop, a chain under way, an untrusted reason made printable', () => {
    expect(hopStatuses(chain([hop(302), hop(0, { error: 'net::ERR_CONNECTION_REFUSED' })]))).toBe('302 → failed');
    expect(hopStatuses(chain([hop(301)], 'pending'))).toBe('301 → …');
    expect(hopStatuses(chain([hop(307, { kind: 'internal', internalReason: 'a\u001b[31mb' })]))).toBe(
      '307 (a\uFFFD[31mb)',
    );
  });

  it('with a limit, a long chain keeps its ends around one gap', () => {
    const loop = page('loop');
    expect(hopStatuses(loop)).toBe(Array(20).fill('302').join(' → '));
    expect(hopStatuses(loop, 7)).toBe('302 → 302 → 302 → … (14 more hops) → 302 → 302 → 302');
    expect(hopStatuses(loop, 20)).toBe(hopStatuses(loop));
  });
});
