/**
 * HTTP Digest as SIP uses it (RFC 3261 §22.4, §25.1; RFC 7616 §3.3–3.4): the
 * parameters of a challenge (`WWW-Authenticate` / `Proxy-Authenticate`) and of
 * the credentials answering it (`Authorization` / `Proxy-Authorization`).
 * Only what the registration rules compare is read: scheme, realm, nonce,
 * username and stale. Never throws; an unparsable value yields no params.
 */
import { getHeader } from '../sip/headers.js';
import type { SipMessage } from '../sip/message.js';

export interface DigestParams {
  scheme: string;
  /** Parameter names lower-cased, quotes and escapes removed. */
  params: Record<string, string>;
}

export function parseDigest(value: string): DigestParams {
  const s = value.trim();
  const sp = s.search(/\s/);
  const scheme = sp < 0 ? s : s.slice(0, sp);
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (const m of (sp < 0 ? '' : s.slice(sp)).matchAll(re)) {
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  }
  return { scheme, params };
}

/** The challenge of a 401/407 (WWW- or Proxy-Authenticate), when it carries one. */
export function challengeOf(msg: SipMessage): DigestParams | undefined {
  const v = getHeader(msg, 'www-authenticate') ?? getHeader(msg, 'proxy-authenticate');
  return v === undefined ? undefined : parseDigest(v);
}

/** The credentials a request carries (Authorization or Proxy-Authorization), if any. */
export function credentialsOf(msg: SipMessage): DigestParams | undefined {
  const v = getHeader(msg, 'authorization') ?? getHeader(msg, 'proxy-authorization');
  return v === undefined ? undefined : parseDigest(v);
}

/** RFC 7616 §3.3: `stale=true` — the nonce expired, the credentials themselves were right. */
export function isStale(c: DigestParams): boolean {
  return (c.params['stale'] ?? '').toLowerCase() === 'true';
}
