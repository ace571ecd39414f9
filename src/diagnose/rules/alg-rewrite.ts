/**
 * alg.rewrite — one message seen on both sides of a device inside the same
 * capture (`tcpdump -i any` on the router, or two taps merged): same
 * transaction, different packet addresses, forwarded within milliseconds.
 * A plain NAT changes only the IP/UDP addresses, so the SIP bytes stay
 * identical; any difference inside the SIP message — header order, a
 * rewritten Via/Contact/Call-ID, a changed SDP — is the device's SIP ALG.
 * (`sipv compare` does the same across two captures.)
 */
import type { CapturedMessage } from '../../calls/captured-message.js';
import { destination, label, source, timeOf, transactionKey } from '../message-facts.js';
import type { Draft, Rule } from '../rule.js';

/** A router forwards in well under this; a retransmission comes ≥ 500 ms later. */
const FORWARD_WINDOW_S = 0.05;

export const algRewrite: Rule = {
  code: 'alg.rewrite',
  check({ messages }) {
    const drafts: Draft[] = [];
    const used = new Set<number>();
    messages.forEach((a, i) => {
      if (used.has(i)) return;
      for (let j = i + 1; j < messages.length; j++) {
        const b = messages[j]!;
        if (Math.abs(timeOf(b) - timeOf(a)) > FORWARD_WINDOW_S) continue;
        if (used.has(j) || label(a) !== label(b) || transactionKey(a) !== transactionKey(b)) continue;
        if (source(a) === source(b) && destination(a) === destination(b)) continue; // a duplicate, not a hop
        used.add(j);
        if (a.msg.raw.equals(b.msg.raw)) break; // plain NAT: addresses only
        const changes = diff(a, b);
        drafts.push({
          messages: [i, j],
          summary: `${label(a)} was changed inside SIP while crossing ${source(a)}→${destination(a)} / ${source(b)}→${destination(b)}: ${changes.map((c) => c.where).join(', ')}`,
          evidence: { before: { src: source(a), dst: destination(a) }, after: { src: source(b), dst: destination(b) }, changes },
        });
        break;
      }
    });
    return drafts;
  },
};

interface Change { where: string; before: string; after: string }

function diff(a: CapturedMessage, b: CapturedMessage): Change[] {
  const changes: Change[] = [];
  const order = (m: CapturedMessage): string => m.msg.headers.map((h) => h.rawName).join(', ');
  const setA = [...a.msg.headers.map((h) => h.name)].sort().join();
  const setB = [...b.msg.headers.map((h) => h.name)].sort().join();
  if (order(a) !== order(b) && setA === setB) changes.push({ where: 'header order', before: order(a), after: order(b) });
  const values = (m: CapturedMessage): Map<string, string[]> => {
    const out = new Map<string, string[]>();
    for (const h of m.msg.headers) out.set(h.name, [...(out.get(h.name) ?? []), h.value]);
    return out;
  };
  const va = values(a), vb = values(b);
  for (const name of new Set([...va.keys(), ...vb.keys()])) {
    const x = (va.get(name) ?? []).join(' | '), y = (vb.get(name) ?? []).join(' | ');
    if (x !== y && name !== 'content-length') changes.push({ where: name, before: x, after: y });
  }
  if (!a.msg.body.equals(b.msg.body)) changes.push({ where: 'body', before: a.msg.body.toString('latin1'), after: b.msg.body.toString('latin1') });
  if (changes.length === 0) changes.push({ where: 'bytes', before: `${a.msg.raw.length} bytes`, after: `${b.msg.raw.length} bytes` });
  return changes;
}
