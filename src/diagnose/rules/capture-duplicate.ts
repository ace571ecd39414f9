/**
 * capture.duplicate — the same packet captured twice: identical bytes, same
 * addresses and ports, within the duplicate window (5 ms; a SIP
 * retransmission waits at least T1/2, RFC 3261 §17.1.1.2). Typical of
 * `tcpdump -i any` on a host with bridges or VLAN interfaces. Copies with
 * different addresses are not duplicates: they are one message seen on both
 * sides of a NAT (see alg.rewrite).
 */
import { DUPLICATE_WINDOW_NS } from '../../calls/store.js';
import { destination, source, timeOf } from '../message-facts.js';
import type { Rule } from '../rule.js';

export const captureDuplicate: Rule = {
  code: 'capture.duplicate',
  check({ messages }) {
    const pairs: Array<[number, number]> = [];
    const claimed = new Set<number>();
    messages.forEach((a, i) => {
      if (claimed.has(i)) return;
      for (let j = i + 1; j < messages.length; j++) {
        const b = messages[j]!;
        if (Math.abs(timeOf(b) - timeOf(a)) * 1e9 > DUPLICATE_WINDOW_NS) continue;
        if (source(a) !== source(b) || destination(a) !== destination(b) || !a.msg.raw.equals(b.msg.raw)) continue;
        pairs.push([i, j]);
        claimed.add(j);
      }
    });
    if (pairs.length === 0) return [];
    return [{
      messages: pairs.flat(),
      summary: `${pairs.length} message${pairs.length > 1 ? 's' : ''} captured twice (identical bytes and addresses within ${DUPLICATE_WINDOW_NS / 1e6} ms): duplicates, not retransmissions`,
      evidence: { pairs },
    }];
  },
};
