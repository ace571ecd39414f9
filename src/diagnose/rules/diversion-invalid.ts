/**
 * diversion.invalid — a Diversion header (RFC 5806 §3) that does not parse,
 * names no number or an invalid one (libphonenumber, `--region`), or has a
 * counter outside 1..99 (`diversion-counter = "counter" EQUAL 1*2DIGIT`,
 * counting diversions, so at least 1). Trunks that check Diversion refuse the
 * call when it names a number they did not assign.
 */
import { getHeaders } from '../../sip/headers.js';
import { parseNameAddr } from '../../sip/name-addr.js';
import { checkNumber } from '../phone.js';
import type { Draft, Rule } from '../rule.js';

export const diversionInvalid: Rule = {
  code: 'diversion.invalid',
  check({ messages, options }) {
    const byValue = new Map<string, Draft>();
    messages.forEach((m, i) => {
      if (m.msg.kind !== 'request') return;
      for (const value of getHeaders(m.msg, 'diversion')) {
        const problems = problemsOf(value, options.region);
        if (problems.length === 0) continue;
        let d = byValue.get(value);
        if (d === undefined) {
          d = { messages: [], summary: `Diversion "${value}": ${problems.join('; ')}`, evidence: { diversion: value, problems, region: options.region ?? null } };
          byValue.set(value, d);
        }
        d.messages.push(i);
      }
    });
    return [...byValue.values()];
  },
};

function problemsOf(value: string, region?: string): string[] {
  const addr = parseNameAddr(value);
  const problems = addr.issues.map((i) => i.detail);
  const user = addr.uri.user;
  if (user === undefined || user === '') problems.push('names no number');
  else {
    const n = checkNumber(user, region);
    if (n.verdict === 'invalid' || n.verdict === 'not-a-number') problems.push(`${user}: ${n.why ?? 'not a valid number'}`);
  }
  const counter = addr.params['counter'];
  if (counter !== undefined && (counter === null || !/^\d{1,2}$/.test(counter) || Number(counter) < 1)) {
    problems.push(`counter "${counter ?? ''}" is not 1..99`);
  }
  const reason = addr.params['reason'];
  if (reason !== undefined && (reason === null || reason === '')) problems.push('reason has no value');
  return problems;
}
