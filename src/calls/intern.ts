/**
 * Shares equal immutable lists between calls. Hundreds of thousands of calls
 * repeat the same few thousand phone addresses, numbers and header sets;
 * holding one copy of each list keeps memory bounded by what is distinct.
 * Lists handed out are never mutated (callers replace, not push), so sharing
 * is safe.
 *
 * A direct-mapped cache, not a Map of every list seen: values unique to one
 * call (most called numbers) would fill a Map with entries that never share
 * anything, costing more memory than the lists and, at 1 GB of capture, a
 * cache miss per lookup. A slot keeps the last list hashed to it, so a value
 * in use stays shared; one seen once is simply not remembered for long.
 */
export class ListInterner<T extends string | number> {
  private readonly slots: (readonly T[] | undefined)[];
  private readonly mask: number;

  constructor(slotBits = 16) {
    this.slots = new Array<readonly T[] | undefined>(1 << slotBits).fill(undefined);
    this.mask = (1 << slotBits) - 1;
  }

  share(list: readonly T[]): readonly T[] {
    const n = list.length;
    if (n === 0) return list;
    const slot = hashList(list) & this.mask;
    const hit = this.slots[slot];
    if (hit !== undefined && hit.length === n) {
      let i = 0;
      while (i < n && hit[i] === list[i]) i++;
      if (i === n) return hit;
    }
    this.slots[slot] = list;
    return list;
  }

  private readonly unions = new Map<readonly T[], Map<readonly T[], readonly T[]>>();
  private unionCount = 0;
  /** Bound on remembered unions: hostile input can invent endless header layouts. */
  private readonly unionLimit = 200_000;

  /**
   * `combine(a, b)` shared, remembered by the identity of `a` and `b`: header-name
   * bitsets of calls meet the same few message layouts again and again.
   */
  union(a: readonly T[], b: readonly T[], combine: (a: readonly T[], b: readonly T[]) => readonly T[]): readonly T[] {
    let byB = this.unions.get(a);
    const hit = byB?.get(b);
    if (hit !== undefined) return hit;
    const out = this.share(combine(a, b));
    if (this.unionCount < this.unionLimit) {
      if (byB === undefined) this.unions.set(a, (byB = new Map()));
      byB.set(b, out);
      this.unionCount++;
    }
    return out;
  }
}

/** FNV-1a over the elements (strings by UTF-16 unit, numbers as 32-bit integers), with a separator between them. */
function hashList(list: readonly (string | number)[]): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < list.length; k++) {
    const v = list[k]!;
    if (typeof v === 'number') h = Math.imul(h ^ (v | 0), 0x01000193);
    else for (let i = 0; i < v.length; i++) h = Math.imul(h ^ v.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0x7c, 0x01000193);
  }
  return h ^ (h >>> 16);
}
