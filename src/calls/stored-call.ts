/**
 * A call as the in-memory store holds it. A 1 GB capture has 270 000 calls,
 * so it is one object, not five: start and end are four small integers rather
 * than two objects (`start`/`end` make one when asked), the call is its own
 * `facts` (header names kept as bit words, `headerNames` a view made when
 * asked), and the store's bookkeeping (transaction list, facts memo,
 * answered) lives on it too.
 */
import type { Timestamp } from '../core/time.js';
import { HeaderNameBits, type Call, type CallFacts, type HeaderNameIndex, type HeaderNames } from './call.js';
import type { CapturedMessage } from './captured-message.js';
import type { FactsMemo } from './facts.js';

const NO_WORDS: readonly number[] = Object.freeze([]);

/** The fact lists are the call's own fields (declared here, set in the constructor). */
export interface StoredCall extends Omit<CallFacts, 'headerNames'> {}

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

  constructor(
    readonly index: number,
    readonly callId: string,
    at: Timestamp,
    readonly from: string,
    readonly to: string,
    readonly srcIp: string,
    readonly dstIp: string,
    facts: Omit<CallFacts, 'headerNames'>,
    private readonly names: HeaderNameIndex,
    public kept: CapturedMessage[] | null,
  ) {
    this.startSec = this.endSec = at.sec;
    this.startNsec = this.endNsec = at.nsec;
    this.srcIps = facts.srcIps;
    this.dstIps = facts.dstIps;
    this.fromNumbers = facts.fromNumbers;
    this.toNumbers = facts.toNumbers;
    this.diversion = facts.diversion;
    this.pai = facts.pai;
    this.ppi = facts.ppi;
    this.nameWords = NO_WORDS;
  }

  get facts(): CallFacts {
    return this;
  }

  get headerNames(): HeaderNames {
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
