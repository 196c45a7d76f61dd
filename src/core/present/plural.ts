/** Counted nouns ("1 redirect", "3 redirects") through Intl.PluralRules, one place for every screen. */

const rules = new Intl.PluralRules('en');

/** Irregular plurals this vocabulary uses; a regular noun takes an "s". */
const IRREGULAR: Readonly<Record<string, string>> = { entry: 'entries', entity: 'entities' };

/** `plural(3, 'redirect')` is "3 redirects". */
export function plural(n: number, one: string, other = IRREGULAR[one] ?? `${one}s`): string {
  return `${n} ${pluralWord(n, one, other)}`;
}

/** The noun alone, in the form that goes with n. */
export function pluralWord(n: number, one: string, other = IRREGULAR[one] ?? `${one}s`): string {
  return rules.select(n) === 'one' ? one : other;
}
