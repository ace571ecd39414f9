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

export interface CallFacts {
  /** Every IP address seen as source or destination. */
  srcIps: Set<string>;
  dstIps: Set<string>;
  /** Normalised numbers found in the named headers. */
  fromNumbers: Set<string>;
  toNumbers: Set<string>;
  diversion: Set<string>;
  pai: Set<string>;
  ppi: Set<string>;
  /** Canonical names of every header seen in the call. */
  headerNames: Set<string>;
}
