/**
 * Client transactions as the capture saw them (RFC 3261 §17.1): every copy of
 * one request sent by one endpoint — the original and its retransmissions,
 * same top Via branch, CSeq and method — and the responses that came back for
 * it. Copies closer together than the duplicate-capture window are one send
 * (the same packet captured twice). Shared by the timing.* rules.
 */
import type { CapturedMessage } from '../calls/captured-message.js';
import { DUPLICATE_WINDOW_NS } from '../calls/store.js';
import { sameIp } from './addresses.js';
import { cseqOf, source, timeOf, transactionKey } from './message-facts.js';

/** RFC 3261 §17.1.1.1 / table 4: RTT estimate, cap of non-INVITE retransmission intervals, transaction timeout. */
export const T1 = 0.5;
export const T2 = 4;
export const TIMER_B = 64 * T1;

export interface ClientTransaction {
  method: string;
  cseq: number;
  /** Index of each distinct send (first copy of each), oldest first. */
  sends: number[];
  /** Capture times of `sends`. */
  times: number[];
  /** Every copy of the request, duplicates included. */
  copies: number[];
  responses: number[];
  transport: CapturedMessage['transport'];
}

const memo = new WeakMap<readonly CapturedMessage[], ClientTransaction[]>();

export function clientTransactions(messages: readonly CapturedMessage[]): ClientTransaction[] {
  let out = memo.get(messages);
  if (out !== undefined) return out;
  out = [];
  const byKey = new Map<string, { t: ClientTransaction; key: string; from: CapturedMessage }>();
  const responsesByKey = new Map<string, number[]>();
  messages.forEach((m, i) => {
    const key = transactionKey(m);
    if (m.msg.kind === 'response') {
      const list = responsesByKey.get(key);
      if (list === undefined) responsesByKey.set(key, [i]);
      else list.push(i);
      return;
    }
    if (m.msg.method.toUpperCase() === 'ACK') return;
    const k = `${key}|${source(m)}`;
    let entry = byKey.get(k);
    if (entry === undefined) {
      const c = cseqOf(m);
      entry = { t: { method: m.msg.method.toUpperCase(), cseq: c.seq, sends: [], times: [], copies: [], responses: [], transport: m.transport }, key, from: m };
      byKey.set(k, entry);
      out!.push(entry.t);
    }
    const t = entry.t;
    t.copies.push(i);
    const at = timeOf(m);
    const prev = t.times[t.times.length - 1];
    if (prev === undefined || at - prev > DUPLICATE_WINDOW_NS / 1e9) {
      t.sends.push(i);
      t.times.push(at);
    }
  });
  for (const { t, key, from } of byKey.values()) {
    // A response travels back towards the request's sender.
    t.responses = (responsesByKey.get(key) ?? []).filter((j) => sameIp(messages[j]!.dstIp, from.srcIp) || sameIp(messages[j]!.srcIp, from.dstIp));
  }
  memo.set(messages, out);
  return out;
}

export function statusAt(messages: readonly CapturedMessage[], i: number): number {
  const m = messages[i]!;
  return m.msg.kind === 'response' ? m.msg.status : 0;
}
