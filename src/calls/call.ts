/**
 * A conversation: every SIP message sharing one Call-ID, summarised the way
 * SPEC.md's `calls --json` shows it. The summary is kept even when the messages
 * themselves are not (listing a 1 GB capture must not hold its bytes).
 */
import type { Timestamp } from '../core/time.js';
import type { CapturedMessage } from './captured-message.js';

export interface Call {
  /** Arrival index: order of the Call-ID's first message across the inputs. */
  index: number;
  callId: string;
  start: Timestamp;
  end: Timestamp;
  firstMethod: string | null;
  /** User parts of From/To of the first message, digits normalised for numbers. */
  from: string;
  to: string;
  srcIp: string;
  dstIp: string;
  /** Every SIP message seen, retransmissions and duplicate captures included. */
  messages: number;
  finalStatus: number | null;
  retransmissions: number;
  duplicates: number;
  /** Number of parser issues over all messages of the call. */
  anomalies: number;
  /** What the filter language matches on, gathered from all messages. */
  facts: CallFacts;
  /** The messages, only when the store was asked to keep them for this call. */
  kept: CapturedMessage[] | null;
}

/**
 * Held for every call of a capture that may have hundreds of thousands, so it
 * is lean: short arrays of distinct values (a call has one or two of each),
 * replaced rather than pushed to — V8 gives an array 17 slots on its first
 * push, ten times what these need — and header names as bits in a
 * store-wide name index.
 */
export interface CallFacts {
  /** Every IP address seen as source or destination. */
  srcIps: readonly string[];
  dstIps: readonly string[];
  /** Normalised numbers found in the named headers. */
  fromNumbers: readonly string[];
  toNumbers: readonly string[];
  diversion: readonly string[];
  pai: readonly string[];
  ppi: readonly string[];
  /** Canonical names of every header seen in the call. */
  headerNames: HeaderNames;
}

/** A set of header names, as the filter (`has`) and completion (iteration) read it. */
export interface HeaderNames extends Iterable<string> {
  has(name: string): boolean;
}

/** Interns header names for one store: name ↔ small integer. */
export class HeaderNameIndex {
  private readonly ids = new Map<string, number>();
  readonly names: string[] = [];

  /** Hostile input can invent endless names; past this many, new names are counted, not indexed. */
  static readonly LIMIT = 65536;
  overflow = 0;

  idOf(name: string): number | undefined {
    return this.ids.get(name);
  }

  intern(name: string): number | undefined {
    let id = this.ids.get(name);
    if (id === undefined) {
      if (this.names.length >= HeaderNameIndex.LIMIT) {
        this.overflow++;
        return undefined;
      }
      id = this.names.length;
      this.ids.set(name, id);
      this.names.push(name);
    }
    return id;
  }
}

/** The empty set of header-name bits, shared. */
export const NO_WORDS: readonly number[] = Object.freeze([]);

/** Where a set shares its word arrays (a `ListInterner<number>`). */
interface WordLists {
  share(l: readonly number[]): readonly number[];
  union?(a: readonly number[], b: readonly number[], combine: (a: readonly number[], b: readonly number[]) => readonly number[]): readonly number[];
}

/** Bitwise OR of two word arrays, exactly as long as the longer; `a` itself when `b` adds nothing. */
export function orWords(a: readonly number[], b: readonly number[]): readonly number[] {
  let w = 0;
  while (w < b.length && ((a[w] ?? 0) & b[w]!) === b[w]) w++;
  if (w === b.length) return a;
  const next = new Array<number>(Math.max(a.length, b.length)).fill(0);
  for (let i = 0; i < next.length; i++) next[i] = (a[i] ?? 0) | (b[i] ?? 0);
  return next;
}

/** Header names as bit words over a shared index, read-only: tens of bytes per call instead of a Set. */
export class HeaderNameBits implements HeaderNames {
  constructor(protected readonly index: HeaderNameIndex, protected words: readonly number[] = NO_WORDS) {}

  /** The set as bit words over the index (for `addWords` on another set of the same index). */
  bits(): readonly number[] {
    return this.words;
  }

  has(name: string): boolean {
    const id = this.index.idOf(name);
    if (id === undefined) return false;
    return ((this.words[id >>> 5] ?? 0) & (1 << (id & 31))) !== 0;
  }

  *[Symbol.iterator](): Iterator<string> {
    for (let w = 0; w < this.words.length; w++) {
      for (let bit = 0; bit < 32; bit++) {
        if (this.words[w]! & (1 << bit)) yield this.index.names[w * 32 + bit]!;
      }
    }
  }
}

/** A growing HeaderNameBits: names are added as messages arrive. */
export class HeaderNameSet extends HeaderNameBits {
  constructor(index: HeaderNameIndex, private readonly lists?: WordLists) {
    super(index);
  }

  add(name: string): void {
    const id = this.index.intern(name);
    if (id === undefined) return;
    const w = id >>> 5;
    const bit = 1 << (id & 31);
    if (w < this.words.length && (this.words[w]! & bit) !== 0) return;
    // A new array of exactly the needed size (see CallFacts on why not push).
    const words = this.words.length > w ? this.words.slice() : this.words.concat(new Array<number>(w + 1 - this.words.length).fill(0));
    words[w]! |= bit;
    this.words = this.lists ? this.lists.share(words) : words;
  }

  /** Adds every name whose bit is set in `words` (ids of the same index). */
  addWords(words: readonly number[]): void {
    const cur = this.words;
    if (cur === words) return;
    this.words = this.lists?.union ? this.lists.union(cur, words, orWords) : orWords(cur, words);
  }
}
