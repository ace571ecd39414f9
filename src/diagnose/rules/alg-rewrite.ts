/**
 * alg.rewrite — one message seen on both sides of a device inside the same
 * capture (`tcpdump -i any` on the router, or two taps merged): same
 * transaction, different packet addresses, forwarded within milliseconds.
 * A plain NAT changes only the IP/UDP addresses, so the SIP bytes stay
 * identical; any difference inside the SIP message — header order, a
 * rewritten Via/Contact/Call-ID, a changed SDP — is the device's SIP ALG.
 * (`sipv compare` does the same across two captures.)
 *
 * When the only change is the NAT's own translation written into the SIP text
 * (the inside ip:port replaced by the outside one in Via, Contact, SDP,
 * received/rport — what nf_nat_sip does, test/lab), the ALG "worked": it hid
 * the NAT from the server. That is worth knowing (info), not yet a fault;
 * anything else it changed (order, tags, other addresses) stays a warning.
 */
import type { CapturedMessage } from '../../calls/captured-message.js';
import { destination, label, source, timeOf, transactionKey } from '../message-facts.js';
import type { Draft, Rule } from '../rule.js';
import { endpoint } from '../../net/packet.js';

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
        const hidden = hidNat(a, b, changes);
        const where = changes.map((c) => c.where).join(', ');
        drafts.push({
          messages: [i, j],
          summary: hidden === undefined
            ? `${label(a)} was changed inside SIP while crossing ${source(a)}→${destination(a)} / ${source(b)}→${destination(b)}: ${where}`
            : `${label(a)}: a SIP ALG replaced ${hidden.from} by ${hidden.to} in ${where} — it hid the NAT, so the far side sees no private address`,
          evidence: { before: { src: source(a), dst: destination(a) }, after: { src: source(b), dst: destination(b) }, changes, hidesNat: hidden !== undefined },
          ...(hidden === undefined ? {} : { severity: 'info' as const }),
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

/**
 * The translated endpoint when every change from a to b is the NAT's own
 * translation written into the text (requests change source, responses
 * destination): each changed header value or body equals the old one with
 * inside ip:port, ip and rport= replaced by the outside ones. Values the ALG
 * left alone (a Call-ID naming the inside address, a foreign Contact) are not
 * changes. Content-Length is not compared (alg.malformed checks it).
 */
function hidNat(a: CapturedMessage, b: CapturedMessage, changes: readonly Change[]): { from: string; to: string } | undefined {
  const srcMoved = source(a) !== source(b), dstMoved = destination(a) !== destination(b);
  if (srcMoved === dstMoved) return undefined;
  const [ipA, portA, ipB, portB] = srcMoved ? [a.srcIp, a.srcPort, b.srcIp, b.srcPort] : [a.dstIp, a.dstPort, b.dstIp, b.dstPort];
  const ip = (x: string): RegExp => new RegExp(`(?<![0-9A-Za-z.:])${x.replace(/[.:[\]]/g, '\\$&')}(?![0-9A-Za-z])`, 'g');
  const translate = (t: string): string => t
    .replace(ip(`${ipA}:${portA}`), `${ipB}:${portB}`)
    .replace(ip(ipA), ipB)
    .replace(new RegExp(`;rport=${portA}(?![0-9])`, 'g'), `;rport=${portB}`);
  const only = changes.every((c) => c.where !== 'header order' && c.where !== 'bytes' && translate(c.before) === c.after);
  return only ? { from: endpoint(ipA, portA), to: endpoint(ipB, portB) } : undefined;
}
