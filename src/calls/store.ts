/**
 * Groups captured SIP messages into calls by Call-ID, in arrival order.
 *
 * Memory is bounded by the number of calls, never by the bytes read: a call
 * keeps its summary and a small map of transaction keys; the messages themselves
 * are kept only for calls the caller asks for (`keep`), e.g. the one call
 * `sipv show` prints.
 */
import type { Timestamp } from '../core/time.js';
import type { SipMessage } from '../sip/message.js';
import { getHeader } from '../sip/headers.js';
import { parseSipMessage } from '../sip/parse.js';
import type { Call } from './call.js';
import type { CapturedMessage } from './captured-message.js';
import { partyNumber } from '../sip/number.js';
import { addFacts } from './facts.js';

/**
 * The same packet captured twice (two interfaces, `-i any`) arrives within
 * microseconds; a SIP retransmission waits at least T1/2 … T1 (RFC 3261 §17.1.1.2,
 * 500 ms by default). Anything in between is far more likely a duplicate capture.
 */
export const DUPLICATE_WINDOW_NS = 5_000_000;

export interface CallStoreOptions {
  /** Decides, when a call is first seen, whether its messages are kept. */
  keep?: (index: number, callId: string) => boolean;
}

interface Transaction { sec: number; nsec: number }

interface CallState {
  call: Call;
  /** Last sighting per transaction key (CSeq + method/status + top Via branch). */
  seen: Map<string, Transaction>;
  /** CSeq of the call's first request; its final response becomes `finalStatus`. */
  firstCseq: string | null;
  answered: boolean;
}

export class CallStore {
  private readonly byId = new Map<string, CallState>();
  private readonly ordered: CallState[] = [];
  private messageCount = 0;

  constructor(private readonly options: CallStoreOptions = {}) {}

  get size(): number { return this.ordered.length; }
  get messagesSeen(): number { return this.messageCount; }

  add(m: CapturedMessage): void {
    this.messageCount++;
    const callId = getHeader(m.msg, 'call-id') ?? '';
    let state = this.byId.get(callId);
    if (state === undefined) {
      state = this.open(callId, m);
      this.byId.set(callId, state);
      this.ordered.push(state);
    }
    this.update(state, m);
  }

  /** All calls in arrival order. */
  calls(): Call[] {
    return this.ordered.map((s) => s.call);
  }

  find(callId: string): Call | undefined {
    return this.byId.get(callId)?.call;
  }

  private open(callId: string, m: CapturedMessage): CallState {
    const index = this.ordered.length;
    const at: Timestamp = { sec: m.sec, nsec: m.nsec };
    const call: Call = {
      index, callId, start: at, end: at,
      firstMethod: null,
      from: partyNumber(getHeader(m.msg, 'from') ?? ''),
      to: partyNumber(getHeader(m.msg, 'to') ?? ''),
      srcIp: m.srcIp, dstIp: m.dstIp,
      messages: 0, finalStatus: null, retransmissions: 0, duplicates: 0, anomalies: 0,
      facts: {
        srcIps: new Set(), dstIps: new Set(), fromNumbers: new Set(), toNumbers: new Set(),
        diversion: new Set(), pai: new Set(), ppi: new Set(), headerNames: new Set(),
      },
      kept: this.options.keep?.(index, callId) ? [] : null,
    };
    return { call, seen: new Map(), firstCseq: null, answered: false };
  }

  private update(state: CallState, m: CapturedMessage): void {
    const { call } = state;
    const msg = m.msg;
    call.messages++;
    call.anomalies += msg.issues.length;
    if (m.sec > call.end.sec || (m.sec === call.end.sec && m.nsec > call.end.nsec)) call.end = { sec: m.sec, nsec: m.nsec };
    if (m.sec < call.start.sec || (m.sec === call.start.sec && m.nsec < call.start.nsec)) call.start = { sec: m.sec, nsec: m.nsec };
    // Parsed messages point into the reader's chunk; a kept one gets its own bytes.
    call.kept?.push({ ...m, msg: parseSipMessage(Buffer.from(msg.raw)) ?? msg });
    addFacts(call.facts, m);
    this.countRepeat(state, m);

    const cseq = getHeader(msg, 'cseq');
    if (msg.kind === 'request') {
      if (call.firstMethod === null) {
        call.firstMethod = msg.method;
        state.firstCseq = cseq ?? null;
      }
      return;
    }
    this.trackFinalStatus(state, msg, cseq);
  }

  /**
   * `finalStatus` answers "how did the call end": the first 2xx to the call's
   * initial method wins (a later re-INVITE's 491 does not undo an answered
   * call); otherwise the last final response (407 then 403 means rejected).
   */
  private trackFinalStatus(state: CallState, msg: SipMessage & { kind: 'response' }, cseq: string | undefined): void {
    if (msg.status < 200 || state.answered || cseq === undefined) return;
    const method = cseqMethod(cseq);
    const wanted = state.call.firstMethod ?? (state.firstCseq ? cseqMethod(state.firstCseq) : null);
    if (wanted !== null && method !== wanted) return;
    state.call.finalStatus = msg.status;
    if (msg.status < 300) state.answered = true;
  }

  private countRepeat(state: CallState, m: CapturedMessage): void {
    const key = transactionKey(m);
    const before = state.seen.get(key);
    state.seen.set(key, { sec: m.sec, nsec: m.nsec });
    if (before === undefined) return;
    const gapNs = (m.sec - before.sec) * 1e9 + (m.nsec - before.nsec);
    if (Math.abs(gapNs) <= DUPLICATE_WINDOW_NS) state.call.duplicates++;
    else state.call.retransmissions++;
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
function transactionKey(m: CapturedMessage): string {
  const msg = m.msg;
  const what = msg.kind === 'request' ? msg.method : String(msg.status);
  const via = getHeader(msg, 'via') ?? '';
  const branch = /;\s*branch\s*=\s*([^;,\s]+)/i.exec(via)?.[1] ?? via;
  return `${getHeader(msg, 'cseq') ?? ''}|${what}|${branch}`;
}
