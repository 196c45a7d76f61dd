import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chainsToHar, type HopscopeHarEntry } from '../../src/core/har/export.ts';
import { HopscopeReadSchema, readHopscope } from '../../src/core/har/schema.ts';
import { chainsOf, FIXTURES, onlyChain, syntheticHstsPreload } from './helpers.ts';

/** What zod reads: the reference `readHopscope` must agree with, key order included. */
function zodRead(raw: unknown) {
  if (raw === undefined) return undefined;
  const read = HopscopeReadSchema.safeParse(raw);
  return read.success ? read.data : undefined;
}

function expectSameRead(raw: unknown): void {
  const fast = readHopscope(raw);
  const slow = zodRead(raw);
  expect(fast).toStrictEqual(slow);
  expect(JSON.stringify(fast)).toBe(JSON.stringify(slow));
}

const written: unknown[] = [...FIXTURES.flatMap((f) => chainsOf(f)), onlyChain(syntheticHstsPreload())].flatMap(
  (chain) =>
    (chainsToHar([chain]).log.entries as HopscopeHarEntry[]).map((e) => JSON.parse(JSON.stringify(e._hopscope))),
);

describe('readHopscope: zod read without zod, for what the export writes', () => {
  it('reads every _hopscope the export writes exactly as HopscopeReadSchema does', () => {
    expect(written.length).toBeGreaterThan(50);
    for (const raw of written) expectSameRead(raw);
  });

  it('agrees with HopscopeReadSchema on any field replaced, removed or added', () => {
    const keys = ['chainId', 'hopIndex', 'hopCount', 'kind', 'internalReason', 'methodChange', 'cache'].concat(
      ['crossOrigin', 'downgrade', 'repeatsHop', 'clientRedirect', 'inferred', 'findings', 'chainOutcome'],
      ['tabId', 'frameId', 'extra', '__proto__', 'toString'],
    );
    const nested = ['methodChange', 'cache', 'clientRedirect', 'chainOutcome'];
    fc.assert(
      fc.property(
        fc.constantFrom(...written),
        fc.constantFrom(...keys),
        fc.option(fc.jsonValue(), { nil: undefined }),
        fc.boolean(),
        (base, key, value, inside) => {
          const raw = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
          const target = raw[key];
          if (inside && nested.includes(key) && typeof target === 'object' && target !== null) {
            // A field of a nested object (or of the first finding) changed instead.
            const inner = target as Record<string, unknown>;
            const innerKeys = Object.keys(inner);
            inner[innerKeys[(JSON.stringify(value) ?? '').length % Math.max(1, innerKeys.length)] ?? 'x'] = value;
          } else if (value === undefined) delete raw[key];
          else Object.defineProperty(raw, key, { value, enumerable: true, configurable: true, writable: true });
          expectSameRead(raw);
        },
      ),
      { numRuns: 3000 },
    );
  }, 60_000);

  it('agrees on values that are not objects at all', () => {
    for (const raw of [null, 0, 'x', [], [written[0]], true]) expectSameRead(raw);
  });
});
