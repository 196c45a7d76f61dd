/**
 * `--shard I/N`: a stable share of a list. A source belongs to shard `hash(source) mod N + 1`,
 * so every machine of a CI matrix computes the same split without talking to the others, the
 * shards never overlap, and together they are the whole list. The hash is 32-bit FNV-1a over
 * the source's UTF-8 bytes: the same in every runtime, whatever the order of the list.
 */

export interface Shard {
  index: number;
  count: number;
}

/** "2/4" → { index: 2, count: 4 }. Throws a plain sentence for anything else. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) {
    throw new Error(`--shard '${text}' is not I/N with 1 ≤ I ≤ N, e.g. --shard 2/4`);
  }
  return { index, count };
}

/** 32-bit FNV-1a of a string's UTF-8 bytes. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  const byte = (b: number) => {
    hash ^= b;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  };
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x80) byte(cp);
    else if (cp < 0x800) {
      byte(0xc0 | (cp >> 6));
      byte(0x80 | (cp & 63));
    } else if (cp < 0x10000) {
      byte(0xe0 | (cp >> 12));
      byte(0x80 | ((cp >> 6) & 63));
      byte(0x80 | (cp & 63));
    } else {
      byte(0xf0 | (cp >> 18));
      byte(0x80 | ((cp >> 12) & 63));
      byte(0x80 | ((cp >> 6) & 63));
      byte(0x80 | (cp & 63));
    }
  }
  return hash >>> 0;
}

/** The shard (1-based) a source belongs to. */
export function shardOf(source: string, count: number): number {
  return (fnv1a(source) % count) + 1;
}

export function inShard(source: string, shard: Shard | undefined): boolean {
  return !shard || shardOf(source, shard.count) === shard.index;
}

/**
 * A 53-bit key of a source, for `--resume`'s set of sources already checked: two 32-bit FNV-1a
 * hashes (of the source and of the source behind a NUL), so the set holds numbers, not URLs.
 */
export function sourceKey(source: string): number {
  return fnv1a(source) * 2 ** 21 + (fnv1a(`\u0000${source}`) >>> 11);
}
