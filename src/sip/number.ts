/**
 * Telephone-number normalisation for matching callers and callees.
 *
 * SPEC.md: numbers match on digits after normalising `+`, `00`, `tel:` and
 * visual separators. The same subscriber appears as `+49 (30) 1234-56`,
 * `0049301234 56`, `tel:+49-30-123456` or `sip:+4930123456;user=phone@gw`;
 * all normalise to `4930123456`. RFC 3966 §5.1.1 visual separators
 * (`-` `.` `(` `)`) and spaces (often escaped as `%20`, RFC 3261 §19.1.2)
 * are dropped; `*` and `#` are dialable and kept. A user part that is not a
 * number after that (`alice`) is returned unchanged: it is a name, not digits.
 */
import { getHeader } from './headers.js';
import type { SipMessage } from './message.js';
import { parseNameAddr } from './name-addr.js';
import { parseUri } from './uri.js';

/** Normalise a user part, number or URI to bare digits (see file comment). */
export function normaliseNumber(userOrUri: string): string {
  let user = userOrUri.trim();
  if (/^(?:sips?|tel):/i.test(user) || user.startsWith('<')) user = parseUri(user).user ?? '';
  // telephone-subscriber parameters (`;phone-context=`, `;npdi`) are not digits.
  const semi = user.indexOf(';');
  const number = semi < 0 ? user : user.slice(0, semi);
  const candidate = percentDecode(number).replace(/[-.()\s]/g, '');
  if (!/^\+?[0-9*#]+$/.test(candidate)) return user;
  if (candidate.startsWith('+')) return candidate.slice(1);
  // `00` is the ITU international prefix: the same number as `+`.
  if (candidate.startsWith('00')) return candidate.slice(2);
  return candidate;
}

/** Normalised user of an address header value such as `"Bob" <sip:+4930@x>;tag=1`. */
export function partyNumber(headerValue: string): string {
  const addr = parseNameAddr(headerValue);
  return normaliseNumber(addr.uri.user ?? '');
}

/** The From or To party of a message as SPEC.md shows it; undefined when the header is missing. */
export function callParty(msg: SipMessage, which: 'from' | 'to'): string | undefined {
  const value = getHeader(msg, which);
  return value === undefined ? undefined : partyNumber(value);
}

function percentDecode(s: string): string {
  if (s.indexOf('%') < 0) return s;
  return s.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
