/**
 * timing.no-answer — a call's INVITE got 100 Trying and nothing more from
 * the callee's side: no 180/183, no answer, and then 408 Request Timeout (a
 * proxy's timer C or B expired, RFC 3261 §16.8, §17.1.1.2) or no final
 * response at all although the capture went on for longer than timer C
 * (> 3 min, §16.6 step 11). The hop that said 100 accepted the call but could
 * not reach the callee: an unregistered or unreachable phone (expired NAT
 * binding, stale Contact), a dead gateway, a firewall on the far leg.
 * A call the caller cancelled (CANCEL/487) is not this.
 */
import { captureEnd } from '../call-index.js';
import { isInitialInvite } from '../dialog.js';
import { destination, label, source, timeOf } from '../message-facts.js';
import type { Draft, Rule } from '../rule.js';
import { clientTransactions, statusAt } from '../transactions.js';
import { maxOf } from '../../core/max.js';

/** RFC 3261 §16.6 step 11: timer C is greater than 3 minutes. */
export const TIMER_C = 180;
const TIMEOUTS = new Set([408]);

function round(s: number): number {
  return Math.round(s * 1000) / 1000;
}

export const timingNoAnswer: Rule = {
  code: 'timing.no-answer',
  check({ messages, calls }) {
    const drafts: Draft[] = [];
    const cancelled = messages.some((m) => m.msg.kind === 'request' && m.msg.method.toUpperCase() === 'CANCEL');
    if (cancelled) return [];
    for (const t of clientTransactions(messages)) {
      if (t.method !== 'INVITE' || !isInitialInvite(messages[t.sends[0]!]!)) continue;
      const provisional = t.responses.filter((j) => statusAt(messages, j) < 200);
      const final = t.responses.find((j) => statusAt(messages, j) >= 200);
      if (provisional.length === 0 || provisional.some((j) => statusAt(messages, j) !== 100)) continue;
      const t0 = t.times[0]!;
      const trying = messages[provisional[0]!]!;
      let ending: string;
      if (final !== undefined) {
        if (!TIMEOUTS.has(statusAt(messages, final))) continue;
        ending = `${label(messages[final]!)} after ${round(timeOf(messages[final]!) - t0)} s`;
      } else {
        const last = maxOf([...t.copies, ...t.responses].map((j) => timeOf(messages[j]!)));
        const waited = captureEnd(calls) - last;
        if (waited <= TIMER_C) continue;
        ending = `no final response in the ${round(captureEnd(calls) - t0)} s the capture went on`;
      }
      const req = messages[t.sends[0]!]!;
      drafts.push({
        messages: [t.sends[0]!, ...provisional, ...(final === undefined ? [] : [final])],
        summary: `INVITE to ${destination(req)}: 100 Trying from ${source(trying)} after ${round(timeOf(trying) - t0)} s, then no ringing and ${ending}`,
        evidence: {
          destination: destination(req), tryingFrom: source(trying), tryingAfterSeconds: round(timeOf(trying) - t0),
          final: final === undefined ? null : { status: statusAt(messages, final), from: source(messages[final]!), afterSeconds: round(timeOf(messages[final]!) - t0) },
          sends: t.sends.length,
        },
      });
    }
    return drafts;
  },
};
