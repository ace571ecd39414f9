/**
 * A call as the in-memory store holds it. A 1 GB capture has 270 000 calls,
 * so it is one object, not five: start and end are four small integers rather
 * than two objects (`start`/`end` make one when asked), the call is its own
 * `facts` (header names kept as bit words, `headerNames` a view made when
 * asked), and the store's bookkeeping (transaction list, facts memo,
 * answered) lives on it too.
 */
import type { Timestamp } from '../core/time.js';
import { HeaderNameBits, HeaderNameIndex, NO_WORDS, type Call, type CallFacts, type HeaderNames } from './call.js';
import type { CapturedMessage } from './captured-message.js';
import type { FactsMemo } from './facts.js';

const NONE: readonly string[] = Object.freeze([]);

/**
 * What a store that gathers less leaves out of its calls: reading it throws, so
 * a filter never runs on facts that were never gathered.
 */
export const NO_FACTS = Object.freeze({ missing: 'call facts', option: 'facts: false' });
export const NO_HEADER_NAMES = Object.freeze({ missing: 'header names', option: 'headerNames: false' });
type Missing = typeof NO_FACTS | typeof NO_HEADER_NAMES;

function notGathered(m: Missing): Error {
  return new Error(`${m.missing} were not gathered: the store was made with ${m.option}`);
}

/** Numbers from Diversion / P-Asserted-Identity / P-Preferred-Identity: most calls have none. */
interface ExtraNumbers {
  diversion: readonly string[];
  pai: readonly string[];
  ppi: readonly string[];
}

export class StoredCall implements Call, CallFacts, FactsMemo {
  firstMethod: string | null = null;
  messages = 0;
  finalStatus: number | null = null;
  retransmissions = 0;
  duplicates = 0;
  anomalies = 0;
  /** Seconds and nanoseconds of the first and last message (Smis until 2038: no heap number each). */
  startSec: number;
  startNsec: number;
  endSec: number;
  endNsec: number;
  /** Head of this call's list in the store's TransactionLog (0: no transaction yet). */
  tx = 0;
  memoFrom = 0;
  memoTo = 0;
  /** A 2xx answered the call's first method: later final responses do not change `finalStatus`. */
  answered = false;
  /** Header names seen, as bit words over `names` (shared between calls). */
  nameWords: readonly number[];
  srcIps: readonly string[];
  dstIps: readonly string[];
  /**
   * From/To numbers when they are more than the call's own `from`/`to` (null: just
   * that one): the one-element list would cost 40 bytes for every call whose
   * number no other call shares.
   */
  private fromList: readonly string[] | null = null;
  private toList: readonly string[] | null = null;
  private extras: ExtraNumbers | null = null;

  constructor(
    readonly index: number,
    readonly callId: string,
    at: Timestamp,
    readonly from: string,
    readonly to: string,
    readonly srcIp: string,
    readonly dstIp: string,
    /** Addresses of the first message (shared lists); the numbers start as `[from]` and `[to]`. */
    addresses: Pick<CallFacts, 'srcIps' | 'dstIps'>,
    /** The store's header-name index, or what the store does not gather (`CallStoreOptions`): reading that throws. */
    private readonly names: HeaderNameIndex | Missing,
    public kept: CapturedMessage[] | null,
  ) {
    this.startSec = this.endSec = at.sec;
    this.startNsec = this.endNsec = at.nsec;
    this.srcIps = addresses.srcIps;
    this.dstIps = addresses.dstIps;
    this.nameWords = NO_WORDS;
  }

  get fromNumbers(): readonly string[] {
    return this.fromList ?? (this.from === '' ? NONE : [this.from]);
  }

  set fromNumbers(list: readonly string[]) {
    this.fromList = isOwn(list, this.from) ? null : list;
  }

  get toNumbers(): readonly string[] {
    return this.toList ?? (this.to === '' ? NONE : [this.to]);
  }

  set toNumbers(list: readonly string[]) {
    this.toList = isOwn(list, this.to) ? null : list;
  }

  get diversion(): readonly string[] { return this.extras?.diversion ?? NONE; }
  set diversion(list: readonly string[]) { this.setExtra('diversion', list); }
  get pai(): readonly string[] { return this.extras?.pai ?? NONE; }
  set pai(list: readonly string[]) { this.setExtra('pai', list); }
  get ppi(): readonly string[] { return this.extras?.ppi ?? NONE; }
  set ppi(list: readonly string[]) { this.setExtra('ppi', list); }

  private setExtra(key: keyof ExtraNumbers, list: readonly string[]): void {
    if (this.extras === null) {
      if (list.length === 0) return;
      this.extras = { diversion: NONE, pai: NONE, ppi: NONE };
    }
    this.extras[key] = list;
  }

  get facts(): CallFacts {
    if (this.names === NO_FACTS) throw notGathered(this.names);
    return this;
  }

  get headerNames(): HeaderNames {
    if (!(this.names instanceof HeaderNameIndex)) throw notGathered(this.names);
    return new HeaderNameBits(this.names, this.nameWords);
  }

  get start(): Timestamp {
    return { sec: this.startSec, nsec: this.startNsec };
  }

  get end(): Timestamp {
    return { sec: this.endSec, nsec: this.endNsec };
  }

  /** Widens start/end to include `sec.nsec`. */
  seenAt(sec: number, nsec: number): void {
    if (sec > this.endSec || (sec === this.endSec && nsec > this.endNsec)) { this.endSec = sec; this.endNsec = nsec; }
    if (sec < this.startSec || (sec === this.startSec && nsec < this.startNsec)) { this.startSec = sec; this.startNsec = nsec; }
  }
}

/** `list` says no more than the call's own number: `[own]`, or nothing when there is none. */
function isOwn(list: readonly string[], own: string): boolean {
  return own === '' ? list.length === 0 : list.length === 1 && list[0] === own;
}
