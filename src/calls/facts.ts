/**
 * What the filter language matches on, gathered per call as messages arrive:
 * addresses, the numbers in From/To/Diversion/P-Asserted-Identity/
 * P-Preferred-Identity, and the names of every header seen.
 */
import { getHeaders } from '../sip/headers.js';
import { partyNumber } from '../sip/number.js';
import type { CallFacts } from './call.js';
import type { CapturedMessage } from './captured-message.js';

function addNumbers(target: Set<string>, values: string[]): void {
  for (const v of values) {
    const n = partyNumber(v);
    if (n !== '') target.add(n);
  }
}

export function addFacts(facts: CallFacts, m: CapturedMessage): void {
  facts.srcIps.add(m.srcIp);
  facts.dstIps.add(m.dstIp);
  const msg = m.msg;
  for (const h of msg.headers) facts.headerNames.add(h.name);
  addNumbers(facts.fromNumbers, getHeaders(msg, 'from'));
  addNumbers(facts.toNumbers, getHeaders(msg, 'to'));
  if (facts.headerNames.has('diversion')) addNumbers(facts.diversion, getHeaders(msg, 'diversion'));
  if (facts.headerNames.has('p-asserted-identity')) addNumbers(facts.pai, getHeaders(msg, 'p-asserted-identity'));
  if (facts.headerNames.has('p-preferred-identity')) addNumbers(facts.ppi, getHeaders(msg, 'p-preferred-identity'));
}
