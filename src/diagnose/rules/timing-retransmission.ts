/**
 * timing.retransmission — a UDP request retransmitted on a schedule RFC 3261
 * does not give (§17.1.1.2, §17.1.2.2):
 *
 * - INVITE: timer A starts at T1 (500 ms) and doubles without cap — sends at
 *   0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s — and stops at the first response.
 * - other methods: timer E starts at T1 and doubles up to T2 (4 s) — 0, 0.5,
 *   1.5, 3.5, 7.5, 11.5, … — and stops at the final response (after a
 *   provisional it runs at T2, not checked here).
 * - nothing is sent after timer B/F (64·T1 = 32 s).
 *
 * Each interval is compared with the expected one, with 150 ms or 15 % slack
 * (timer wheels tick coarsely). A request first seen within 32 s of the
 * capture's start may have been sent before it: its schedule may start at any
 * later step (a CANCEL seen every 4 s is in its capped phase). A schedule with the right shape from another
 * T1 is info — T1 is configurable ("MAY be chosen larger", §17.1.1.1) — a
 * wrong shape (fixed intervals, no cap, no doubling) is a warning, and so is
 * a request still retransmitted at least T1 after a response that should have
 * stopped it was captured: that response is not reaching the sender (NAT,
 * wrong Via/rport, firewall). Reliable transports do not retransmit at all.
 */
import { captureSpan } from '../call-index.js';
import { destination } from '../message-facts.js';
import type { Draft, Rule } from '../rule.js';
import { clientTransactions, statusAt, T1, T2, TIMER_B, type ClientTransaction } from '../transactions.js';

function round(s: number): number {
  return Math.round(s * 1000) / 1000;
}

/** Expected interval before send k+1 (k ≥ 0) from the given T1, the schedule entered at step `phase`. */
function expectedInterval(method: string, t1: number, k: number, phase = 0): number {
  const doubled = t1 * 2 ** (k + phase);
  return method === 'INVITE' ? doubled : Math.min(doubled, Math.max(T2, t1));
}

function fits(observed: number, expected: number): boolean {
  return Math.abs(observed - expected) <= Math.max(0.15, 0.15 * expected);
}

/** Intervals that do not fit the schedule of `t1`: [k, observed, expected]. */
function misfits(method: string, intervals: number[], t1: number, phase = 0): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  intervals.forEach((d, k) => {
    const e = expectedInterval(method, t1, k, phase);
    if (!fits(d, e)) out.push([k, d, e]);
  });
  return out;
}

export const timingRetransmission: Rule = {
  code: 'timing.retransmission',
  check({ messages, calls }) {
    const drafts: Draft[] = [];
    const start = captureSpan(calls).start;
    for (const t of clientTransactions(messages)) {
      if (t.transport !== 'udp' || t.sends.length < 2) continue;
      const d = judge(messages, t, t.times[0]! - start <= TIMER_B);
      if (d !== undefined) drafts.push(d);
    }
    return drafts;
  },
};

function judge(messages: Parameters<Rule['check']>[0]['messages'], t: ClientTransaction, mayPredate: boolean): Draft | undefined {
  const t0 = t.times[0]!;
  const req = messages[t.sends[0]!]!;
  const what = `${t.method} to ${destination(req)}`;
  // Responses that stop retransmission: any for INVITE, a final for the rest.
  const stops = t.responses.filter((j) => t.method === 'INVITE' || statusAt(messages, j) >= 200);
  const stopAt = stops.length === 0 ? Infinity : messages[stops[0]!]!.sec + messages[stops[0]!]!.nsec / 1e9;
  // A copy sent long after the one before is a replay (a fuzzer, a reused branch), not a retransmission:
  // timer A's longest step is 16 s, timer E's is T2.
  const longest = (t.method === 'INVITE' ? 16 : T2) * 1.15 + 0.15;
  const ignored = t.sends.filter((_, k) => k > 0 && t.times[k]! - stopAt >= T1 && t.times[k]! - t.times[k - 1]! <= longest);
  const schedule = t.times.map((x) => round(x - t0));
  if (ignored.length > 0) {
    const status = statusAt(messages, stops[0]!);
    return {
      messages: [...t.sends, stops[0]!],
      summary: `${what} was sent ${ignored.length} more time${ignored.length > 1 ? 's' : ''} at least ${T1 * 1000} ms after its ${status} was captured going back: the response is not reaching the sender`,
      evidence: { method: t.method, destination: destination(req), sendTimes: schedule, stoppedBy: { status, afterSeconds: round(stopAt - t0) }, retransmissionsAfter: ignored.length },
      advice: 'Find where the response is lost between the capture point and the sender: it must go to the request\'s source address and port (rport, RFC 3581; no SIP ALG rewriting Via), and no firewall may drop it.',
    };
  }
  // The schedule is judged up to the response that changes it.
  const checkUntil = t.method === 'INVITE' ? stopAt : t.responses.length === 0 ? Infinity : messages[t.responses[0]!]!.sec + messages[t.responses[0]!]!.nsec / 1e9;
  const times = t.times.filter((x) => x <= checkUntil);
  if (times.length < 2) return undefined;
  const intervals = times.slice(1).map((x, k) => x - times[k]!);
  const late = times.filter((x) => x - t0 > TIMER_B + Math.max(0.15, 0.15 * TIMER_B)).length;
  const rfc = misfits(t.method, intervals, T1);
  if (rfc.length === 0 && late === 0) return undefined;
  // Sent before the capture began: the first captured send may be a later step of the schedule.
  if (mayPredate && late === 0 && [1, 2, 3, 4, 5, 6].some((phase) => misfits(t.method, intervals, T1, phase).length === 0)) return undefined;
  const rounded = intervals.map(round);
  const expected = intervals.map((_, k) => round(expectedInterval(t.method, T1, k)));
  const other = intervals[0]!;
  const sameShape = other >= 0.05 && misfits(t.method, intervals, other).length === 0 && late === 0;
  const base = { method: t.method, destination: destination(req), sendTimes: schedule, intervals: rounded, expectedIntervals: expected };
  if (sameShape) {
    return {
      messages: t.sends,
      severity: 'info',
      summary: `${what} retransmitted with T1 = ${Math.round(other * 1000)} ms (intervals ${rounded.join(', ')} s) instead of the default 500 ms`,
      evidence: { ...base, t1Seconds: round(other) },
      advice: 'Use T1 = 500 ms unless the round-trip time is known to be longer (RFC 3261 §17.1.1.1); a shorter T1 floods a slow peer with retransmissions (Asterisk timert1, Kamailio tm retr_timer1, FreeSWITCH timer-T1).',
    };
  }
  const [k, obs, exp] = rfc[0] ?? [intervals.length - 1, intervals[intervals.length - 1]!, NaN];
  return {
    messages: t.sends,
    summary: `${what} retransmitted at intervals ${rounded.join(', ')} s; RFC 3261 gives ${expected.join(', ')} s (${
      late > 0 ? `${late} send${late > 1 ? 's' : ''} after the 32 s transaction timeout` : `interval ${k + 1} is ${round(obs)} s, expected ${round(exp)} s`})`,
    evidence: { ...base, sendsAfterTimeout: late },
  };
}
