/**
 * capture.duplicate — the same packet captured twice: identical bytes, same
 * addresses and ports, within the duplicate window (5 ms; a SIP
 * retransmission waits at least T1/2, RFC 3261 §17.1.1.2). Typical of
 * `tcpdump -i any` on a host with bridges or VLAN interfaces. Copies with
 * different addresses are not duplicates: they are one message seen on both
 * sides of a NAT (see alg.rewrite).
 *
 * A UA that got a request twice (a retransmission) often answers both copies
 * back to back with identical bytes — two real sends (the IP IDs differ, e.g.
 * gprshome-wireshark-sip.pcap frames 575/576), which the SIP layer cannot
 * tell from a capture duplicate; such response pairs are left alone.
 */
import { DUPLICATE_WINDOW_NS } from '../../calls/store.js';
import type { CapturedMessage } from '../../calls/captured-message.js';
import { destination, source, timeOf, transactionKey } from '../message-facts.js';
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
        if (answersRetransmission(messages, a)) continue;
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

function answersRetransmission(messages: readonly CapturedMessage[], res: CapturedMessage): boolean {
  if (res.msg.kind !== 'response') return false;
  const key = transactionKey(res);
  const times = messages.filter((m) => m.msg.kind === 'request' && transactionKey(m) === key && timeOf(m) <= timeOf(res)).map(timeOf);
  return times.some((t) => Math.abs(t - times[0]!) * 1e9 > DUPLICATE_WINDOW_NS);
}
