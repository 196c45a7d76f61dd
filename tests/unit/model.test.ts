/**
 * The model keeps facts; the analysis derives the rest. What is stored must hold nothing that
 * analyze() computes, and analyze() must not change the facts it reads.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/core/analyze/index.ts';
import { FIXTURES, record } from './helpers.ts';

const DERIVED_HOP_KEYS = ['index', 'cache', 'methodChange', 'crossOrigin', 'downgrade', 'repeatsHop'];

describe('stored chains are facts only', () => {
  it.each(FIXTURES)('%s: the JSON the worker writes holds no conclusion', (name) => {
    const { json = [] } = record(name).takeChanges();
    expect(json.length).toBeGreaterThan(0);
    for (const text of json) {
      const chain = JSON.parse(text) as Record<string, unknown> & { hops: Array<Record<string, unknown>> };
      expect(Object.keys(chain)).not.toContain('summary');
      for (const hop of chain.hops) for (const key of DERIVED_HOP_KEYS) expect(Object.keys(hop)).not.toContain(key);
    }
  });

  it.each(FIXTURES)('%s: analyze() leaves the facts as they were and gives every hop its conclusions', (name) => {
    for (const chain of record(name).list()) {
      const before = JSON.stringify(chain);
      const analyzed = analyze(chain);
      expect(JSON.stringify(chain)).toBe(before);
      expect(analyzed.hops.map((h) => h.index)).toEqual(chain.hops.map((_, i) => i));
      for (const hop of analyzed.hops) expect(hop.cache.reason).not.toBe('');
      expect(analyze(analyzed)).toBe(analyzed);
    }
  });
});
