/**
 * Plain text that is safe to show: every untrusted string (URLs, status text, header values,
 * reasons read back from storage or a HAR) passes through `printable` before it reaches a
 * terminal, a clipboard or a tooltip, so no escape sequence or bidi override from a server does.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Replaces control characters (ESC, CR, bidi overrides, …) with a visible placeholder. */
export function printable(text: string): string {
  return text.replace(CONTROL, '\uFFFD');
}

/** A sentence used inside another one: "Nothing accepted…" → "nothing accepted…". */
export function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** A phrase that starts a sentence: "the browser gives up…" → "The browser gives up…". */
export function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
