/**
 * URI parser for SIP, SIPS (RFC 3261 §19.1), TEL (RFC 3966) and any other
 * scheme (kept opaque: the scheme set is open, STYLE.md principle 5).
 *
 *   sip:user:password@host:port;uri-parameters?headers
 *
 * Tolerant by design: it is fed values that faulty SIP-ALGs rewrote, so a
 * port above 65535 is kept *and* reported (a classic ALG fault), an
 * unbracketed IPv6 host is reported, and nothing throws. Escapes (%XX) are
 * left as written; number normalisation decodes them where it matters.
 * Issue offsets are character offsets into the given text.
 */
import { issue, type Issue } from '../core/issue.js';

export interface SipUri {
  /** The text as given (surrounding `<>` and whitespace removed). */
  raw: string;
  /** Lower-case scheme: `sip`, `sips`, `tel`, or any other; '' when missing. */
  scheme: string;
  /** sip/sips user part (escapes kept); for tel: the number with its separators. */
  user?: string;
  password?: string;
  /** Host without IPv6 brackets; '' for tel and opaque URIs. */
  host: string;
  /** True when the host was written as `[IPv6]`. */
  ipv6?: boolean;
  port?: number;
  /** URI parameters, names lower-cased; `null` for a parameter without `=value`. */
  params: Record<string, string | null>;
  /** `?name=value&...` headers part, as written. */
  headers: Record<string, string>;
  /** Everything after `scheme:` for schemes we do not parse. */
  opaque?: string;
  issues: Issue[];
}

/** Parse a URI; never throws, damage becomes `issues`. */
export function parseUri(text: string): SipUri {
  let raw = text.trim();
  if (raw.startsWith('<') && raw.endsWith('>')) raw = raw.slice(1, -1).trim();
  const uri: SipUri = { raw, scheme: '', host: '', params: Object.create(null), headers: Object.create(null), issues: [] };
  const colon = raw.indexOf(':');
  const scheme = colon > 0 && isScheme(raw, colon) ? raw.slice(0, colon).toLowerCase() : '';
  if (scheme === '') {
    uri.issues.push(issue('sip.uri-no-scheme', `URI "${raw}" has no scheme`, 0));
    parseSipLike(uri, raw, 0);
    return uri;
  }
  uri.scheme = scheme;
  if (scheme === 'sip' || scheme === 'sips') parseSipLike(uri, raw, colon + 1);
  else if (scheme === 'tel') parseTel(uri, raw, colon + 1);
  else uri.opaque = raw.slice(colon + 1);
  return uri;
}

// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
function isScheme(s: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i) | 0x20;
    const alpha = c >= 0x61 && c <= 0x7a;
    if (i === 0 ? !alpha : !(alpha || isDigit(s.charCodeAt(i)) || '+-.'.includes(s[i]!))) return false;
  }
  return true;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function parseSipLike(uri: SipUri, s: string, from: number): void {
  const q = s.indexOf('?', from);
  const stop = q < 0 ? s.length : q;
  // userinfo cannot hold an unescaped '@', but broken peers send one: the last '@' wins.
  const at = s.lastIndexOf('@', stop - 1);
  let hostStart = from;
  if (at >= from) {
    const userinfo = s.slice(from, at);
    const pw = userinfo.indexOf(':');
    uri.user = pw < 0 ? userinfo : userinfo.slice(0, pw);
    if (pw >= 0) uri.password = userinfo.slice(pw + 1);
    hostStart = at + 1;
  }
  let i = hostStart;
  if (s[i] === '[') {
    const close = s.indexOf(']', i);
    if (close < 0 || close > stop) {
      uri.issues.push(issue('sip.uri-unclosed-bracket', 'IPv6 host has no closing "]"', i));
      const end = endOfHostport(s, i, stop);
      uri.host = s.slice(i + 1, end);
      uri.ipv6 = true;
      i = end;
    } else {
      uri.host = s.slice(i + 1, close);
      uri.ipv6 = true;
      i = close + 1;
      if (s[i] === ':') i = readPort(uri, s, i + 1, stop);
    }
  } else {
    const end = endOfHostport(s, i, stop);
    const hostport = s.slice(i, end);
    const c1 = hostport.indexOf(':');
    if (c1 >= 0 && hostport.indexOf(':', c1 + 1) >= 0) {
      uri.issues.push(issue('sip.uri-unbracketed-ipv6', `IPv6 host "${hostport}" is not in brackets`, i));
      uri.host = hostport;
      i = end;
    } else if (c1 >= 0) {
      uri.host = hostport.slice(0, c1);
      i = readPort(uri, s, i + c1 + 1, stop);
    } else {
      uri.host = hostport;
      i = end;
    }
  }
  if (uri.host === '') uri.issues.push(issue('sip.uri-empty-host', `URI "${s}" has no host`, hostStart));
  if (s[i] === ';') readParams(uri.params, s, i + 1, stop);
  else if (i < stop) uri.issues.push(issue('sip.uri-junk', `unexpected "${s.slice(i, stop)}" after the host`, i));
  if (q >= 0) readHeaders(uri.headers, s.slice(q + 1));
}

function endOfHostport(s: string, i: number, stop: number): number {
  const semi = s.indexOf(';', i);
  return semi < 0 || semi > stop ? stop : semi;
}

/** Read digits at `i`; returns the index after the port text. */
function readPort(uri: SipUri, s: string, i: number, stop: number): number {
  const end = endOfHostport(s, i, stop);
  const text = s.slice(i, end);
  let n = 0, ok = text.length > 0 && text.length <= 10;
  for (let k = 0; ok && k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (!isDigit(c)) ok = false;
    else n = n * 10 + (c - 0x30);
  }
  if (!ok) {
    uri.issues.push(issue('sip.uri-bad-port', `port "${text}" is not a number`, i));
  } else {
    uri.port = n;
    // Kept anyway: a port beyond 16 bits is what a faulty ALG leaves behind.
    if (n > 65535) uri.issues.push(issue('sip.uri-bad-port', `port ${n} is above 65535`, i));
  }
  return end;
}

/** `name[=value]` pairs separated by ';'; names are case-insensitive (§19.1.4). */
export function readParams(into: Record<string, string | null>, s: string, from: number, stop = s.length): void {
  let i = from;
  while (i <= stop) {
    let semi = s.indexOf(';', i);
    if (semi < 0 || semi > stop) semi = stop;
    const part = s.slice(i, semi).trim();
    if (part !== '') {
      const eq = part.indexOf('=');
      const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
      if (!(name in into)) into[name] = eq < 0 ? null : part.slice(eq + 1).trim();
    }
    i = semi + 1;
  }
}

function readHeaders(into: Record<string, string>, s: string): void {
  for (const part of s.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    into[eq < 0 ? part : part.slice(0, eq)] = eq < 0 ? '' : part.slice(eq + 1);
  }
}

// RFC 3966 §3: telephone-subscriber = global-number / local-number, then ;params.
function parseTel(uri: SipUri, s: string, from: number): void {
  const semi = s.indexOf(';', from);
  uri.user = s.slice(from, semi < 0 ? s.length : semi);
  if (uri.user === '') uri.issues.push(issue('sip.uri-empty-number', 'tel URI without a number', from));
  if (semi >= 0) readParams(uri.params, s, semi + 1);
}
