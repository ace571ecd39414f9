/**
 * nat.contact-private — a Contact names an address behind NAT (RFC 1918,
 * CGNAT, link-local, ULA) while the packet carrying it came from another
 * realm. Whoever stores or uses that Contact (registrar, the far end for
 * ACK/BYE/re-INVITE) will send to an unreachable address: incoming calls fail,
 * calls drop after ~32 s when the ACK never arrives. Kamailio's
 * nat_uac_test flag 1 is this check.
 *
 * A private Contact from a private source is one private network (or a
 * proxy inside it), not NAT, so it is left alone (see `crossedNat`).
 */
import { getHeaders } from '../../sip/headers.js';
import { parseNameAddr } from '../../sip/name-addr.js';
import { classify, crossedNat } from '../addresses.js';
import { cseqOf, label, source, viaCount } from '../message-facts.js';
import type { Draft, Rule } from '../rule.js';

export const natContactPrivate: Rule = {
  code: 'nat.contact-private',
  check({ messages }) {
    const byContact = new Map<string, { draft: Draft; sources: Set<string>; labels: Set<string> }>();
    messages.forEach((m, i) => {
      // A REGISTER response lists the bindings the UA registered (RFC 3261 §10.3 step 8), not the
      // responder's address; registrars that handle NAT (fix_nated_register) still echo them as sent.
      if (m.msg.kind === 'response' && cseqOf(m).method === 'REGISTER') return;
      for (const value of getHeaders(m.msg, 'contact')) {
        const addr = parseNameAddr(value);
        if (addr.star || !crossedNat(addr.uri.host, m.srcIp)) continue;
        let entry = byContact.get(addr.uri.raw);
        if (entry === undefined) {
          const forwarded = m.msg.kind === 'request' && viaCount(m) > 1;
          entry = {
            draft: {
              messages: [],
              summary: `Contact ${addr.uri.raw} is a ${classify(addr.uri.host)} address but the ${label(m)} came from ${source(m)}`
                + (forwarded ? ' (forwarded by a proxy that left it unchanged)' : ''),
              evidence: { contact: value, contactHost: addr.uri.host, addressKind: classify(addr.uri.host), forwardedByProxy: forwarded },
            },
            sources: new Set(), labels: new Set(),
          };
          byContact.set(addr.uri.raw, entry);
        }
        entry.draft.messages.push(i);
        entry.sources.add(source(m));
        entry.labels.add(label(m));
      }
    });
    return [...byContact.values()].map(({ draft, sources, labels }) => {
      draft.evidence['packetSources'] = [...sources];
      draft.evidence['in'] = [...labels];
      return draft;
    });
  },
};
