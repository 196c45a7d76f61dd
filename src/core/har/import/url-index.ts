/**
 * Positions (in time order) grouped by URL key, with the positions already in a chain skipped in
 * near-constant time: a "next free" pointer per slot, path-compressed, so a file of many
 * identical URLs stays linear. Flat typed arrays: one list per key, back to back.
 */
export class UrlIndex {
  private readonly listOf = new Map<string, number>();
  /** For each list, where it starts in `slots`; one extra entry for the end. */
  private readonly starts: Int32Array;
  /** Positions, list after list, each list in increasing order. */
  private readonly slots: Int32Array;
  /** `next[s] === s`: slot s is free; otherwise a slot at or before the next free one. */
  private readonly next: Int32Array;
  /** Position → its slot. */
  private readonly slotOf: Int32Array;

  constructor(keys: readonly string[]) {
    const list = new Int32Array(keys.length);
    const sizes: number[] = [];
    keys.forEach((key, pos) => {
      let l = this.listOf.get(key);
      if (l === undefined) {
        l = sizes.length;
        this.listOf.set(key, l);
        sizes.push(0);
      }
      list[pos] = l;
      sizes[l] = (sizes[l] as number) + 1;
    });
    this.starts = new Int32Array(sizes.length + 1);
    for (let l = 0; l < sizes.length; l++) this.starts[l + 1] = (this.starts[l] as number) + (sizes[l] as number);
    const fill = this.starts.slice(0, sizes.length);
    this.slots = new Int32Array(keys.length);
    this.slotOf = new Int32Array(keys.length);
    for (let pos = 0; pos < keys.length; pos++) {
      const l = list[pos] as number;
      const slot = fill[l] as number;
      fill[l] = slot + 1;
      this.slots[slot] = pos;
      this.slotOf[pos] = slot;
    }
    this.next = new Int32Array(keys.length);
    for (let s = 0; s < keys.length; s++) this.next[s] = s;
  }

  /** The first unclaimed position after `after` with this key, or -1. */
  firstAfter(key: string, after: number): number {
    const l = this.listOf.get(key);
    if (l === undefined) return -1;
    const end = this.starts[l + 1] as number;
    let lo = this.starts[l] as number;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.slots[mid] as number) <= after) lo = mid + 1;
      else hi = mid;
    }
    const slot = this.findFree(lo, end);
    return slot < end ? (this.slots[slot] as number) : -1;
  }

  claim(pos: number): void {
    const slot = this.slotOf[pos] as number;
    this.next[slot] = slot + 1;
  }

  /** The first free slot at or after `slot`, or `end`; iterative, with path compression. */
  private findFree(slot: number, end: number): number {
    const next = this.next;
    let root = slot;
    while (root < end && next[root] !== root) root = next[root] as number;
    for (let s = slot; s < end && next[s] !== s; ) {
      const up = next[s] as number;
      next[s] = root;
      s = up;
    }
    return root;
  }
}
