/**
 * The REGISTER transactions of one Call-ID (RFC 3261 §10.2: a UA keeps the
 * Call-ID and raises CSeq for each REGISTER, refreshes included), each with
 * what it asked for and how it was answered. Shared by the register.* rules.
 */
import type { CapturedMessage } from '../calls/captured-message.js';
import { getHeader, getHeaders } from '../sip/headers.js';
import { parseNameAddr } from '../sip/name-addr.js';
import { credentialsOf, type DigestParams } from './digest.js';
import { cseqOf, timeOf, transactionKey } from './message-facts.js';

export interface RegisterAttempt {
  /** Index of the first copy of the request. */
  request: number;
  /** Every copy of the request (retransmissions, duplicate captures). */
  copies: number[];
  cseq: number;
  at: number;
  /** Address of record: the To URI as `user@host` (RFC 3261 §10.2). */
  aor: string;
  /** Contact URIs being bound (`*` for remove-all). */
  contacts: string[];
  /** Expiry asked for, seconds: Contact ;expires, else Expires; undefined when neither. */
  expires?: number;
  credentials?: DigestParams;
  /** Responses to it, in arrival order. */
  responses: number[];
  /** The first final response. */
  final?: { index: number; status: number; reason: string; at: number };
}

const memo = new WeakMap<readonly CapturedMessage[], RegisterAttempt[]>();

function digits(v: string | undefined | null): number | undefined {
  return v != null && /^\s*\d+\s*$/.test(v) ? Number(v.trim()) : undefined;
}

/** `user@host` of a To/From value, host lower-cased. */
export function aorOf(value: string | undefined): string {
  if (value === undefined) return '';
  const u = parseNameAddr(value).uri;
  return `${u.user ?? ''}@${u.host.toLowerCase()}`;
}

function requestedExpires(m: CapturedMessage): number | undefined {
  for (const c of getHeaders(m.msg, 'contact')) {
    const e = digits(parseNameAddr(c).params['expires']);
    if (e !== undefined) return e;
  }
  return digits(getHeader(m.msg, 'expires'));
}

export function registerAttempts(messages: readonly CapturedMessage[]): RegisterAttempt[] {
  let out = memo.get(messages);
  if (out !== undefined) return out;
  out = [];
  // By transaction (branch, CSeq): scanners resend new credentials under one CSeq with a new branch.
  const byKey = new Map<string, RegisterAttempt>();
  messages.forEach((m, i) => {
    const c = cseqOf(m);
    if (c.method !== 'REGISTER') return;
    const key = transactionKey(m);
    if (m.msg.kind === 'request') {
      const known = byKey.get(key);
      if (known !== undefined) { known.copies.push(i); return; }
      const a: RegisterAttempt = {
        request: i, copies: [i], cseq: c.seq, at: timeOf(m), aor: aorOf(getHeader(m.msg, 'to')),
        contacts: getHeaders(m.msg, 'contact').map((v) => { const n = parseNameAddr(v); return n.star ? '*' : n.uri.raw; }),
        responses: [],
      };
      const e = requestedExpires(m);
      if (e !== undefined) a.expires = e;
      const cred = credentialsOf(m.msg);
      if (cred !== undefined) a.credentials = cred;
      byKey.set(key, a);
      out!.push(a);
      return;
    }
    const a = byKey.get(key);
    if (a === undefined) return;
    a.responses.push(i);
    if (a.final === undefined && m.msg.status >= 200) a.final = { index: i, status: m.msg.status, reason: m.msg.reason, at: timeOf(m) };
  });
  memo.set(messages, out);
  return out;
}

/** True for a REGISTER that removes bindings (expires 0 or `Contact: *`, RFC 3261 §10.2.2). */
export function isDeregistration(a: RegisterAttempt): boolean {
  return a.contacts.includes('*') || a.expires === 0;
}

/**
 * Seconds the registrar granted in its 2xx (RFC 3261 §10.3 step 8: each
 * binding's Contact carries expires): the entry for the attempt's own Contact,
 * else the 2xx's Expires, else what was asked for.
 */
export function grantedExpires(a: RegisterAttempt, ok: CapturedMessage): number | undefined {
  const mine = new Set(a.contacts.map((c) => c.toLowerCase()));
  const listed = getHeaders(ok.msg, 'contact').map((v) => parseNameAddr(v));
  for (const n of listed) {
    const e = digits(n.params['expires']);
    if (e !== undefined && mine.has(n.uri.raw.toLowerCase())) return e;
  }
  // One binding listed under another spelling (a registrar rewrites the Contact it stores).
  const only = listed.length === 1 ? digits(listed[0]!.params['expires']) : undefined;
  return only ?? digits(getHeader(ok.msg, 'expires')) ?? a.expires;
}
