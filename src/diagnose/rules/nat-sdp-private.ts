/**
 * nat.sdp-private — the SDP tells the far end where to send media (c=,
 * RFC 4566 §5.7). A private c= in a message that crossed a NAT means the far
 * end sends RTP into the void: one-way or silent audio, unless a media server
 * anchors the media (then the SDP it forwards would be public). A private o=
 * with a public c= is harmless for media but shows a NAT (or an ALG that
 * rewrote only c=), so it is reported as info.
 */
import { classify, crossedNat } from '../addresses.js';
import { label, source, sdpOf } from '../message-facts.js';
import type { Draft, Rule } from '../rule.js';

export const natSdpPrivate: Rule = {
  code: 'nat.sdp-private',
  check({ messages }) {
    const groups = new Map<string, Draft>();
    messages.forEach((m, i) => {
      const sdp = sdpOf(m.msg);
      if (sdp === undefined) return;
      const conns = new Set<string>();
      if (sdp.connection) conns.add(sdp.connection.ip);
      for (const media of sdp.media) if (media.connection && media.port !== 0) conns.add(media.connection.ip);
      const privateC = [...conns].filter((ip) => crossedNat(ip, m.srcIp));
      const origin = sdp.origin.address;
      const privateO = origin !== '' && crossedNat(origin, m.srcIp);
      if (privateC.length === 0 && !privateO) return;
      const key = privateC.length > 0 ? `c=${privateC.join(',')}` : `o=${origin}`;
      let d = groups.get(key);
      if (d === undefined) {
        const audio = sdp.media.find((x) => x.type === 'audio');
        d = privateC.length > 0
          ? {
              messages: [],
              summary: `SDP in ${label(m)} from ${source(m)} announces media at ${privateC.map((ip) => `${ip} (${classify(ip)})`).join(', ')}: media will be one-way or silent unless the server anchors it`,
              evidence: { connection: privateC, origin, packetSource: source(m), audioPort: audio?.port ?? null },
            }
          : {
              messages: [],
              severity: 'info',
              summary: `SDP o= ${origin} is private while the ${label(m)} came from ${source(m)}; c= is public, so only the origin line shows the NAT`,
              evidence: { origin, connection: [...conns], packetSource: source(m) },
            };
        groups.set(key, d);
      }
      d.messages.push(i);
    });
    return [...groups.values()];
  },
};
