/**
 * register.interval-too-brief — the registrar answered 423 Interval Too Brief
 * (RFC 3261 §10.3 step 7, §21.4.17): the expiry the UA asked for is shorter
 * than the registrar's Min-Expires (§20.23). A UA may retry with at least
 * Min-Expires (§10.2.8); when it did and was accepted the finding is info
 * (registration works, one round trip wasted each time); when it did not, the
 * phone stays unregistered (warning).
 */
import { getHeader } from '../../sip/headers.js';
import { registerAttempts } from '../registration.js';
import type { Rule } from '../rule.js';

export const registerIntervalTooBrief: Rule = {
  code: 'register.interval-too-brief',
  check({ messages }) {
    const attempts = registerAttempts(messages);
    const brief = attempts.filter((a) => a.final?.status === 423);
    if (brief.length === 0) return [];
    const last = brief[brief.length - 1]!;
    const minText = getHeader(messages[last.final!.index]!.msg, 'min-expires')?.trim();
    const min = minText !== undefined && /^\d+$/.test(minText) ? Number(minText) : undefined;
    const after = attempts.filter((a) => a.at > last.at);
    const fixed = after.find((a) => a.final !== undefined && a.final.status >= 200 && a.final.status < 300
      && (min === undefined || (a.expires ?? Infinity) >= min));
    const asked = last.expires ?? null;
    const summary = `REGISTER for ${last.aor} asked for ${asked === null ? 'no explicit' : `${asked} s`} expiry and got 423${
      min === undefined ? ' without Min-Expires' : ` (Min-Expires ${min} s)`}${brief.length > 1 ? `, ${brief.length} times` : ''}; ${
      fixed ? `the retry with ${fixed.expires ?? 'no explicit'} s was accepted` : 'no retry with a longer expiry was accepted'}`;
    return [{
      messages: [...brief.flatMap((a) => [a.request, a.final!.index]), ...(fixed ? [fixed.request, fixed.final!.index] : [])],
      summary,
      ...(fixed ? { severity: 'info' as const } : {}),
      evidence: {
        aor: last.aor, expiresRequested: asked, minExpires: min ?? null, times: brief.length,
        retriedWith: fixed?.expires ?? null, registered: fixed !== undefined,
      },
    }];
  },
};
