/**
 * nat.via-mismatch — the top Via of a request says where its sender thinks it
 * is (RFC 3261 §18.2.1); the packet says where it really came from. A proxy
 * puts its own Via on top before forwarding, so the top Via is always the
 * last sender's: a different address means NAT between that sender and the
 * capture point. The port is compared only over UDP: over TCP/TLS/WS the
 * sent-by port is the listening port and the connection comes from an
 * ephemeral one (§18.2.1), which is normal. Hostnames are not resolved.
 *
 * On the private side of a NAT the two agree, and when a SIP ALG rewrote the
 * Via they agree as well — so this finding also tells which side the capture
 * is from.
 */
import { classify, isIpLiteral, sameIp } from '../addresses.js';
import { defaultPort, source, topVia } from '../message-facts.js';
import type { Draft, Rule } from '../rule.js';

const PORT_ONLY_ADVICE = 'The sender does not send from the port it listens on: harmless without NAT, but behind NAT it needs rport (RFC 3581) or symmetric signalling (send from the listening port).';

export const natViaMismatch: Rule = {
  code: 'nat.via-mismatch',
  check({ messages }) {
    const groups = new Map<string, Draft>();
    messages.forEach((m, i) => {
      if (m.msg.kind !== 'request') return;
      const via = topVia(m);
      if (via === undefined || !isIpLiteral(via.host)) return;
      const port = via.port ?? defaultPort(via.transport);
      // 127.0.1.1 (Debian's hostname entry) sending from 127.0.0.1 is one host, not a NAT.
      const bothLoopback = classify(via.host) === 'loopback' && classify(m.srcIp) === 'loopback';
      const addressDiffers = !sameIp(via.host, m.srcIp) && !bothLoopback;
      const portDiffers = m.transport === 'udp' && via.transport === 'UDP' && port !== m.srcPort && !bothLoopback;
      if (!addressDiffers && !portDiffers) return;
      const sentBy = via.ipv6 ? `[${via.host}]:${port}` : `${via.host}:${port}`;
      const key = `${sentBy}|${source(m)}`;
      let d = groups.get(key);
      if (d === undefined) {
        const what = addressDiffers && portDiffers ? 'address and port' : addressDiffers ? 'address' : 'port';
        d = {
          messages: [],
          // Same address, other port: the sender does not send from its listening port (no
          // symmetric signalling, RFC 4961) — fine on a LAN, broken once a NAT is in the path.
          ...(addressDiffers ? {} : { advice: PORT_ONLY_ADVICE }),
          summary: `top Via sent-by ${sentBy} differs in ${what} from the packet source ${source(m)}`,
          evidence: {
            via: via.raw, sentBy, packetSource: source(m), transport: m.transport,
            rport: 'rport' in via.params, received: via.received ?? null,
          },
        };
        groups.set(key, d);
      }
      d.messages.push(i);
    });
    return [...groups.values()];
  },
};
