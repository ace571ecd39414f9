/**
 * timing.no-provisional — an INVITE over UDP got no response within T1
 * (500 ms, RFC 3261 §17.1.1.1) and its sender retransmitted it (timer A,
 * §17.1.1.2): the next hop did not send 100 Trying at once (§17.2.1: a UAS
 * or proxy MUST when it cannot answer within 200 ms), or did not get the
 * INVITE, or its answer was lost. Requiring a retransmission keeps this to
 * what the client saw go wrong: a 486 after 2 s without 100 that nobody
 * retransmitted for is a slow UAS, not a failed transaction.
 *
 * Error when nothing came back or the first answer was a failure (often the
 * 408 of a proxy that gave up); warning when a late answer let the call go on
 * after two or more retransmissions (over 1.5 s of silence); info after one
 * (a softphone waking up, a slow 100: harmless, but the retransmission shows).
 * An INVITE to a registered endpoint that never answers is left to
 * nat.binding-timeout when that rule explains it (an expired NAT binding).
 */
import { natBindingTimeout } from './nat-binding-timeout.js';
import { captureEnd } from '../call-index.js';
import { destination, label, timeOf } from '../message-facts.js';
import type { Draft, Rule } from '../rule.js';
import { clientTransactions, T1 } from '../transactions.js';

function round(s: number): number {
  return Math.round(s * 1000) / 1000;
}

export const timingNoProvisional: Rule = {
  code: 'timing.no-provisional',
  check(input) {
    const { messages, calls } = input;
    const drafts: Draft[] = [];
    let claimed: Set<number> | undefined;
    for (const t of clientTransactions(messages)) {
      if (t.method !== 'INVITE' || t.transport !== 'udp') continue;
      const t0 = t.times[0]!;
      const first = t.responses[0];
      const firstAt = first === undefined ? Infinity : timeOf(messages[first]!);
      if (firstAt - t0 <= T1) continue;
      const before = t.times.filter((x) => x < firstAt);
      if (before.length < 2) continue; // not retransmitted: nothing shows the client missed an answer
      if (first === undefined) {
        if (captureEnd(calls) - t0 <= T1) continue;
        claimed ??= new Set(natBindingTimeout.check(input).flatMap((d) => d.messages));
        if (claimed.has(t.sends[0]!)) continue;
      }
      const req = messages[t.sends[0]!]!;
      const firstMsg = first === undefined ? undefined : messages[first]!;
      const status = firstMsg?.msg.kind === 'response' ? firstMsg.msg.status : null;
      // A 401/407 challenge is an answer the call goes on from, not a failure.
      const failed = status === null || (status >= 300 && status !== 401 && status !== 407);
      const schedule = before.map((x) => round(x - t0));
      drafts.push({
        messages: [...t.sends.filter((_, k) => t.times[k]! < firstAt), ...(first === undefined ? [] : [first])],
        ...(failed ? {} : { severity: before.length > 2 ? 'warning' as const : 'info' as const }),
        summary: `INVITE to ${destination(req)} sent ${before.length} times over ${schedule[schedule.length - 1]} s with no response within ${T1 * 1000} ms; ${
          first === undefined ? 'nothing came back' : `the first response was ${label(firstMsg!)} after ${round(firstAt - t0)} s`}`,
        evidence: {
          destination: destination(req), sends: before.length, sendTimes: schedule,
          firstResponse: first === undefined ? null : { status, afterSeconds: round(firstAt - t0) },
          t1Seconds: T1,
        },
      });
    }
    return drafts;
  },
};
