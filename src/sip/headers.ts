/**
 * Header look-up over a parsed message by canonical name.
 *
 * RFC 3261 §7.3.1: a header whose grammar is a comma-separated list may be
 * sent as several lines or as one comma-joined line, and both mean the same.
 * `getHeaders` therefore splits list headers on commas, but only on commas
 * outside quoted strings (display names) and `<...>` (URIs may carry commas
 * in their headers part). Non-list headers such as Date or WWW-Authenticate
 * contain commas that are not separators, so they are never split.
 */
import { canonicalName } from './compact.js';
import type { SipMessage } from './message.js';

/** Canonical names whose values are comma-separated lists (open set; add as needed). */
export const LIST_HEADERS: ReadonlySet<string> = new Set([
  'via', 'contact', 'route', 'record-route', 'path', 'service-route',
  'allow', 'supported', 'require', 'proxy-require', 'unsupported', 'allow-events',
  'accept', 'accept-encoding', 'accept-language', 'content-encoding', 'content-language',
  'accept-contact', 'reject-contact', 'request-disposition',
  'alert-info', 'call-info', 'error-info', 'in-reply-to',
  'p-asserted-identity', 'p-preferred-identity', 'p-associated-uri',
  'history-info', 'diversion', 'reason', 'security-client', 'security-server', 'security-verify',
]);

/** First value of a header (first list element for list headers), or undefined. */
export function getHeader(msg: SipMessage, name: string): string | undefined {
  const want = canonicalName(name);
  for (const h of msg.headers) {
    if (h.name !== want) continue;
    if (!LIST_HEADERS.has(want)) return h.value;
    const first = splitList(h.value)[0];
    if (first !== undefined) return first;
  }
  return undefined;
}

/** Every value of a header in message order, list headers split into elements. */
export function getHeaders(msg: SipMessage, name: string): string[] {
  const want = canonicalName(name);
  const list = LIST_HEADERS.has(want);
  const out: string[] = [];
  for (const h of msg.headers) {
    if (h.name !== want) continue;
    if (list) for (const v of splitList(h.value)) out.push(v);
    else out.push(h.value);
  }
  return out;
}

/** True when the message has at least one header of that name (compact forms accepted). */
export function hasHeader(msg: SipMessage, name: string): boolean {
  const want = canonicalName(name);
  return msg.headers.some((h) => h.name === want);
}

/**
 * Split a list value on top-level commas, trimming each element and dropping
 * empty ones (§7.3.1 allows empty elements to be ignored). A backslash escapes
 * the next character inside a quoted string (§25.1 quoted-pair).
 */
export function splitList(value: string): string[] {
  if (value.indexOf(',') < 0) {
    const t = value.trim();
    return t === '' ? [] : [t];
  }
  const out: string[] = [];
  let quoted = false, angle = 0, start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (quoted) {
      if (c === 0x5c) i++;            // backslash: skip the escaped char
      else if (c === 0x22) quoted = false;
    } else if (c === 0x22) quoted = true;
    else if (c === 0x3c) angle++;
    else if (c === 0x3e && angle > 0) angle--;
    else if (c === 0x2c && angle === 0) {
      const part = value.slice(start, i).trim();
      if (part !== '') out.push(part);
      start = i + 1;
    }
  }
  const tail = value.slice(start).trim();
  if (tail !== '') out.push(tail);
  return out;
}
