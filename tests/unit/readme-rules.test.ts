/** The README's rule table lists every rule with its default severity: the table users read is the one the code runs. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/core/analyze/index.ts';

const README = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../README.md'), 'utf8');

describe('README rule table', () => {
  it('names every rule with its default severity and, where it has one, its source', () => {
    const rows = new Map(
      README.split('\n')
        .map((line) => /^\| `([a-z-]+)`\s*\|.*\|\s*(info|warning|error)\s*\|(.*)\|$/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1], { severity: m[2], source: m[3] ?? '' }]),
    );
    for (const rule of RULES) {
      expect(rows.get(rule.id)?.severity, rule.id).toBe(rule.severity);
      if (rule.source) expect(rows.get(rule.id)?.source, rule.id).toContain(rule.source.url);
    }
    expect(rows.size).toBe(RULES.length);
  });
});
