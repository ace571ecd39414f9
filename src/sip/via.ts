/**
 * Via header values (RFC 3261 §20.42, §18.2.1; rport RFC 3581):
 *
 *   Via = sent-protocol LWS sent-by *( SEMI via-params ), comma-joined allowed
 *   sent-protocol = "SIP" SLASH "2.0" SLASH transport   (LWS allowed around SLASH)
 *   sent-by = host [ COLON port ]                       (IPv6 in brackets)
 *
 * Via is where NAT and ALG damage shows first: `received`/`rport` tell where
 * the request really came from, and broken ALGs drop a ';' (`5060branch=`,
 * `branch=x received=y`) or leave ports above 65535. Those become issues on
 * a Via that still carries every part that could be read.
 * Issue offsets are character offsets into the single Via value.
 */
import { issue, type Issue } from '../core/issue.js';
import { splitList } from './headers.js';

export interface Via {
  raw: string;
  /** `SIP` normally. */
  protocol: string;
  /** `2.0` normally. */
  version: string;
  /** Upper-cased transport: UDP, TCP, TLS, SCTP, WS, WSS, or any other token. */
  transport: string;
  /** sent-by host without IPv6 brackets. */
  host: string;
  ipv6?: boolean;
  port?: number;
  /** All parameters in order of first appearance, names lower-cased. */
  params: Record<string, string | null>;
  branch?: string;
  received?: string;
  /** RFC 3581: `true` when `;rport` has no value (as the client sends it). */
  rport?: number | true;
  maddr?: string;
  ttl?: number;
  issues: Issue[];
}

/** Parse a Via header value; comma-joined values give several Vias, top first. */
export function parseVia(value: string): Via[] {
  return splitList(value).map(parseOneVia);
}

const PROTOCOL = /^([^\s/]+)\s*\/\s*([^\s/]+)\s*\/\s*([^\s/;]+)/;

/** Parse one via-parm (no top-level commas). */
export function parseOneVia(value: string): Via {
  const s = value.trim();
  const via: Via = { raw: s, protocol: '', version: '', transport: '', host: '', params: Object.create(null), issues: [] };
  let i = 0;
  const m = PROTOCOL.exec(s);
  if (m) {
    via.protocol = m[1]!;
    via.version = m[2]!;
    via.transport = m[3]!.toUpperCase();
    i = m[0].length;
  } else {
    via.issues.push(issue('sip.via-bad-protocol', `Via "${s}" does not start with SIP/2.0/transport`, 0));
  }
  while (s[i] === ' ' || s[i] === '\t') i++;
  i = readSentBy(via, s, i);
  readViaParams(via, s, i);
  fillKnown(via);
  return via;
}

function readSentBy(via: Via, s: string, i: number): number {
  if (s[i] === '[') {
    const close = s.indexOf(']', i);
    const semi = s.indexOf(';', i);
    if (close < 0 || (semi >= 0 && semi < close)) {
      via.issues.push(issue('sip.via-unclosed-bracket', 'IPv6 sent-by has no closing "]"', i));
      const end = semi < 0 ? s.length : semi;
      via.host = s.slice(i + 1, end).trim();
      via.ipv6 = true;
      return end;
    }
    via.host = s.slice(i + 1, close);
    via.ipv6 = true;
    i = close + 1;
  } else {
    const start = i;
    while (i < s.length && !';: \t'.includes(s[i]!)) i++;
    via.host = s.slice(start, i);
    if (s[i] === ':' && s.indexOf(':', i + 1) >= 0 && s.indexOf(':', i + 1) < endOf(s, i)) {
      // More than one colon before the params: an IPv6 address without brackets.
      const end = endOf(s, i);
      via.host = s.slice(start, end).trim();
      via.issues.push(issue('sip.via-unbracketed-ipv6', `IPv6 sent-by "${via.host}" is not in brackets`, start));
      return end;
    }
  }
  if (via.host === '') via.issues.push(issue('sip.via-no-host', 'Via has no sent-by host', i));
  while (s[i] === ' ' || s[i] === '\t') i++;
  if (s[i] === ':') {
    i++;
    while (s[i] === ' ' || s[i] === '\t') i++;
    const start = i;
    let n = 0;
    while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39 && i - start < 10) n = n * 10 + s.charCodeAt(i++) - 0x30;
    if (i === start) via.issues.push(issue('sip.via-bad-port', `port "${s.slice(start, endOf(s, start))}" is not a number`, start));
    else {
      via.port = n;
      if (n > 65535) via.issues.push(issue('sip.via-bad-port', `port ${n} is above 65535`, start));
    }
  }
  return i;
}

function endOf(s: string, i: number): number {
  const semi = s.indexOf(';', i);
  return semi < 0 ? s.length : semi;
}

function readViaParams(via: Via, s: string, i: number): void {
  while (s[i] === ' ' || s[i] === '\t') i++;
  if (i >= s.length) return;
  if (s[i] !== ';') {
    // Text right after sent-by that is not ';' — typically `5060branch=...`.
    via.issues.push(issue('sip.via-missing-semicolon', `missing ";" before "${s.slice(i, i + 20)}"`, i));
  } else {
    i++;
  }
  for (const part of s.slice(i).split(';')) {
    const p = part.trim().replace(/[ \t]*=[ \t]*/g, '=');
    if (p === '') continue;
    // A space inside one parameter means a lost ';' (`branch=x received=y`).
    const words = p.split(/[ \t]+/);
    if (words.length > 1) {
      via.issues.push(issue('sip.via-missing-semicolon', `missing ";" inside "${p}"`, s.indexOf(words[1]!, i)));
    }
    for (const w of words) addParam(via.params, w);
  }
}

function addParam(into: Record<string, string | null>, p: string): void {
  const eq = p.indexOf('=');
  const name = (eq < 0 ? p : p.slice(0, eq)).toLowerCase();
  if (name !== '' && !(name in into)) into[name] = eq < 0 ? null : p.slice(eq + 1);
}

function fillKnown(via: Via): void {
  const p = via.params;
  if (p.branch != null) via.branch = p.branch;
  if (p.received != null) via.received = p.received;
  if (p.maddr != null) via.maddr = p.maddr;
  if (p.ttl != null && /^\d{1,3}$/.test(p.ttl)) via.ttl = Number(p.ttl);
  if ('rport' in p) {
    const v = p.rport;
    if (v === null || v === '') via.rport = true;
    else if (/^\d{1,5}$/.test(v!)) via.rport = Number(v);
    else via.issues.push(issue('sip.via-bad-rport', `rport "${v}" is not a port`));
  }
}
