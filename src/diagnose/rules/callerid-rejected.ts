/**
 * callerid.rejected — the call's INVITE was refused (403/404/484/603, or a
 * reason phrase about the caller) and the caller number it carried is not a
 * valid number (libphonenumber, `--region`), or From and P-Asserted-Identity
 * name different numbers. Trunks screen the calling number against the
 * national numbering plan and the numbers they assigned: an internal
 * extension (`1502`) or a foreign number gets a 403. A refusal with clean,
 * consistent numbers is not reported — we do not guess. Nor is a refusal by
 * the caller's own PBX (local-user.ts: the caller authenticated or registered
 * there as that user, the server registers extensions, or it answered other
 * extension callers): an extension in From is what a PBX expects from its
 * phones, and its 403 is about something else (gen-sip-pcap's "forbidden"
 * calls). Only a server that does not know the caller screens its number.
 */
import type { CapturedMessage } from '../../calls/captured-message.js';
import { getHeaders } from '../../sip/headers.js';
import { parseNameAddr } from '../../sip/name-addr.js';
import { normaliseNumber } from '../../sip/number.js';
import { initialRefusal } from '../dialog.js';
import { localUserEvidence } from '../local-user.js';
import { checkNumber, type NumberCheck } from '../phone.js';
import type { Rule } from '../rule.js';

const CALLER_HEADERS: Array<[string, string]> = [
  ['from', 'From'], ['p-asserted-identity', 'P-Asserted-Identity'],
  ['p-preferred-identity', 'P-Preferred-Identity'], ['remote-party-id', 'Remote-Party-ID'],
];

export interface CallerNumber extends NumberCheck { header: string; value: string }

export function callerNumbers(m: CapturedMessage, region?: string): CallerNumber[] {
  const out: CallerNumber[] = [];
  for (const [name, header] of CALLER_HEADERS) {
    for (const value of getHeaders(m.msg, name)) {
      const uri = parseNameAddr(value).uri;
      if (uri.user === undefined || uri.user === '') continue;
      out.push({ header, value, ...checkNumber(uri.user, region, uri.params['phone-context'] ?? undefined) });
    }
  }
  return out;
}

export const calleridRejected: Rule = {
  code: 'callerid.rejected',
  check({ messages, options, calls }) {
    const refusal = initialRefusal(messages);
    if (refusal === undefined) return [];
    if (localUserEvidence(messages[refusal.invite]!, messages, calls) !== undefined) return [];
    const numbers = callerNumbers(messages[refusal.invite]!, options.region);
    const invalid = numbers.filter((n) => n.verdict === 'invalid');
    const from = numbers.find((n) => n.header === 'From' && n.verdict !== 'not-a-number');
    const pai = numbers.find((n) => n.header === 'P-Asserted-Identity' && n.verdict !== 'not-a-number');
    const differ = from !== undefined && pai !== undefined && !sameNumber(from, pai);
    if (invalid.length === 0 && !differ) return [];
    const what = invalid.length > 0
      ? invalid.map((n) => `${n.raw} in ${n.header} (${n.why ?? 'not a valid number'})`).join('; ')
      : `From says ${from!.raw} but P-Asserted-Identity says ${pai!.raw}`;
    return [{
      messages: [refusal.invite, refusal.response],
      summary: `${refusal.status} ${refusal.reason} to the INVITE; caller number ${what}`,
      evidence: {
        status: refusal.status, reason: refusal.reason, region: options.region ?? null,
        numbers: numbers.map(({ header, value, raw, verdict, e164, why }) => ({ header, value, number: raw, verdict, e164: e164 ?? null, why: why ?? null })),
        fromDiffersFromPai: differ,
        expected: options.region
          ? `a valid ${options.region.toUpperCase()} number from the trunk's range, e.g. in E.164 (+…) or national format`
          : 'a full public number from the trunk\'s range (give --region to check national numbers)',
      },
    }];
  },
};

/**
 * The same subscriber written two ways (`9171969136` and `+79171969136`,
 * `030901820` and `+4930901820`): equal digits, or one ends with the other's
 * national part (trunk prefix `0` dropped) and that part has 6+ digits.
 */
function sameNumber(a: NumberCheck, b: NumberCheck): boolean {
  const x = normaliseNumber(a.e164 ?? a.raw).replace(/^0+/, ''), y = normaliseNumber(b.e164 ?? b.raw).replace(/^0+/, '');
  if (x === y) return true;
  const [short, long] = x.length < y.length ? [x, y] : [y, x];
  return short.length >= 6 && long.endsWith(short);
}
