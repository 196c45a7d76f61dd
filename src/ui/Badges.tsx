import type { AnalyzedChain as Chain } from '../../core/analyze/index.ts';

const BADGES: Array<{ key: keyof Chain['summary']; label: (c: Chain) => string; title: string; cls: string }> = [
  {
    key: 'internal',
    label: (c) => (c.hops.some((h) => h.internalReason === 'HSTS') ? 'HSTS' : 'internal'),
    title: 'The browser made up a redirect itself',
    cls: 'internal',
  },
  { key: 'methodChanged', label: () => 'method changed', title: 'The method changed between hops', cls: 'method' },
  { key: 'fromCache', label: () => 'cached', title: 'A hop was served from the browser cache', cls: 'cache' },
  { key: 'loop', label: () => 'loop', title: 'A URL repeats, or the browser gave up after 20 redirects', cls: 'loop' },
  { key: 'downgrade', label: () => 'https → http', title: 'A redirect from https to plain http', cls: 'downgrade' },
  { key: 'crossOrigin', label: () => 'cross-origin', title: 'A redirect to another origin', cls: 'cross' },
  { key: 'error', label: () => 'error', title: 'The chain ended in a network error', cls: 'error' },
];

export function Badges({ chain }: { chain: Chain }) {
  return (
    <span className="badges">
      {BADGES.filter((b) => chain.summary[b.key]).map((b) => (
        <span key={b.key} className={`badge ${b.cls}`} title={b.title}>
          {b.label(chain)}
        </span>
      ))}
    </span>
  );
}
