/**
 * The last sighting of each transaction of every call, for telling
 * retransmissions and duplicate captures from new requests and responses.
 *
 * One pool of typed arrays for all calls, each call's entries a linked list
 * from a head index the call holds: 16 bytes per transaction and no object
 * at all. An array per call, replaced by a longer one at each new transaction,
 * left four dead arrays per call in the old generation — at 270 000 calls
 * that garbage, not the live data, set the peak memory.
 */
const CHUNK_BITS = 15;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

export class TransactionLog {
  /**
   * Fixed-size chunks, not one array doubled when full: doubling copies, and
   * holds old and new (three times the data) at the moment it grows.
   */
  private readonly keys: Int32Array[] = [];
  private readonly times: Float64Array[] = [];
  private readonly next: Int32Array[] = [];
  /** Entries in use or freed so far; entry 0 is the "none" sentinel. */
  private used = 1;
  /** Head of the list of freed entries (0: none). */
  private free = 0;

  constructor() {
    this.addChunk();
  }

  /** The entry of `key` in the list starting at `head`, or 0. */
  find(head: number, key: number): number {
    const keys = this.keys, next = this.next;
    let i = head;
    while (i !== 0 && keys[i >>> CHUNK_BITS]![i & MASK] !== key) i = next[i >>> CHUNK_BITS]![i & MASK]!;
    return i;
  }

  /** Seconds (float) of the entry's last sighting. */
  time(entry: number): number {
    return this.times[entry >>> CHUNK_BITS]![entry & MASK]!;
  }

  setTime(entry: number, at: number): void {
    this.times[entry >>> CHUNK_BITS]![entry & MASK] = at;
  }

  /** Adds `key` seen at `at` in front of the list at `head`; returns the new head. */
  add(head: number, key: number, at: number): number {
    let i = this.free;
    if (i !== 0) this.free = this.next[i >>> CHUNK_BITS]![i & MASK]!;
    else {
      if (this.used === this.keys.length * CHUNK) this.addChunk();
      i = this.used++;
    }
    const c = i >>> CHUNK_BITS, o = i & MASK;
    this.keys[c]![o] = key;
    this.times[c]![o] = at;
    this.next[c]![o] = head;
    return i;
  }

  /** Gives a whole list back (a call folded into the totals). */
  release(head: number): void {
    while (head !== 0) {
      const c = head >>> CHUNK_BITS, o = head & MASK;
      const after = this.next[c]![o]!;
      this.next[c]![o] = this.free;
      this.free = head;
      head = after;
    }
  }

  private addChunk(): void {
    this.keys.push(new Int32Array(CHUNK));
    this.times.push(new Float64Array(CHUNK));
    this.next.push(new Int32Array(CHUNK));
  }
}
