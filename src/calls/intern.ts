/**
 * Shares equal immutable lists between calls. Hundreds of thousands of calls
 * repeat the same few thousand phone addresses, numbers and header sets;
 * holding one copy of each list keeps memory bounded by what is distinct.
 * Lists handed out are never mutated (callers replace, not push), so sharing
 * is safe. Bounded: past the limit, lists are simply not shared.
 */
export class ListInterner<T extends string | number> {
  private readonly lists = new Map<string, readonly T[]>();

  constructor(private readonly limit = 200_000) {}

  /**
   * Lists of one and two elements (most of them) by their elements: no key string to
   * build and hash. Two-element lists by first element: the one list seen with it, or a
   * Map once there are several (most first elements have one: a Map each would cost
   * hundreds of bytes per call when numbers are unique per call).
   */
  private readonly ones = new Map<T, readonly T[]>();
  private readonly twos = new Map<T, readonly T[] | Map<T, readonly T[]>>();
  private count = 0;

  share(list: readonly T[]): readonly T[] {
    const n = list.length;
    if (n === 0) return list;
    if (n === 1) {
      const hit = this.ones.get(list[0]!);
      if (hit !== undefined) return hit;
      if (this.count < this.limit) { this.ones.set(list[0]!, list); this.count++; }
      return list;
    }
    if (n === 2) {
      const first = list[0]!, second = list[1]!;
      const seen = this.twos.get(first);
      if (seen === undefined) {
        if (this.count < this.limit) { this.twos.set(first, list); this.count++; }
        return list;
      }
      if (!(seen instanceof Map)) {
        if (seen[1] === second) return seen;
        if (this.count < this.limit) {
          this.twos.set(first, new Map([[seen[1]!, seen], [second, list]]));
          this.count++;
        }
        return list;
      }
      const hit = seen.get(second);
      if (hit !== undefined) return hit;
      if (this.count < this.limit) { seen.set(second, list); this.count++; }
      return list;
    }
    const key = list.join('\u0000');
    const hit = this.lists.get(key);
    if (hit !== undefined) return hit;
    if (this.count < this.limit) { this.lists.set(key, list); this.count++; }
    return list;
  }

  private readonly unions = new Map<readonly T[], Map<readonly T[], readonly T[]>>();
  private unionCount = 0;

  /**
   * `combine(a, b)` shared, remembered by the identity of `a` and `b`: header-name
   * bitsets of calls meet the same few message layouts again and again.
   */
  union(a: readonly T[], b: readonly T[], combine: (a: readonly T[], b: readonly T[]) => readonly T[]): readonly T[] {
    let byB = this.unions.get(a);
    const hit = byB?.get(b);
    if (hit !== undefined) return hit;
    const out = this.share(combine(a, b));
    if (this.unionCount < this.limit) {
      if (byB === undefined) this.unions.set(a, (byB = new Map()));
      byB.set(b, out);
      this.unionCount++;
    }
    return out;
  }
}
