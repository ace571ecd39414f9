/**
 * Groups captured SIP messages into calls by Call-ID, in arrival order.
 *
 * Memory is bounded by the number of calls, never by the bytes read: a call
 * keeps its summary and a small map of transaction keys; the messages themselves
 * are kept only for calls the caller asks for (`keep`), e.g. the one call
 * `sipv show` prints.
 */
import { getHeader, splitList } from '../sip/headers.js';
import { parseSipMessage } from '../sip/parse.js';
import { isCleanScan, scanSipMessage, type HeaderNameList, type ScannedMessage } from '../sip/scan.js';
import { latin1, utf8 } from '../sip/text.js';
import { HeaderNameIndex, HeaderNameSet, orWords, type Call } from './call.js';
import type { CapturedMessage } from './captured-message.js';
import { partyNumber } from '../sip/number.js';
import { addFacts, addScannedFacts, primeScannedMemo } from './facts.js';
import { NO_FACTS, NO_HEADER_NAMES, StoredCall } from './stored-call.js';
import { TransactionLog } from './transaction-log.js';
import { CallIdTable, isAscii } from './call-id-table.js';
import { ListInterner } from './intern.js';

/**
 * The same packet captured twice (two interfaces, `-i any`) arrives within
 * microseconds; a SIP retransmission waits at least T1/2 … T1 (RFC 3261 §17.1.1.2,
 * 500 ms by default). Anything in between is far more likely a duplicate capture.
 */
export const DUPLICATE_WINDOW_NS = 5_000_000;

export interface CallStoreOptions {
  /** Decides, when a call is first seen, whether its messages are kept. */
  keep?: (index: number, callId: string) => boolean;
  /**
   * Calls held in full (STYLE.md principle 7). Beyond it the oldest call (first
   * seen) is folded into `summarised` — counted, never lost from the totals. A
   * later message of a summarised call opens a new call under the same Call-ID.
   */
  maxCalls?: number;
  /**
   * Gather what filters match on (addresses, numbers, header names) for each
   * call; default true. `sipv calls` without a filter turns it off: it is about a
   * fifth of the time of listing a large capture, and nothing else reads it.
   */
  facts?: boolean;
  /**
   * Gather the header names seen in each call (`has` filters); default: as `facts`.
   * The costliest fact: a filter on numbers or addresses does without it.
   */
  headerNames?: boolean;
}

/** The calls dropped beyond `maxCalls`, as totals: how many, by first method and by final status. */
export interface CallSummary {
  calls: number;
  messages: number;
  /** First request method (`(none)` when only responses were seen) → calls. */
  byFirstMethod: Map<string, number>;
  /** Final status (`(none)` when unanswered) → calls. */
  byFinalStatus: Map<string, number>;
}

const EMPTY: readonly string[] = Object.freeze([]);

export class CallStore {
  private readonly byId = new CallIdTable((index) => this.ordered[index - this.base]?.callId);
  private readonly headerIndex = new HeaderNameIndex();
  private readonly textLists = new ListInterner<string>();
  private readonly numberLists = new ListInterner<number>();
  /**
   * Calls in arrival order; the first `head` slots are summarised calls not
   * compacted away yet (Array#shift is linear on large arrays). `ordered[i]`
   * has index `base + i`.
   */
  private ordered: (StoredCall | undefined)[] = [];
  private head = 0;
  private base = 0;
  private readonly maxCalls: number;
  /** Whether calls get filter facts (`CallStoreOptions.facts`). */
  readonly gathersFacts: boolean;
  /** Whether calls get their header names (`CallStoreOptions.headerNames`): scanned messages need them only then. */
  readonly gathersNames: boolean;
  readonly summarised: CallSummary = { calls: 0, messages: 0, byFirstMethod: new Map(), byFinalStatus: new Map() };
  /** Header-name bitset of each scanned name layout, in this store's name index. */
  private readonly layoutWords = new Map<HeaderNameList, readonly number[]>();
  private messageCount = 0;
  private readonly transactions = new TransactionLog();

  constructor(private readonly options: CallStoreOptions = {}) {
    this.maxCalls = options.maxCalls ?? Infinity;
    this.gathersFacts = options.facts ?? true;
    this.gathersNames = this.gathersFacts && (options.headerNames ?? true);
  }

  /** Calls held (not counting summarised ones). */
  get size(): number { return this.ordered.length - this.head; }
  get messagesSeen(): number { return this.messageCount; }
  /** Bytes of the messages kept so far (see `keep`). */
  get keptBytes(): number { return this.keptByteCount; }
  private keptByteCount = 0;

  add(m: CapturedMessage): void {
    m.seq = this.messageCount++;
    const msg = m.msg;
    if (isCleanScan(msg)) return this.addScanned(m, msg);
    const callId = getHeader(msg, 'call-id') ?? '';
    let state = this.held(this.byId.find(callId));
    if (state === undefined) {
      state = this.open(callId, m, getHeader(msg, 'from') ?? '', getHeader(msg, 'to') ?? '');
      this.hold(state);
    }
    this.update(state, m);
    if (this.gathersFacts) addFacts(state, m, state, this.textLists);
    if (this.gathersNames) {
      const names = new HeaderNameSet(this.headerIndex);
      for (const h of msg.headers) names.add(h.name);
      this.addNameWords(state, names.bits());
    }
    this.countRepeat(state, m, transactionKey(m));
    if (msg.kind === 'request') {
      if (state.firstMethod === null) state.firstMethod = msg.method;
    } else if (msg.status >= 200 && !state.answered) {
      this.trackFinalStatus(state, msg.status, getHeader(msg, 'cseq'));
    }
  }

  /**
   * The same as the general path, reading the values from the scan's byte
   * spans: a message from `scanSipMessage` has no issues, one From, one To and
   * a non-empty first Via (see sip/scan.ts).
   */
  private addScanned(m: CapturedMessage, s: ScannedMessage): void {
    const raw = s.raw;
    // A Call-ID in ASCII (nearly all) is looked up by its bytes: no string for a call already held.
    const ascii = s.callIdS >= 0 && isAscii(raw, s.callIdS, s.callIdE);
    const decoded = ascii ? null : s.callIdS < 0 ? '' : utf8(raw, s.callIdS, s.callIdE);
    let state = this.held(decoded === null ? this.byId.findBytes(raw, s.callIdS, s.callIdE) : this.byId.find(decoded));
    if (state === undefined) {
      const callId = decoded ?? latin1(raw, s.callIdS, s.callIdE);
      const from = s.fromS < 0 ? '' : utf8(raw, s.fromS, s.fromE);
      const to = s.toS < 0 ? '' : utf8(raw, s.toS, s.toE);
      state = this.open(callId, m, from, to);
      // open() put this message's From/To numbers in the facts already.
      if (this.gathersFacts) primeScannedMemo(state, s);
      this.hold(state);
    }
    this.update(state, m);
    if (this.gathersNames) this.addScannedNames(state, s);
    if (this.gathersFacts) addScannedFacts(state, m, s, state, this.textLists);
    this.countRepeat(state, m, scannedTransactionKey(s));
    if (s.kind === 'request') {
      if (state.firstMethod === null) state.firstMethod = s.method;
    } else if (s.status >= 200 && !state.answered) {
      this.trackFinalStatus(state, s.status, s.cseqS < 0 ? undefined : utf8(raw, s.cseqS, s.cseqE));
    }
  }

  /** The header names of a clean scanned message, as bit words shared by every message of its layout. */
  private addScannedNames(state: StoredCall, s: ScannedMessage): void {
    let words = this.layoutWords.get(s.names);
    if (words === undefined) {
      const set = new HeaderNameSet(this.headerIndex);
      for (const name of s.names.names) set.add(name);
      words = this.numberLists.share([...set.bits()]);
      this.layoutWords.set(s.names, words);
    }
    this.addNameWords(state, words);
  }

  /** The call held under this arrival index (-1: none). */
  private held(index: number): StoredCall | undefined {
    return index < 0 ? undefined : this.ordered[index - this.base];
  }

  /** Indexes a call just opened; beyond `maxCalls` the oldest is folded into the totals. */
  private hold(call: StoredCall): void {
    this.byId.add(call.callId, call.index);
    this.ordered.push(call);
    if (this.ordered.length - this.head > this.maxCalls) this.summariseOldest();
  }

  /** All calls in arrival order. */
  calls(): Call[] {
    const calls: Call[] = new Array(this.size);
    for (let i = this.head; i < this.ordered.length; i++) calls[i - this.head] = this.ordered[i]!;
    return calls;
  }

  find(callId: string): Call | undefined {
    return this.held(this.byId.find(callId));
  }

  /** The call with this arrival index, unless it was summarised. */
  at(index: number): Call | undefined {
    const i = index - this.base;
    return i < this.head ? undefined : this.ordered[i];
  }

  /** Folds the call seen first into the totals and forgets it. */
  private summariseOldest(): void {
    const call = this.ordered[this.head]!;
    this.ordered[this.head++] = undefined;
    if (this.head >= 4096 && this.head * 2 >= this.ordered.length) {
      this.ordered = this.ordered.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
    this.byId.remove(call.callId, call.index);
    this.transactions.release(call.tx);
    call.tx = 0;
    const s = this.summarised;
    s.calls++;
    s.messages += call.messages;
    const method = call.firstMethod ?? '(none)';
    s.byFirstMethod.set(method, (s.byFirstMethod.get(method) ?? 0) + 1);
    const status = call.finalStatus === null ? '(none)' : String(call.finalStatus);
    s.byFinalStatus.set(status, (s.byFinalStatus.get(status) ?? 0) + 1);
  }

  private open(callId: string, m: CapturedMessage, from: string, to: string): StoredCall {
    const index = this.base + this.ordered.length;
    const fromNumber = partyNumber(from);
    const toNumber = partyNumber(to);
    const lists = this.textLists;
    // The call's own strings are those of the shared lists: equal strings made per
    // message would otherwise be held once per call.
    const addresses = {
      srcIps: m.srcIp === '' ? EMPTY : lists.share([m.srcIp]), dstIps: m.dstIp === '' ? EMPTY : lists.share([m.dstIp]),
    };
    const shared = (s: string): string => (s === '' ? s : lists.share([s])[0]!);
    return new StoredCall(index, callId, m, shared(fromNumber), shared(toNumber), addresses.srcIps[0] ?? '', addresses.dstIps[0] ?? '',
      addresses, this.gathersNames ? this.headerIndex : this.gathersFacts ? NO_HEADER_NAMES : NO_FACTS, this.options.keep?.(index, callId) ? [] : null);
  }

  /** Adds a message's header names (bit words over this store's index); unions are shared. */
  private addNameWords(call: StoredCall, words: readonly number[]): void {
    if (call.nameWords !== words) call.nameWords = this.numberLists.union(call.nameWords, words, orWords);
  }

  /** Counts and times; the caller adds facts, repeats and status. */
  private update(call: StoredCall, m: CapturedMessage): void {
    const msg = m.msg;
    call.messages++;
    if (!isCleanScan(msg)) call.anomalies += msg.issues.length;
    call.seenAt(m.sec, m.nsec);
    // Parsed messages point into the reader's chunk; a kept one gets its own bytes.
    if (call.kept !== null) {
      // A clean message is kept as a scan of its own copy: parsed in full only when viewed.
      const copy = Buffer.from(msg.raw);
      const kept = (isCleanScan(msg) ? scanSipMessage(copy, msg.kind) : null) ?? parseSipMessage(copy) ?? msg;
      call.kept.push({ ...m, msg: kept });
      this.keptByteCount += msg.raw.length;
    }
  }

  /**
   * `finalStatus` answers "how did the call end": the first 2xx to the call's
   * initial method wins (a later re-INVITE's 491 does not undo an answered
   * call); otherwise the last final response (407 then 403 means rejected).
   */
  private trackFinalStatus(call: StoredCall, status: number, cseq: string | undefined): void {
    if (status < 200 || call.answered || cseq === undefined) return;
    const method = cseqMethod(cseq);
    // A capture that starts mid-call sees responses before any request: take any final response then.
    const wanted = call.firstMethod;
    if (wanted !== null && method !== wanted) return;
    call.finalStatus = status;
    if (status < 300) call.answered = true;
  }

  private countRepeat(call: StoredCall, m: CapturedMessage, key: number): void {
    const at = m.sec + m.nsec / 1e9;
    const log = this.transactions;
    const entry = log.find(call.tx, key);
    if (entry === 0) {
      call.tx = log.add(call.tx, key, at);
      return;
    }
    const gapNs = Math.abs(at - log.time(entry)) * 1e9;
    log.setTime(entry, at);
    if (gapNs <= DUPLICATE_WINDOW_NS) call.duplicates++;
    else call.retransmissions++;
  }
}

function cseqMethod(cseq: string): string {
  const space = cseq.lastIndexOf(' ');
  return (space < 0 ? cseq : cseq.slice(space + 1)).trim().toUpperCase();
}

/**
 * The same request or response of the same transaction. Direction is left out on
 * purpose: one packet captured before and after a NAT differs only in addresses.
 */
export function transactionKey(m: Pick<CapturedMessage, 'msg'>): number {
  const msg = m.msg;
  const via = getHeader(msg, 'via') ?? '';
  let h = hashString(FNV_START, getHeader(msg, 'cseq') ?? '');
  h = msg.kind === 'request' ? hashString(h, msg.method) : Math.imul(h ^ msg.status, FNV_PRIME);
  return hashString(h, branchOf(via));
}

/** `transactionKey` of a clean scanned message, hashing bytes where they are plain ASCII. */
export function scannedTransactionKey(s: ScannedMessage): number {
  const raw = s.raw;
  let h = s.cseqS < 0 ? hashString(FNV_START, '') : hashSpan(FNV_START, raw, s.cseqS, s.cseqE);
  h = s.kind === 'request' ? hashString(h, s.method) : Math.imul(h ^ s.status, FNV_PRIME);
  // One pass over the Via value finds the branch and checks the whole value is printable
  // ASCII without list or quoting characters (then it is its own first element).
  const e = s.viaE;
  let bs = -1, be = -1;
  for (let i = s.viaS; i < e; i++) {
    const c = raw[i]!;
    if (!isPlainViaByte(c)) {
      const first = splitList(utf8(raw, s.viaS, s.viaE))[0] ?? getHeader(s, 'via') ?? '';
      return hashString(h, branchOf(first));
    }
    if (c === 0x3b && bs < 0) { // ';'
      const at = branchValueAt(raw, i + 1, e);
      if (at >= 0) {
        bs = at;
        be = at;
        // The value ends at ';', SP or anything the outer loop refuses (',' and HTAB among them).
        while (be < e && raw[be] !== 0x3b && raw[be] !== 0x20 && isPlainViaByte(raw[be]!)) be++;
        i = be - 1;
      }
    }
  }
  return bs < 0 ? hashSpan(h, raw, s.viaS, e) : hashSpan(h, raw, bs, be);
}

/** Printable ASCII other than `,` `"` `<`: a Via value made of these is a single element. */
function isPlainViaByte(c: number): boolean {
  return c >= 0x20 && c < 0x7f && c !== 0x2c && c !== 0x22 && c !== 0x3c;
}

/** After a `;` at j: the start of the branch value when `branch =` follows (spaces allowed), else -1. */
function branchValueAt(raw: Buffer, j: number, e: number): number {
  while (j < e && raw[j] === 0x20) j++;
  if (e - j < 6 || !isBranchWord(raw, j)) return -1;
  j += 6;
  while (j < e && raw[j] === 0x20) j++;
  return j < e && raw[j] === 0x3d ? j + 1 : -1; // '='
}

function isBranchWord(raw: Buffer, j: number): boolean {
  return (raw[j]! | 0x20) === 0x62 && (raw[j + 1]! | 0x20) === 0x72 && (raw[j + 2]! | 0x20) === 0x61 &&
    (raw[j + 3]! | 0x20) === 0x6e && (raw[j + 4]! | 0x20) === 0x63 && (raw[j + 5]! | 0x20) === 0x68;
}

/** `hashString` of raw[s, e) decoded as UTF-8, without decoding when the bytes are ASCII. */
function hashSpan(h: number, raw: Buffer, s: number, e: number): number {
  const start = h;
  let high = 0;
  for (let i = s; i < e; i++) {
    const c = raw[i]!;
    high |= c;
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  if (high >= 0x80) return hashString(start, utf8(raw, s, e));
  return Math.imul(h ^ 0x7c, FNV_PRIME);
}

/** The branch parameter of a Via value, or the whole value when it has none (RFC 2543 peers). */
function branchOf(via: string): string {
  const at = via.search(/;\s*branch\s*=/i);
  if (at < 0) return via;
  const start = via.indexOf('=', at) + 1;
  let end = start;
  while (end < via.length && !';, \t'.includes(via[end]!)) end++;
  return via.slice(start, end).trim();
}

const FNV_START = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over UTF-16 code units, 32 bits: collisions inside one call's few transactions are negligible. */
function hashString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return Math.imul(h ^ 0x7c, FNV_PRIME); // separator, so "1|23" and "12|3" differ
}
