/**
 * SIP message parser: one datagram or one framed stream message in, a
 * `SipMessage` out (RFC 3261 §7).
 *
 * Tolerant the way Wireshark's packet-sip.c is: CRLF, bare-LF or mixed line
 * ends; folded headers (§7.3.1); case-insensitive and compact names (§7.3.3);
 * damaged lines, NUL bytes, non-UTF-8 text and wrong Content-Length become
 * issues on a message that keeps every field that did parse. Only bytes that
 * do not start with a SIP start line yield null. Nothing is rebuilt: header
 * spans point into `raw`, which is kept as given (STYLE.md principle 4).
 * Lines are found with the native `Buffer.indexOf`; names are decoded as
 * latin1 and canonicalised through a cache; values are decoded as UTF-8.
 */
import { isUtf8 } from 'node:buffer';
import { issue, type Issue } from '../core/issue.js';
import { isTokenByte, sipStartLineKind } from './detect.js';
import type { SipHeader, SipMessage } from './message.js';
import { FNV_START, fnv, internName, latin1, utf8 } from './text.js';

export interface ParseOptions {
  /** Headers kept before the rest are skipped with `sip.too-many-headers`. */
  maxHeaders?: number;
  /** Bytes of start line + headers parsed before `sip.headers-too-long`. */
  maxHeaderBytes?: number;
}
export const DEFAULT_MAX_HEADERS = 256;
export const DEFAULT_MAX_HEADER_BYTES = 65536;

const LF = 0x0a, CR = 0x0d, SP = 0x20, HTAB = 0x09, COLON = 0x3a;

// RFC 3261 §8.1.1: the headers every request needs to be matched into a
// dialog/transaction; responses copy them (§8.2.6.2).
const REQUIRED: ReadonlyArray<[string, string]> = [
  ['call-id', 'Call-ID'], ['cseq', 'CSeq'], ['from', 'From'], ['to', 'To'], ['via', 'Via'],
];

/** Parse one SIP message; null only when `raw` does not begin with a SIP start line. */
export function parseSipMessage(raw: Buffer, opts: ParseOptions = {}): SipMessage | null {
  let pos = 0;
  // RFC 3261 §7.5: CRLFs before the start line are ignored.
  while (pos < raw.length && (raw[pos] === CR || raw[pos] === LF)) pos++;
  const kind = sipStartLineKind(raw, pos);
  if (kind === null) return null;
  const issues: Issue[] = [];
  const nl = raw.indexOf(LF, pos); // present: detection saw the line end
  const lineEnd = raw[nl - 1] === CR ? nl - 1 : nl;

  const { headers, bodyOffset } = parseHeaders(raw, pos, nl + 1, opts, issues);
  const body = sliceBody(raw, headers, bodyOffset, issues);
  checkRequired(headers, issues);

  // One native scan for NULs in the head; they truncate C-string based peers.
  const nul = raw.indexOf(0, pos);
  if (nul >= 0 && nul < bodyOffset) issues.push(issue('sip.nul-byte', 'NUL byte in the start line or headers', nul));

  if (kind === 'request') {
    const sp1 = raw.indexOf(SP, pos);
    const sp2 = raw.lastIndexOf(SP, lineEnd - 1);
    return {
      kind, raw, headers, bodyOffset, body, issues,
      method: latin1(raw, pos, sp1),
      uri: utf8(raw, sp1 + 1, sp2),
      version: latin1(raw, sp2 + 1, lineEnd),
    };
  }
  // Status-Line: version SP 3DIGIT SP reason (§7.2); the reason may be empty.
  let sEnd = pos + 8;
  while (sEnd < lineEnd && raw[sEnd] !== SP) sEnd++;
  let status = 0;
  let good = sEnd - (pos + 8) === 3;
  for (let i = pos + 8; i < sEnd; i++) {
    const d = raw[i]! - 0x30;
    if (d < 0 || d > 9) { good = false; break; }
    status = status * 10 + d;
  }
  if (!good || status < 100 || status > 699) {
    issues.push(issue('sip.bad-status-code',
      `status code "${raw.toString('latin1', pos + 8, sEnd)}" is not three digits 100-699`, pos + 8));
    if (!good) status = 0;
  }
  return {
    kind, raw, headers, bodyOffset, body, issues,
    version: latin1(raw, pos, pos + 7),
    status,
    reason: sEnd < lineEnd ? utf8(raw, sEnd + 1, lineEnd) : '',
  };
}

function parseHeaders(raw: Buffer, msgStart: number, from: number, opts: ParseOptions, issues: Issue[]):
  { headers: SipHeader[]; bodyOffset: number } {
  const maxHeaders = opts.maxHeaders ?? DEFAULT_MAX_HEADERS;
  const maxHeaderBytes = opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  const headers: SipHeader[] = [];
  let last: SipHeader | null = null;
  let lastDropped = false; // continuation of a line we already reported
  let stopped = false;     // a limit was hit: only look for the end of headers
  let p = from;
  while (p < raw.length) {
    const nl = raw.indexOf(LF, p);
    const stop = nl < 0 ? raw.length : nl;
    const e = stop > p && raw[stop - 1] === CR ? stop - 1 : stop;
    if (e === p) return { headers, bodyOffset: nl < 0 ? raw.length : nl + 1 };
    if (!stopped && p - msgStart > maxHeaderBytes) {
      issues.push(issue('sip.headers-too-long', `headers exceed ${maxHeaderBytes} bytes; the rest were not parsed`, p));
      stopped = true;
    }
    if (!stopped) {
      const c = raw[p]!;
      if (c === SP || c === HTAB) {
        // RFC 3261 §7.3.1: leading whitespace continues the previous header;
        // the fold and its whitespace count as one SP.
        if (last !== null) {
          const [vs, ve] = trimSpan(raw, p, e);
          if (vs < ve) {
            const more = decodeValue(raw, vs, ve, issues);
            last.value = last.value === '' ? more : `${last.value} ${more}`;
          }
          last.end = e;
        } else if (!lastDropped) {
          issues.push(issue('sip.orphan-continuation', 'continuation line with no header before it', p));
        }
      } else if (headers.length >= maxHeaders) {
        issues.push(issue('sip.too-many-headers', `more than ${maxHeaders} headers; the rest were not parsed`, p));
        stopped = true;
      } else {
        last = parseHeaderLine(raw, p, e, issues);
        lastDropped = last === null;
        if (last !== null) headers.push(last);
      }
    }
    p = stop + 1;
  }
  issues.push(issue('sip.no-header-end', 'no empty line after the headers', raw.length));
  return { headers, bodyOffset: raw.length };
}

function parseHeaderLine(raw: Buffer, p: number, e: number, issues: Issue[]): SipHeader | null {
  const colon = raw.indexOf(COLON, p);
  if (colon < 0 || colon >= e) {
    issues.push(issue('sip.header-no-colon', `header line without a colon: "${preview(raw, p, e)}"`, p));
    return null;
  }
  // HCOLON = *( SP / HTAB ) ":" SWS (§25.1): whitespace may precede the colon.
  let ne = colon;
  while (ne > p && (raw[ne - 1] === SP || raw[ne - 1] === HTAB)) ne--;
  if (ne === p) {
    issues.push(issue('sip.header-empty-name', 'header line with an empty name', p));
    return null;
  }
  let h = FNV_START, bad = -1;
  for (let i = p; i < ne; i++) {
    const c = raw[i]!;
    h = fnv(h, c);
    if (bad < 0 && !isTokenByte(c)) bad = i;
  }
  if (bad >= 0) issues.push(issue('sip.bad-header-name', `header name "${preview(raw, p, ne)}" has a non-token byte`, bad));
  const { rawName, name } = internName(raw, p, ne, h);
  let vs = colon + 1, ve = e;
  while (vs < ve && (raw[vs] === SP || raw[vs] === HTAB)) vs++;
  while (ve > vs && (raw[ve - 1] === SP || raw[ve - 1] === HTAB)) ve--;
  return { name, rawName, value: decodeValue(raw, vs, ve, issues), start: p, end: e };
}

function trimSpan(raw: Buffer, s: number, e: number): [number, number] {
  while (s < e && (raw[s] === SP || raw[s] === HTAB)) s++;
  while (e > s && (raw[e - 1] === SP || raw[e - 1] === HTAB)) e--;
  return [s, e];
}

function decodeValue(raw: Buffer, s: number, e: number, issues: Issue[]): string {
  if (s >= e) return '';
  const v = utf8(raw, s, e);
  // Only a replacement character can betray bad UTF-8, so the exact check is rare.
  if (v.includes('\uFFFD') && !isUtf8(raw.subarray(s, e))) {
    issues.push(issue('sip.invalid-utf8', 'header value is not valid UTF-8 (RFC 3261 §7.3.1)', s));
  }
  return v;
}

function sliceBody(raw: Buffer, headers: SipHeader[], bodyOffset: number, issues: Issue[]): Buffer {
  const available = raw.length - bodyOffset;
  let cl: SipHeader | undefined;
  for (const h of headers) {
    if (h.name !== 'content-length') continue;
    if (cl === undefined) cl = h;
    else issues.push(issue('sip.duplicate-content-length', `second Content-Length "${h.value}"`, h.start));
  }
  // RFC 3261 §18.3: over UDP a missing Content-Length means "to the end of the datagram".
  if (cl === undefined) return raw.subarray(bodyOffset);
  const length = parseContentLength(cl.value);
  if (length < 0) {
    issues.push(issue('sip.bad-content-length', `Content-Length "${cl.value}" is not a number`, cl.start));
    return raw.subarray(bodyOffset);
  }
  if (length > available) {
    issues.push(issue('sip.body-truncated', `Content-Length ${length} but only ${available} body bytes`, bodyOffset));
    return raw.subarray(bodyOffset);
  }
  if (length < available) {
    // §18.3: extra bytes MUST be discarded; often an ALG that resized the SDP.
    issues.push(issue('sip.body-extra-bytes', `${available - length} bytes after the Content-Length ${length} body`, bodyOffset + length));
  }
  return raw.subarray(bodyOffset, bodyOffset + length);
}

/** Decimal Content-Length, or -1 when not 1-9 digits. */
export function parseContentLength(value: string): number {
  if (value.length === 0 || value.length > 9) return -1;
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const d = value.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function checkRequired(headers: SipHeader[], issues: Issue[]): void {
  let seen = 0; // one bit per REQUIRED entry, one pass over the headers
  for (const h of headers) {
    for (let k = 0; k < REQUIRED.length; k++) if (h.name === REQUIRED[k]![0]) seen |= 1 << k;
  }
  for (let k = 0; k < REQUIRED.length; k++) {
    if ((seen & (1 << k)) === 0) issues.push(issue('sip.missing-header', `${REQUIRED[k]![1]} header missing`));
  }
}

function preview(raw: Buffer, s: number, e: number): string {
  return raw.toString('latin1', s, Math.min(e, s + 40));
}
