/**
 * Engineer-style wording of a rewrite: the part of a header that changed,
 * widened to whole tokens, so "Via: SIP/2.0/UDP 192.168.20.100:5060;branch=…"
 * against "…203.0.113.1:5060;branch=…" reads "192.168.20.100:5060 → 203.0.113.1:5060".
 */
import { parseCSeq } from '../sip/cseq.js';
import { getHeader } from '../sip/headers.js';
import type { SipMessage } from '../sip/message.js';

const DELIM = /[\s;,<>@=]/;
const SPLIT = /([\s;,<>@=])/;

export function changedPart(before: string, after: string): { before: string; after: string } {
  if (before === '' || after === '') return { before, after };
  // Same token structure: name each changed token (with its parameter name), once.
  const bt = before.split(SPLIT), at = after.split(SPLIT);
  if (bt.length === at.length) {
    const b: string[] = [], a: string[] = [];
    for (let i = 0; i < bt.length; i++) {
      if (bt[i] === at[i]) continue;
      const param = i >= 2 && bt[i - 1] === '=' ? `${bt[i - 2]}=` : '';
      if (!b.includes(param + bt[i]!)) { b.push(param + bt[i]!); a.push(param + at[i]!); }
    }
    if (b.length > 0) return { before: b.join(', '), after: a.join(', ') };
  }
  let p = 0;
  while (p < before.length && p < after.length && before[p] === after[p]) p++;
  let s = 0;
  while (s < before.length - p && s < after.length - p && before[before.length - 1 - s] === after[after.length - 1 - s]) s++;
  while (p > 0 && !DELIM.test(before[p - 1]!)) p--;
  while (s > 0 && !DELIM.test(before[before.length - s]!)) s--;
  return { before: before.slice(p, before.length - s), after: after.slice(p, after.length - s) };
}

/** "REGISTER", "200 OK (REGISTER)". */
export function messageLabel(m: SipMessage): string {
  if (m.kind === 'request') return m.method;
  const method = parseCSeq(getHeader(m, 'cseq') ?? '').method;
  return `${m.status} ${m.reason}${method ? ` (${method})` : ''}`;
}

export function joinWords(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
