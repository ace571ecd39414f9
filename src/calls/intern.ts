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

  share(list: readonly T[]): readonly T[] {
    if (list.length === 0) return list;
    const key = list.length === 1 ? String(list[0]) : list.join('\u0000');
    const hit = this.lists.get(key);
    if (hit !== undefined) return hit;
    if (this.lists.size < this.limit) this.lists.set(key, list);
    return list;
  }
}
