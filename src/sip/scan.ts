/**
 * The ingest path's parse: one pass over a datagram's start line and headers
 * that keeps only byte offsets — of Call-ID, CSeq, the first Via, From, To and
 * the number-carrying headers — and the message's header names as one shared
 * set, without a string or an object per header line. Listing a 1 GB capture
 * parses 1.7 M messages and needs a handful of values from each.
 *
 * The scan only accepts a *clean* message: one on which `parseSipMessage`
 * would report no issue at all. At the first sign of anything else (folding,
 * a damaged line, bad UTF-8, a NUL, a wrong Content-Length, a missing
 * required header, a second From or To, an uncached header name) it returns
 * null and the caller runs the full parser, so every odd message is handled
 * by exactly the code that handled it before.
 *
 * The result implements `SipMessage`: start-line fields are eager, and
 * `headers`, `issues`, `body`, `uri`, `reason` come from a full parse of the
 * same bytes done on first use (a view of the message stays correct, only
 * slower).
 */
import { isUtf8 } from 'node:buffer';
import type { Issue } from '../core/issue.js';
import { isTokenByte, type StartLineKind } from './detect.js';
import type { SipHeader, SipMessage, SipRequest, SipResponse } from './message.js';
import { DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_HEADERS, parseSipMessage } from './parse.js';
import { FNV_START, fnv, internName, latin1 } from './text.js';

const LF = 0x0a, CR = 0x0d, SP = 0x20, HTAB = 0x09, COLON = 0x3a;

/** Codes of the headers the call store reads; 0 for every other header. */
export const HeaderCode = {
  OTHER: 0, CALL_ID: 1, CSEQ: 2, FROM: 3, TO: 4, VIA: 5, CONTENT_LENGTH: 6,
  DIVERSION: 7, PAI: 8, PPI: 9,
} as const;
const CODE_BY_NAME: Readonly<Record<string, number>> = {
  'call-id': HeaderCode.CALL_ID, cseq: HeaderCode.CSEQ, from: HeaderCode.FROM, to: HeaderCode.TO,
  via: HeaderCode.VIA, 'content-length': HeaderCode.CONTENT_LENGTH, diversion: HeaderCode.DIVERSION,
  'p-asserted-identity': HeaderCode.PAI, 'p-preferred-identity': HeaderCode.PPI,
};
const REQUIRED = (1 << HeaderCode.CALL_ID) | (1 << HeaderCode.CSEQ) | (1 << HeaderCode.FROM) | (1 << HeaderCode.TO) | (1 << HeaderCode.VIA);

/** Code per interned-name gid (255: not looked up yet). */
const codeByGid = new Uint8Array(4096).fill(255);

/**
 * The canonical header names of a message in order, shared by every message
 * with the same names in the same order (a user agent sends a few layouts).
 */
export interface HeaderNameList {
  readonly names: readonly string[];
}

interface ListEntry { gids: Int32Array; list: HeaderNameList }
const LIST_LIMIT = 8192;
const lists = new Map<number, ListEntry>();
const gidScratch = new Int32Array(DEFAULT_MAX_HEADERS);
const nameScratch: string[] = [];

function nameList(sig: number, n: number): HeaderNameList | null {
  const hit = lists.get(sig);
  if (hit !== undefined) {
    const g = hit.gids;
    if (g.length !== n) return null;
    for (let i = 0; i < n; i++) if (g[i] !== gidScratch[i]) return null;
    return hit.list;
  }
  if (lists.size >= LIST_LIMIT) return null;
  const entry: ListEntry = { gids: gidScratch.slice(0, n), list: { names: Object.freeze(nameScratch.slice(0, n)) } };
  lists.set(sig, entry);
  return entry.list;
}

/** Request methods by their bytes: a few distinct tokens in millions of messages. */
const methods = new Map<number, string>();

function methodAt(raw: Buffer, e: number): string {
  let h = FNV_START;
  for (let i = 0; i < e; i++) h = fnv(h, raw[i]!);
  const hit = methods.get(h);
  if (hit !== undefined && hit.length === e) {
    let i = 0;
    while (i < e && hit.charCodeAt(i) === raw[i]) i++;
    if (i === e) return hit;
  }
  const m = latin1(raw, 0, e);
  if (hit === undefined && methods.size < 256) methods.set(h, m);
  return m;
}

/** What the scan found, before it becomes a message object. */
interface Spans {
  callIdS: number; callIdE: number;
  cseqS: number; cseqE: number;
  viaS: number; viaE: number;
  fromS: number; fromE: number;
  toS: number; toE: number;
  extra: number[] | null;
  bodyOffset: number;
  names: HeaderNameList;
}
const spans: Spans = {
  callIdS: -1, callIdE: -1, cseqS: -1, cseqE: -1, viaS: -1, viaE: -1, fromS: -1, fromE: -1, toS: -1, toE: -1,
  extra: null, bodyOffset: 0, names: { names: [] },
};

abstract class ScannedBase {
  readonly raw: Buffer;
  readonly bodyOffset: number;
  /** Value spans in `raw` (end exclusive, trimmed); -1 when the header is absent. */
  readonly callIdS: number; readonly callIdE: number;
  readonly cseqS: number; readonly cseqE: number;
  /** The first Via header's value. */
  readonly viaS: number; readonly viaE: number;
  readonly fromS: number; readonly fromE: number;
  readonly toS: number; readonly toE: number;
  /** `[HeaderCode, start, end]` triples for Diversion / P-Asserted-Identity / P-Preferred-Identity, in order; null when none. */
  readonly extra: number[] | null;
  readonly names: HeaderNameList;
  private parsed: SipMessage | null = null;

  constructor(raw: Buffer, s: Spans) {
    this.raw = raw;
    this.bodyOffset = s.bodyOffset;
    this.callIdS = s.callIdS; this.callIdE = s.callIdE;
    this.cseqS = s.cseqS; this.cseqE = s.cseqE;
    this.viaS = s.viaS; this.viaE = s.viaE;
    this.fromS = s.fromS; this.fromE = s.fromE;
    this.toS = s.toS; this.toE = s.toE;
    this.extra = s.extra;
    this.names = s.names;
  }

  /** The full parse of the same bytes, done once on first use. */
  get full(): SipMessage {
    if (this.parsed === null) this.parsed = parseSipMessage(this.raw)!;
    return this.parsed;
  }
  /** True while nothing has been added to `issues` (the scan saw none). */
  get clean(): boolean {
    return this.parsed === null || this.parsed.issues.length === 0;
  }
  get version(): string { return this.full.version; }
  get headers(): SipHeader[] { return this.full.headers; }
  get body(): Buffer { return this.full.body; }
  get issues(): Issue[] { return this.full.issues; }
}

export class ScannedRequest extends ScannedBase implements SipRequest {
  readonly kind = 'request' as const;
  constructor(raw: Buffer, s: Spans, readonly method: string) {
    super(raw, s);
  }
  get uri(): string { return (this.full as SipRequest).uri; }
}

export class ScannedResponse extends ScannedBase implements SipResponse {
  readonly kind = 'response' as const;
  constructor(raw: Buffer, s: Spans, readonly status: number) {
    super(raw, s);
  }
  get reason(): string { return (this.full as SipResponse).reason; }
}

export type ScannedMessage = ScannedRequest | ScannedResponse;

/**
 * Scans `raw`, whose start line at offset 0 is already known to be `kind`.
 * Null when the message is not clean (see the file comment): parse it fully.
 */
export function scanSipMessage(raw: Buffer, kind: StartLineKind, withNames = true): ScannedMessage | null {
  const nl = raw.indexOf(LF, 0);
  if (nl < 0) return null;
  const lineEnd = nl > 0 && raw[nl - 1] === CR ? nl - 1 : nl;
  let status = 0;
  let method = '';
  if (kind === 'response') {
    // Status-Line: version SP 3DIGIT (SP reason)? — anything else is an issue.
    if (lineEnd < 11 || (lineEnd > 11 && raw[11] !== SP)) return null;
    for (let i = 8; i < 11; i++) {
      const d = raw[i]! - 0x30;
      if (d < 0 || d > 9) return null;
      status = status * 10 + d;
    }
    if (status < 100 || status > 699) return null;
  } else {
    const sp1 = raw.indexOf(SP, 0);
    method = methodAt(raw, sp1);
  }
  if (!scanHeaders(raw, nl + 1, withNames)) return null;
  if (!bodyIsClean(raw, spans.bodyOffset)) return null;
  return kind === 'request' ? new ScannedRequest(raw, spans, method) : new ScannedResponse(raw, spans, status);
}

/**
 * Fills `spans` from the header lines starting at `from`; false at anything the
 * full parser would report. Without `withNames` the names are only classified
 * (`headerCodeAt`), not interned, and `names` is left empty: the store reads
 * them for the filter facts alone.
 */
function scanHeaders(raw: Buffer, from: number, withNames: boolean): boolean {
  const s = spans;
  s.callIdS = s.callIdE = s.cseqS = s.cseqE = s.viaS = s.viaE = s.fromS = s.fromE = s.toS = s.toE = -1;
  s.extra = null;
  let seen = 0;
  let clS = -1, clE = -1;
  let n = 0;
  let sig = FNV_START;
  const len = raw.length;
  let p = from;
  for (;;) {
    if (p >= len) return false; // no empty line after the headers
    const nl = raw.indexOf(LF, p);
    if (nl < 0) return false;
    const e = nl > p && raw[nl - 1] === CR ? nl - 1 : nl;
    if (e === p) {
      s.bodyOffset = nl + 1;
      break;
    }
    if (p > DEFAULT_MAX_HEADER_BYTES || n >= DEFAULT_MAX_HEADERS) return false;
    // Name: token bytes, optional SP/HTAB, then the colon (RFC 3261 §7.3.1, §25.1 HCOLON).
    let h = FNV_START;
    let i = p;
    let c = raw[i]!;
    while (i < e && c !== COLON && c !== SP && c !== HTAB) {
      if (!isTokenByte(c)) return false;
      h = fnv(h, c);
      c = raw[++i]!;
    }
    const ne = i;
    if (ne === p) return false; // empty name, or a folded continuation line
    while (i < e && (c === SP || c === HTAB)) c = raw[++i]!;
    if (i >= e || c !== COLON) return false;
    let code: number;
    if (withNames) {
      const entry = internName(raw, p, ne, h);
      const gid = entry.gid;
      if (gid < 0 || gid >= codeByGid.length) return false;
      code = codeByGid[gid]!;
      if (code === 255) code = codeByGid[gid] = CODE_BY_NAME[entry.name] ?? HeaderCode.OTHER;
      gidScratch[n] = gid;
      nameScratch[n] = entry.name;
      sig = Math.imul(sig ^ gid, 0x01000193);
    } else {
      code = headerCodeAt(raw, p, ne);
    }
    n++;
    if (code !== HeaderCode.OTHER) {
      let vs = i + 1, ve = e;
      while (vs < ve && (raw[vs] === SP || raw[vs] === HTAB)) vs++;
      while (ve > vs && (raw[ve - 1] === SP || raw[ve - 1] === HTAB)) ve--;
      const bit = 1 << code;
      switch (code) {
        case HeaderCode.CALL_ID:
          if ((seen & bit) === 0) { s.callIdS = vs; s.callIdE = ve; }
          break;
        case HeaderCode.CSEQ:
          if ((seen & bit) === 0) { s.cseqS = vs; s.cseqE = ve; }
          break;
        case HeaderCode.VIA:
          if ((seen & bit) === 0) {
            if (vs === ve) return false;
            s.viaS = vs; s.viaE = ve;
          }
          break;
        case HeaderCode.FROM:
          if ((seen & bit) !== 0) return false;
          s.fromS = vs; s.fromE = ve;
          break;
        case HeaderCode.TO:
          if ((seen & bit) !== 0) return false;
          s.toS = vs; s.toE = ve;
          break;
        case HeaderCode.CONTENT_LENGTH:
          if ((seen & bit) !== 0) return false;
          clS = vs; clE = ve;
          break;
        default:
          (s.extra ??= []).push(code, vs, ve);
      }
      seen |= bit;
    }
    p = nl + 1;
  }
  if ((seen & REQUIRED) !== REQUIRED) return false;
  // RFC 3261 §18.3: over UDP a missing Content-Length means "to the end of the datagram".
  if (clS >= 0) {
    const digits = clE - clS;
    if (digits === 0 || digits > 9) return false;
    let cl = 0;
    for (let k = clS; k < clE; k++) {
      const d = raw[k]! - 0x30;
      if (d < 0 || d > 9) return false;
      cl = cl * 10 + d;
    }
    if (cl !== len - s.bodyOffset) return false;
  }
  if (!withNames) {
    s.names = NO_NAMES;
    return true;
  }
  const names = nameList(sig, n);
  if (names === null) return false;
  s.names = names;
  return true;
}

const NO_NAMES: HeaderNameList = Object.freeze({ names: Object.freeze([]) });

/**
 * The headers the store reads, by name length and first letter (`n * 32 +
 * (letter & 31)`): no two of them share both. Names in lower case (RFC 3261
 * §7.3.1: header names are case-insensitive).
 */
const BY_SHAPE: ({ bytes: Uint8Array; code: number } | undefined)[] = (() => {
  const out: ({ bytes: Uint8Array; code: number } | undefined)[] = [];
  for (const [name, code] of Object.entries(CODE_BY_NAME)) {
    const shape = name.length * 32 + (name.charCodeAt(0) & 31);
    if (out[shape] !== undefined) throw new Error(`header names ${name} and ${out[shape]!.bytes.toString()} share a shape`);
    out[shape] = { bytes: Buffer.from(name, 'latin1'), code };
  }
  return out;
})();
/** Compact forms (§7.3.3) of those headers, by lower-case letter. */
const COMPACT_CODES = (() => {
  const out = new Uint8Array(128);
  for (const [letter, code] of [['i', HeaderCode.CALL_ID], ['f', HeaderCode.FROM], ['t', HeaderCode.TO], ['v', HeaderCode.VIA], ['l', HeaderCode.CONTENT_LENGTH]] as const) out[letter.charCodeAt(0)] = code;
  return out;
})();

/**
 * `CODE_BY_NAME[canonicalName(name)]` of the token raw[s, e) without making a
 * string. `| 0x20` lower-cases letters and leaves `-` and digits alone; the
 * caller has checked every byte is a token character, none of which it turns
 * into a letter or `-`.
 */
function headerCodeAt(raw: Buffer, s: number, e: number): number {
  const n = e - s;
  const first = raw[s]! | 0x20;
  if (n === 1) return first < 128 ? COMPACT_CODES[first]! : HeaderCode.OTHER;
  const known = BY_SHAPE[n * 32 + (first & 31)];
  if (known === undefined) return HeaderCode.OTHER;
  const bytes = known.bytes;
  for (let i = 0; i < n; i++) if ((raw[s + i]! | 0x20) !== bytes[i]) return HeaderCode.OTHER;
  return known.code;
}

/** No NUL in the head (it truncates C-string peers) and valid UTF-8 in every header value. */
function bodyIsClean(raw: Buffer, bodyOffset: number): boolean {
  const nul = raw.indexOf(0);
  if (nul >= 0 && nul < bodyOffset) return false;
  // Values are cut at ASCII bytes, so a valid head has valid values; a binary body only costs a second look.
  return isUtf8(raw) || isUtf8(raw.subarray(0, bodyOffset));
}

/** True for a message that came from `scanSipMessage` and still has no issues. */
export function isCleanScan(msg: SipMessage): msg is ScannedMessage {
  return (msg instanceof ScannedRequest || msg instanceof ScannedResponse) && msg.clean;
}
