/** Counted nouns ("1 redirect", "3 redirects") through Intl.PluralRules, one place for every screen. */

const rules = new Intl.PluralRules('en');
const numbers = new Intl.NumberFormat('en-US');

/** Irregular plurals this vocabulary uses; a regular noun takes an "s". */
const IRREGULAR: Readonly<Record<string, string>> = { entry: 'entries', entity: 'entities' };

/**
 * `plural(3, 'redirect')` is "3 redirects", `plural(1200, 'entry')` "1,200 entries". `other`
 * gives a phrase whose words all change: `plural(n, 'entry was', 'entries were')`.
 */
export function plural(n: number, one: string, other = IRREGULAR[one] ?? `${one}s`): string {
  return `${numbers.format(n)} ${pluralWord(n, one, other)}`;
}

/** The noun (or phrase) alone, in the form that goes with n: `pluralWord(n, 'it keeps', 'they keep')`. */
export function pluralWord(n: number, one: string, other = IRREGULAR[one] ?? `${one}s`): string {
  return rules.select(n) === 'one' ? one : other;
}
