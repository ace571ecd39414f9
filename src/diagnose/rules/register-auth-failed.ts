/**
 * register.auth-failed — a REGISTER that answered the latest digest challenge
 * with credentials built on that very challenge's nonce (RFC 3261 §22.2, §22.4)
 * and was challenged again (401/407) without `stale=true` (RFC 7616 §3.3: a
 * stale nonce means the password was right). The registrar computed another
 * response than the UA did: the password, the username or the realm is
 * wrong. UAs then loop (REGISTER → 401 → REGISTER with credentials → 401 …)
 * or give up; the phone shows "registration failed". A credentialed REGISTER
 * that answers an older challenge, or reuses a nonce that was accepted before
 * (eyeBeam refreshes with its first nonce; servers answer a fresh challenge
 * without stale=true), is left alone: a new challenge is the normal answer.
 */
import { getHeader } from '../../sip/headers.js';
import { challengeOf, isStale } from '../digest.js';
import { registerAttempts } from '../registration.js';
import type { Rule } from '../rule.js';

const CHALLENGE = new Set([401, 407]);
const STALE_REASON = /nonce|stale|expired/i;

export const registerAuthFailed: Rule = {
  code: 'register.auth-failed',
  check({ messages }) {
    let latest: string | undefined; // nonce of the last challenge seen, the one the UA should answer
    const accepted = new Set<string>(); // nonces that already got a 2xx: reusing one later may just be expired
    const failed: Array<{ request: number; response: number; nonce: string }> = [];
    let username: string | undefined, realm: string | undefined, challengeRealm: string | undefined;
    for (const a of registerAttempts(messages)) {
      const f = a.final;
      const challenge = f !== undefined && CHALLENGE.has(f.status) ? challengeOf(messages[f.index]!.msg) : undefined;
      const nonce = a.credentials?.params['nonce'];
      // "401 nonce has changed" (cybercity.dk, sngrep's aaa.pcap) is a stale nonce said in words, without stale=true.
      const staleSaid = f !== undefined && STALE_REASON.test(f.reason);
      if (challenge !== undefined && nonce !== undefined && nonce === latest && !accepted.has(nonce) && !isStale(challenge) && !staleSaid) {
        failed.push({ request: a.request, response: f!.index, nonce });
        username = a.credentials!.params['username'];
        realm = a.credentials!.params['realm'];
        challengeRealm = challenge.params['realm'];
      }
      if (nonce !== undefined && f !== undefined && f.status >= 200 && f.status < 300) accepted.add(nonce);
      const n = challenge?.params['nonce'];
      if (n !== undefined) latest = n;
    }
    if (failed.length === 0) return [];
    const first = registerAttempts(messages).find((a) => a.request === failed[0]!.request)!;
    const last = messages[failed[failed.length - 1]!.response]!;
    const status = last.msg.kind === 'response' ? last.msg.status : 0;
    const realmNote = realm !== undefined && challengeRealm !== undefined && realm !== challengeRealm
      ? `; the credentials name realm "${realm}" but the challenge is for "${challengeRealm}"` : '';
    return [{
      messages: failed.flatMap((x) => [x.request, x.response]),
      summary: `REGISTER for ${first.aor} answered the challenge with credentials (username "${username ?? ''}") and was challenged again ${failed.length === 1 ? 'once' : `${failed.length} times`} (${status}): the registrar rejects the password or username${realmNote}`,
      evidence: {
        aor: first.aor, username: username ?? null, realm: realm ?? null, challengeRealm: challengeRealm ?? null,
        failedAttempts: failed.length, lastStatus: status, userAgent: getHeader(messages[first.request]!.msg, 'user-agent') ?? null,
        note: 'each credentialed REGISTER used the nonce of the challenge before it, and the new challenge was not stale=true',
      },
    }];
  },
};
