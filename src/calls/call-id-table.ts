/**
 * Calls by Call-ID: an open-addressing hash table of arrival indexes in one
 * Int32Array, the Call-ID strings held only by the calls themselves.
 *
 * A Map<string, call> costs about 50 bytes per entry at 270 000 calls and,
 * each time it grows, holds old and new tables at once; this table costs 8–16.
 * It also looks a Call-ID up straight from the message bytes (`findBytes`),
 * so a message of a call already known makes no Call-ID string at all.
 */
const EMPTY = 0;
const DELETED = -1;

export class CallIdTable {
  /** EMPTY, DELETED, or arrival index + 1. */
  private slots = new Int32Array(1 << 12);
  private mask = (1 << 12) - 1;
  /** Slots not EMPTY (live and deleted): probing ends only at an EMPTY slot. */
  private filled = 0;

  /** `callIdOf(index)`: the Call-ID of the call with this arrival index (undefined once forgotten). */
  constructor(private readonly callIdOf: (index: number) => string | undefined) {}

  /** Arrival index of the call with this Call-ID, or -1. */
  find(callId: string): number {
    const slots = this.slots, mask = this.mask;
    for (let i = hashString(callId) & mask; ; i = (i + 1) & mask) {
      const v = slots[i]!;
      if (v === EMPTY) return -1;
      if (v !== DELETED && this.callIdOf(v - 1) === callId) return v - 1;
    }
  }

  /** `find` for a Call-ID given as ASCII bytes raw[s, e) (the caller has checked them: see `isAscii`). */
  findBytes(raw: Uint8Array, s: number, e: number): number {
    const slots = this.slots, mask = this.mask;
    for (let i = hashBytes(raw, s, e) & mask; ; i = (i + 1) & mask) {
      const v = slots[i]!;
      if (v === EMPTY) return -1;
      if (v !== DELETED && sameBytes(this.callIdOf(v - 1), raw, s, e)) return v - 1;
    }
  }

  /** Adds a call not in the table yet. */
  add(callId: string, index: number): void {
    if ((this.filled + 1) * 2 > this.slots.length) this.rebuild();
    const slots = this.slots, mask = this.mask;
    let i = hashString(callId) & mask;
    while (slots[i] !== EMPTY && slots[i] !== DELETED) i = (i + 1) & mask;
    if (slots[i] === EMPTY) this.filled++;
    slots[i] = index + 1;
  }

  /** Forgets the call with this arrival index (a call folded into the totals). */
  remove(callId: string, index: number): void {
    const slots = this.slots, mask = this.mask;
    for (let i = hashString(callId) & mask; slots[i] !== EMPTY; i = (i + 1) & mask) {
      if (slots[i] === index + 1) {
        slots[i] = DELETED;
        return;
      }
    }
  }

  /** Re-inserts the live entries into a table sized for them (deleted slots dropped). */
  private rebuild(): void {
    const old = this.slots;
    let live = 0;
    for (const v of old) if (v > 0) live++;
    let size = old.length;
    while ((live + 1) * 4 > size) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    this.filled = 0;
    for (const v of old) {
      if (v <= 0) continue;
      const callId = this.callIdOf(v - 1);
      if (callId === undefined) continue;
      let i = hashString(callId) & this.mask;
      while (this.slots[i] !== EMPTY) i = (i + 1) & this.mask;
      this.slots[i] = v;
      this.filled++;
    }
  }
}

/** True when raw[s, e) is plain ASCII: its Latin-1, UTF-8 and UTF-16 readings agree. */
export function isAscii(raw: Uint8Array, s: number, e: number): boolean {
  let high = 0;
  for (let i = s; i < e; i++) high |= raw[i]!;
  return high < 0x80;
}

/** FNV-1a over UTF-16 code units; equal to `hashBytes` over the same text in ASCII. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h ^ (h >>> 15);
}

function hashBytes(raw: Uint8Array, s: number, e: number): number {
  let h = 0x811c9dc5;
  for (let i = s; i < e; i++) h = Math.imul(h ^ raw[i]!, 0x01000193);
  return h ^ (h >>> 15);
}

function sameBytes(callId: string | undefined, raw: Uint8Array, s: number, e: number): boolean {
  if (callId === undefined || callId.length !== e - s) return false;
  for (let i = 0; i < callId.length; i++) if (callId.charCodeAt(i) !== raw[s + i]) return false;
  return true;
}
