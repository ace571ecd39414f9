/**
 * nat.binding-timeout — the server sends a request to a registered endpoint
 * at the address its REGISTERs came from, retransmits it (RFC 3261 §17.1.1.2
 * timer A: 0.5 s, 1 s, 2 s, …) and never hears back, while the last packet
 * from that endpoint is older than the shortest common NAT UDP timeout. The
 * router has forgotten the binding and drops the request: "incoming calls
 * stop working after a while". We report the measured idle gap, the
 * retransmission schedule and how often the endpoint registered.
 *
 * 30 s is Linux conntrack's `nf_conntrack_udp_timeout` for a flow that was not
 * seen both ways and the low end of consumer routers (30–120 s); an endpoint
 * silent for longer cannot count on its binding. An endpoint never seen
 * registering from that address is simply unreachable, not this fault. When
 * the endpoint's REGISTER itself shows the NAT (private Via from the public
 * address) a shorter gap counts too: routers with aggressive UDP timeouts exist
 * (the lab's is 2 s), and an endpoint that just registered through the NAT
 * and then answers nothing at that address to at least three transmissions
 * from the very peer it registered with has lost its binding.
 */
import type { CapturedMessage } from '../../calls/captured-message.js';
import { DUPLICATE_WINDOW_NS } from '../../calls/store.js';
import { toIso } from '../../core/time.js';
import { sameIp } from '../addresses.js';
import { cseqOf, destination, source, timeOf, transactionKey } from '../message-facts.js';
import type { Draft, Rule } from '../rule.js';

export const NAT_UDP_TIMEOUT_S = 30;

export const natBindingTimeout: Rule = {
  code: 'nat.binding-timeout',
  check({ messages, history }) {
    const drafts: Draft[] = [];
    const done = new Set<string>();
    messages.forEach((req) => {
      if (req.msg.kind !== 'request' || req.transport !== 'udp' || req.msg.method === 'ACK') return;
      const key = `${transactionKey(req)}|${destination(req)}`;
      if (done.has(key)) return;
      done.add(key);
      const sends: number[] = [];
      let answered = false;
      messages.forEach((m, j) => {
        if (transactionKey(m) !== transactionKey(req)) return;
        if (m.msg.kind === 'request' && destination(m) === destination(req) && sameIp(m.srcIp, req.srcIp)) sends.push(j);
        if (m.msg.kind === 'response' && sameIp(m.srcIp, req.dstIp)) answered = true;
      });
      const times = distinctTimes(sends.map((j) => timeOf(messages[j]!)));
      if (answered || times.length < 2) return;
      const before = history.sentBefore(req.dstIp, req.dstPort, times[0]!);
      const registers = before.filter((s) => s.what === 'REGISTER');
      const last = before[before.length - 1];
      if (registers.length === 0 || last === undefined) return;
      const gap = times[0]! - last.at;
      // Past the common timeouts any NAT may have dropped the binding; sooner, only an endpoint
      // whose REGISTER shows it is behind NAT (private Via from a public source) and that then
      // answers nothing is explained by it (a router with a short UDP timeout, as in test/lab).
      // The REGISTER must have gone to the peer that now calls, or a filtering NAT explains the silence as well.
      const natVia = [...registers].reverse().find((r) => r.natVia !== undefined && r.to === source(req))?.natVia;
      if (gap <= NAT_UDP_TIMEOUT_S && (natVia === undefined || times.length < 3)) return;
      const schedule = times.map((t) => round(t - times[0]!));
      drafts.push({
        messages: sends,
        summary: `${req.msg.method} to ${destination(req)} sent ${times.length} times over ${schedule[schedule.length - 1]} s with no answer; the endpoint was last heard ${round(gap)} s earlier ${
          gap > NAT_UDP_TIMEOUT_S ? '(NAT UDP timeouts are often 30–120 s)' : 'through a NAT whose UDP timeout must be shorter than that'}`,
        evidence: {
          endpoint: destination(req),
          retransmissionSchedule: schedule,
          idleGapSeconds: round(gap),
          lastHeard: { what: last.what, at: toIso(toTs(last.at)), callId: last.callId },
          registrations: registers.length,
          registrationIntervalSeconds: interval(registers.map((r) => r.at)),
          expiresRequested: registers[registers.length - 1]!.expires ?? null,
          finalResponse: finalStatus(messages, req),
          behindNat: natVia === undefined ? null : `REGISTER Via ${natVia} arrived from ${destination(req)}`,
          note: 'CRLF keepalives are not decoded yet; an endpoint using only them may look idle',
        },
      });
    });
    return drafts;
  },
};

/** Copies closer than the duplicate-capture window are one send. */
function distinctTimes(times: number[]): number[] {
  const out: number[] = [];
  for (const t of [...times].sort((a, b) => a - b)) {
    if (out.length === 0 || t - out[out.length - 1]! > DUPLICATE_WINDOW_NS / 1e9) out.push(t);
  }
  return out;
}

function interval(ats: number[]): number | null {
  if (ats.length < 2) return null;
  const gaps = ats.slice(1).map((t, i) => t - ats[i]!).sort((a, b) => a - b);
  return round(gaps[Math.floor(gaps.length / 2)]!);
}

/** The final response the upstream side got for the same CSeq (e.g. 408), if any. */
function finalStatus(messages: readonly CapturedMessage[], req: CapturedMessage): number | null {
  const want = cseqOf(req);
  for (const m of messages) {
    const c = cseqOf(m);
    if (m.msg.kind === 'response' && m.msg.status >= 200 && c.seq === want.seq && c.method === want.method) return m.msg.status;
  }
  return null;
}

function round(s: number): number {
  return Math.round(s * 1000) / 1000;
}

function toTs(at: number): { sec: number; nsec: number } {
  const sec = Math.floor(at);
  return { sec, nsec: Math.round((at - sec) * 1e9) };
}
