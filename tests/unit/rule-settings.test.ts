import { describe, expect, it } from 'vitest';
import { applyRuleOption, fails, parseConfig, type RuleSettings } from '../../src/core/analyze/index.ts';

describe('--rule ID=VALUE', () => {
  it.each([
    ['long-chain=5', { 'long-chain': 5 }],
    ['insecure-hop=off', { 'insecure-hop': 'off' }],
    ['client-redirect=error', { 'client-redirect': 'error' }],
  ])('%s', (option, expected) => {
    const settings: RuleSettings = {};
    expect(applyRuleOption(settings, option)).toBeUndefined();
    expect(settings).toEqual(expected);
  });

  it.each([
    ['long-chain', /write it as ID=VALUE/],
    ['nope=off', /unknown rule "nope"\. The rules: insecure-hop, downgrade/],
    ['loop=5', /only long-chain takes a number/],
    ['loop=loud', /the value must be off, info, warning, error, or a number/],
  ])('%s → a message', (option, message) => {
    const settings: RuleSettings = {};
    expect(applyRuleOption(settings, option)).toMatch(message);
    expect(settings).toEqual({});
  });
});

describe('hopscope.config.json', () => {
  it('rules and failOn', () => {
    expect(parseConfig('{"rules":{"long-chain":6,"insecure-hop":"off"},"failOn":"warning"}')).toEqual({
      rules: { 'long-chain': 6, 'insecure-hop': 'off' },
      failOn: 'warning',
    });
  });

  it.each([
    ['{', /hopscope\.config\.json is not JSON/],
    ['[]', /hopscope\.config\.json: the top level/],
    ['{"rulez":{}}', /hopscope\.config\.json: the top level: unknown "rulez"; it takes "rules" and "failOn"/],
    ['{"rules":{"nope":"off"}}', /rules\.nope: unknown rule/],
    ['{"rules":{"loop":3}}', /rules\.loop=3: only long-chain takes a number/],
    ['{"failOn":"sometimes"}', /failOn/],
  ])('%s → a message that says what is wrong', (text, message) => {
    expect(() => parseConfig(text)).toThrow(message);
  });
});

describe('fails', () => {
  it('at the threshold or worse, never with never', () => {
    expect(fails(['warning'], 'error')).toBe(false);
    expect(fails(['warning'], 'warning')).toBe(true);
    expect(fails(['error'], 'warning')).toBe(true);
    expect(fails(['info'], 'info')).toBe(true);
    expect(fails(['error'], 'never')).toBe(false);
    expect(fails([], 'info')).toBe(false);
  });
});
