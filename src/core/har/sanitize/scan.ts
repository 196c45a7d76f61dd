/**
 * Finds known secret values (a cookie's value, a token) wherever else they appear in text: a
 * response body that hands out the token a later request sends, a header of another name, an
 * error message. One pass over the text whatever the number of values (Rabin–Karp: a rolling
 * hash of the first `MIN_SECRET_LENGTH` characters, checked against the values that start so).
 */

/** Values shorter than this are too common to be looked for in free text (`en`, `true`, `1`). */
export const MIN_SECRET_LENGTH = 8;

const W = MIN_SECRET_LENGTH;
const BASE = 0x01000193;
/** BASE^(W-1) mod 2^32: what the character leaving the window weighed. */
const OUT_WEIGHT = (() => {
  let w = 1;
  for (let i = 0; i < W - 1; i++) w = Math.imul(w, BASE);
  return w;
})();

function windowHash(text: string, at: number): number {
  let h = 0;
  for (let i = at; i < at + W; i++) h = (Math.imul(h, BASE) + text.charCodeAt(i)) | 0;
  return h;
}

export class SecretScanner {
  /** Window hash → the values starting with that window, longest first. */
  private readonly byWindow = new Map<number, string[]>();
  /** One bit per value of the hash's top 16 bits: most positions are ruled out without a Map look-up. */
  private readonly seen = new Uint8Array(8192);
  private count = 0;

  constructor(private readonly maxValues = 200_000) {}

  get size(): number {
    return this.count;
  }

  /** Remembers a value to look for; short ones and values beyond the cap are ignored. */
  add(value: string): void {
    if (value.length < W || this.count >= this.maxValues) return;
    const h = windowHash(value, 0);
    this.seen[h >>> 19] = (this.seen[h >>> 19] as number) | (1 << ((h >>> 16) & 7));
    const list = this.byWindow.get(h);
    if (!list) {
      this.byWindow.set(h, [value]);
      this.count++;
    } else if (!list.includes(value)) {
      list.push(value);
      list.sort((a, b) => b.length - a.length);
      this.count++;
    }
  }

  /** The text with every occurrence of a known value replaced (longest match, left to right). */
  replace(text: string, replacement: (value: string) => string): string {
    if (this.count === 0 || text.length < W) return text;
    const seen = this.seen;
    let out = '';
    let copied = 0;
    let i = 0;
    let h = windowHash(text, 0);
    const last = text.length - W;
    while (i <= last) {
      const found =
        (seen[h >>> 19] as number) & (1 << ((h >>> 16) & 7))
          ? this.byWindow.get(h)?.find((v) => text.startsWith(v, i))
          : undefined;
      if (found) {
        out += text.slice(copied, i) + replacement(found);
        i += found.length;
        copied = i;
        if (i <= last) h = windowHash(text, i);
        continue;
      }
      if (i < last) {
        h = (Math.imul(h - Math.imul(text.charCodeAt(i), OUT_WEIGHT), BASE) + text.charCodeAt(i + W)) | 0;
      }
      i++;
    }
    return copied === 0 ? text : out + text.slice(copied);
  }
}
