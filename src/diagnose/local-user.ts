/**
 * Is the server that refused a call the caller's own PBX or registrar — one
 * that knows the caller as one of its users? Then an extension in From is
 * what it expects, and a refusal is about something else (class of service,
 * a barred destination), not about the caller number a trunk would screen.
 * A trunk's refusal of an internal extension (the thesis's `1502`) has none
 * of these marks. The capture shows it when:
 *
 * - the INVITE carried digest credentials for the From user (RFC 3261 §22.2:
 *   the caller authenticated to that server as that user), or
 * - a REGISTER for the From user went to that server, or
 * - that server registers extensions and the caller is one (a PBX; a
 *   provider's registrar sees trunk accounts, full numbers), or
 * - that server answered (2xx) another call whose caller was an extension:
 *   it accepts extensions as callers, so screening them is not why it refused.
 */
import type { Call } from '../calls/call.js';
import type { CapturedMessage } from '../calls/captured-message.js';
import { getHeader } from '../sip/headers.js';
import { parseNameAddr } from '../sip/name-addr.js';
import { normaliseIp } from './addresses.js';
import { credentialsOf } from './digest.js';

/** A user of at most 5 digits is an extension, no public number (phone.ts). */
const EXTENSION = /^\d{1,5}$/;

interface Registered { users: Set<string>; extensions: boolean }

const built = new WeakMap<readonly Call[], Map<string, Registered>>();
const answering = new WeakMap<readonly Call[], Map<string, string>>();

// Both indexes read call summaries only (first message's addresses, From/To users, final
// status): a store diagnosing in batches holds no other call's messages.

/** Per registrar address: the users registered there, and whether any is an extension. */
function registrars(calls: readonly Call[]): Map<string, Registered> {
  let by = built.get(calls);
  if (by !== undefined) return by;
  by = new Map();
  for (const c of calls) {
    if (c.firstMethod !== 'REGISTER' || c.to === '') continue;
    const key = normaliseIp(c.dstIp);
    let r = by.get(key);
    if (r === undefined) by.set(key, (r = { users: new Set(), extensions: false }));
    r.users.add(c.to);
    if (EXTENSION.test(c.to)) r.extensions = true;
  }
  built.set(calls, by);
  return by;
}

/** Per destination address: a call from an extension it answered (Call-ID). */
function answersExtensions(calls: readonly Call[]): Map<string, string> {
  let by = answering.get(calls);
  if (by !== undefined) return by;
  by = new Map();
  for (const c of calls) {
    if (c.firstMethod !== 'INVITE' || c.finalStatus === null || c.finalStatus < 200 || c.finalStatus >= 300 || !EXTENSION.test(c.from)) continue;
    const key = normaliseIp(c.dstIp);
    if (!by.has(key)) by.set(key, c.callId);
  }
  answering.set(calls, by);
  return by;
}

/** Why the INVITE's destination knows its caller as a local user, or undefined when nothing shows it. */
export function localUserEvidence(invite: CapturedMessage, messages: readonly CapturedMessage[], calls: readonly Call[]): string | undefined {
  const from = parseNameAddr(getHeader(invite.msg, 'from') ?? '').uri;
  const user = from.user ?? '';
  if (user === '') return undefined;
  for (const m of messages) {
    if (m.msg.kind !== 'request' || m.msg.method.toUpperCase() !== 'INVITE') continue;
    const cred = credentialsOf(m.msg);
    if (cred !== undefined && cred.params['username'] === user) return `the caller authenticated to ${invite.dstIp} as "${user}"`;
  }
  const r = registrars(calls).get(normaliseIp(invite.dstIp));
  if (r?.users.has(user)) return `${user} registered with ${invite.dstIp}`;
  if (r?.extensions === true && EXTENSION.test(user)) return `${invite.dstIp} registers extensions: it is the caller's own PBX`;
  const answered = answersExtensions(calls).get(normaliseIp(invite.dstIp));
  if (answered !== undefined) return `${invite.dstIp} answered call ${answered} from an extension`;
  return undefined;
}
