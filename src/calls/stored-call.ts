/**
 * A call as the in-memory store holds it. A 1 GB capture has 270 000 calls,
 * so the object is lean: start and end are four small integers rather than two
 * objects of their own (`start`/`end` make one when asked), and the store's
 * bookkeeping (transactions seen, facts memo, answered) lives on the same
 * object instead of a second one per call.
 */
import type { Timestamp } from '../core/time.js';
import type { Call, CallFacts } from './call.js';
import type { CapturedMessage } from './captured-message.js';
import type { FactsMemo } from './facts.js';

const NONE: readonly number[] = Object.freeze([]);

export class StoredCall implements Call, FactsMemo {
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
  /**
   * Last sighting per transaction (CSeq + method/status + top Via branch) as
   * pairs [32-bit key hash, time in seconds] in one flat array: a call has a
   * handful of transactions, and a Map of strings per call would cost more
   * than the rest of the call together.
   */
  tx: readonly number[] = NONE;
  memoFrom = 0;
  memoTo = 0;
  /** A 2xx answered the call's first method: later final responses do not change `finalStatus`. */
  answered = false;

  constructor(
    readonly index: number,
    readonly callId: string,
    at: Timestamp,
    readonly from: string,
    readonly to: string,
    readonly srcIp: string,
    readonly dstIp: string,
    readonly facts: CallFacts,
    public kept: CapturedMessage[] | null,
  ) {
    this.startSec = this.endSec = at.sec;
    this.startNsec = this.endNsec = at.nsec;
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
