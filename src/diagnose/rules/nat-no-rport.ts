/**
 * nat.no-rport — RFC 3581: a client behind NAT adds `;rport` to its Via so the
 * server answers to the packet's source port, which is the only port the NAT
 * binding opened. Without it the server answers to the Via port (RFC 3261
 * §18.2.2) — on a NAT that changed the port, into nothing (the classic Cisco
 * 7940 story). "Behind NAT" means the top Via (always the last sender's own,
 * see nat.via-mismatch) is an internal address and the packet came from
 * another realm (`crossedNat`); a private Via from another private address is
 * a multi-homed host (OmniPCX in sipcapture-heplify-erspan), not NAT. UDP
 * only: over TCP the response returns on the connection.
 */
import { crossedNat } from '../addresses.js';
import { label, source, topVia } from '../message-facts.js';
import type { Rule } from '../rule.js';

export const natNoRport: Rule = {
  code: 'nat.no-rport',
  check({ messages }) {
    const hits: number[] = [];
    const vias = new Set<string>();
    const sources = new Set<string>();
    const labels = new Set<string>();
    messages.forEach((m, i) => {
      if (m.msg.kind !== 'request' || m.transport !== 'udp') return;
      const via = topVia(m);
      if (via === undefined || via.transport !== 'UDP' || 'rport' in via.params) return;
      if (!crossedNat(via.host, m.srcIp)) return;
      hits.push(i);
      vias.add(via.raw);
      sources.add(source(m));
      labels.add(label(m));
    });
    if (hits.length === 0) return [];
    return [{
      messages: hits,
      summary: `${[...labels].join('/')} from behind NAT (Via ${[...vias][0]}, packet from ${[...sources][0]}) has no rport: responses will go to the Via port`,
      evidence: { via: [...vias], packetSources: [...sources] },
    }];
  },
};
