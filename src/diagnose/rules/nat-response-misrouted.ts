/**
 * nat.response-misrouted — a UDP request came from S but its response, sent by
 * the host that received the request, went somewhere else: to the Via
 * sent-by, or to S's address with the Via port (RFC 3261 §18.2.2 without
 * rport). Behind a NAT only S is reachable, so the client never sees the
 * answer and retransmits. Judged only when NAT is evident (internal Via
 * address, packet from another realm: `crossedNat`) or the client asked for
 * rport (RFC 3581 §4: then S is the only right destination); a client that
 * merely sends from a port other than its Via port and has no rport is
 * answered correctly at the Via port.
 */
import { crossedNat, sameIp } from '../addresses.js';
import { destination, source, timeOf, topVia, transactionKey } from '../message-facts.js';
import type { Draft, Rule } from '../rule.js';

export const natResponseMisrouted: Rule = {
  code: 'nat.response-misrouted',
  check({ messages }) {
    const drafts: Draft[] = [];
    const judged = new Set<string>();
    messages.forEach((req, i) => {
      if (req.msg.kind !== 'request' || req.transport !== 'udp' || req.msg.method === 'ACK') return;
      const via = topVia(req);
      if (via === undefined) return;
      const natted = crossedNat(via.host, req.srcIp);
      const rport = 'rport' in via.params;
      if (!natted && !rport) return;
      const key = transactionKey(req);
      if (judged.has(key)) return; // retransmissions of the same request
      // A capture holding both sides of a NAT (`-i any` on the router, LAN and WAN merged) has a
      // copy of the request per hop; the server answers the hop it got it from, so any copy's
      // source towards that server is a right destination.
      const hops = messages.filter((m) => m.msg.kind === 'request' && transactionKey(m) === key && sameIp(m.dstIp, req.dstIp));
      const wrong: number[] = [];
      messages.forEach((res, j) => {
        if (res.msg.kind !== 'response' || res.transport !== 'udp' || timeOf(res) < timeOf(req)) return;
        if (!sameIp(res.srcIp, req.dstIp) || transactionKey(res) !== key) return;
        if (!hops.some((h) => sameIp(res.dstIp, h.srcIp) && res.dstPort === h.srcPort)) wrong.push(j);
      });
      if (wrong.length === 0) return;
      judged.add(key);
      const first = messages[wrong[0]!]!;
      drafts.push({
        messages: [i, ...wrong],
        summary: `${first.msg.kind === 'response' ? first.msg.status : ''} to ${req.msg.method} went to ${destination(first)}, but the request came from ${source(req)}`,
        evidence: {
          requestSource: source(req), via: via.raw, rport,
          responseDestinations: [...new Set(wrong.map((j) => destination(messages[j]!)))],
        },
      });
    });
    return drafts;
  },
};
