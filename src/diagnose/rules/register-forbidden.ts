/**
 * register.forbidden — the registrar answered REGISTER with 403 (RFC 3261
 * §21.4.4: understood, refused, "authorization will not help"). Registrars
 * use it for a wrong password (Asterisk with alwaysauthreject, FreeSWITCH),
 * an unknown or disabled account, a From/To domain the account is not in, a
 * source address outside the account's ACL, or a ban (fail2ban, pike). The
 * finding says whether credentials were sent, with which username, and what
 * the reason phrase and any Warning header say. One finding per Call-ID.
 */
import { getHeader } from '../../sip/headers.js';
import { registerAttempts } from '../registration.js';
import type { Rule } from '../rule.js';

export const registerForbidden: Rule = {
  code: 'register.forbidden',
  check({ messages }) {
    const refused = registerAttempts(messages).filter((a) => a.final?.status === 403);
    if (refused.length === 0) return [];
    const last = refused[refused.length - 1]!;
    const resp = messages[last.final!.index]!;
    const warning = getHeader(resp.msg, 'warning') ?? null;
    const username = last.credentials?.params['username'] ?? null;
    const withCredentials = refused.some((a) => a.credentials !== undefined);
    return [{
      messages: refused.flatMap((a) => [a.request, a.final!.index]),
      summary: `REGISTER for ${last.aor} refused with 403 ${last.final!.reason}${refused.length > 1 ? ` (${refused.length} times)` : ''}, ${
        withCredentials ? `credentials for username "${username ?? ''}" sent` : 'no credentials sent'}${warning === null ? '' : `; Warning: ${warning}`}`,
      evidence: {
        aor: last.aor, status: 403, reason: last.final!.reason, warning, attempts: refused.length,
        credentialsSent: withCredentials, username, source: `${messages[last.request]!.srcIp}:${messages[last.request]!.srcPort}`,
      },
    }];
  },
};
