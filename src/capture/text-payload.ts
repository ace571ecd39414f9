/**
 * Recovers a packet's transport payload from tcpdump's `-A` rendering of the whole IP packet.
 *
 * What `-A` does to bytes (tcpdump print-ascii.c, `ascii_print`): CR before LF is dropped,
 * LF, TAB and space are kept, every other non-printable byte (and every byte ≥ 0x80) is
 * printed as `.`. So the IP/UDP/TCP header shows as noise, and a header byte 0x0a (e.g. the
 * address 10.x) breaks the line. What cannot be recovered: which `.` were real dots, and
 * whether a line ended in CRLF or a bare LF — we rebuild CRLF, which is what SIP sends
 * (RFC 3261 §7). Non-ASCII text (UTF-8 display names) comes back as dots.
 *
 * Two ways to find where the payload starts, used together:
 * - count `length N` bytes back from the end (each printed newline = CRLF = 2 bytes); exact
 *   when the payload is CRLF text and tcpdump announced N, and the only way for a TCP segment
 *   that continues a message;
 * - find the SIP start line (`METHOD uri SIP/2.0` or `SIP/2.0 NNN `), trimming header noise
 *   glued to the method (`..).}#AKINVITE` → `INVITE`) by the known method names.
 */

const KNOWN_METHODS = [
  'INVITE', 'ACK', 'BYE', 'CANCEL', 'REGISTER', 'OPTIONS', 'PRACK', 'SUBSCRIBE', 'NOTIFY',
  'PUBLISH', 'INFO', 'REFER', 'MESSAGE', 'UPDATE',
];

/** A dump as bytes: latin1 maps each char of a string to one byte, so offsets agree. */
function bytesOf(dump: string | Buffer): Buffer {
  return typeof dump === 'string' ? Buffer.from(dump, 'latin1') : dump;
}

const LF = 10;
const SIP_VERSION = Buffer.from('SIP/2.0', 'latin1');

/** `String.prototype.lastIndexOf` for one byte: `from` is clamped to [0, length). */
function lastIndexOfByte(d: Buffer, byte: number, from: number): number {
  for (let i = Math.min(Math.max(from, 0), d.length - 1); i >= 0; i--) if (d[i] === byte) return i;
  return -1;
}

/** Start of the last `n` payload bytes of `dump`, counting each newline as CRLF; -1 if impossible. */
export function startByLength(dump: string | Buffer, n: number): number {
  const d = bytesOf(dump);
  let pos = d.length;
  let remaining = n;
  while (remaining > 0) {
    const nl = lastIndexOfByte(d, LF, pos - 1);
    const seg = pos - (nl + 1);
    if (seg >= remaining) return pos - remaining;
    remaining -= seg;
    if (nl < 0 || remaining < 2) return -1;
    remaining -= 2;
    pos = nl;
  }
  return pos;
}

/** Offset of the first SIP start line in `dump`, or -1. */
export function startBySipLine(dump: string | Buffer): number {
  const d = bytesOf(dump);
  for (let i = d.indexOf(SIP_VERSION); i >= 0; i = d.indexOf(SIP_VERSION, i + 7)) {
    const after = d[i + 7];
    if (after === 32 /* ' ' */ && isDigit(d[i + 8]) && isDigit(d[i + 9]) && isDigit(d[i + 10]) && (d[i + 11] === 32 || d[i + 11] === LF)) return i;
    if (after !== LF && after !== undefined) continue;
    const req = requestStart(d, i);
    if (req >= 0) return req;
  }
  return -1;
}

/** For `… METHOD uri SIP/2.0` ending at `v`, the offset where METHOD starts, or -1. */
function requestStart(d: Buffer, v: number): number {
  if (d[v - 1] !== 32) return -1;
  const sp = lastIndexOfByte(d, 32, v - 2);
  const lineStart = lastIndexOfByte(d, LF, v) + 1;
  if (sp <= lineStart) return -1;
  const colon = d.indexOf(58 /* : */, sp);
  if (colon > v || colon < 0) return -1;
  let m = sp;
  while (m > lineStart && isTokenChar(d[m - 1])) m--;
  if (m === sp) return -1;
  const token = d.toString('latin1', m, sp);
  if (KNOWN_METHODS.includes(token)) return m;
  // Header noise glued in front: keep the longest known method the token ends with.
  let best = -1;
  for (const k of KNOWN_METHODS) if (token.endsWith(k) && (best < 0 || sp - k.length < best)) best = sp - k.length;
  if (best >= 0) return best;
  // An extension method (RFC 3261 §27.4): trust only a run of capitals.
  let u = sp;
  while (u > m && isUpper(d[u - 1])) u--;
  return u < sp ? u : -1;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 48 && c <= 57;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

function isTokenChar(c: number): boolean {
  return isUpper(c) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 95;
}

/**
 * Picks the payload start: by length when it is at or before the start line (a segment may
 * begin with the tail of an earlier message), else the start line (the count overshoots when
 * the payload had bare LFs, and is impossible when snaplen cut the packet).
 */
export function payloadStart(dump: string | Buffer, length: number | undefined): number {
  const d = bytesOf(dump);
  const byLen = length === undefined ? -1 : startByLength(d, length);
  const bySip = startBySipLine(d);
  if (byLen >= 0 && (bySip < 0 || byLen <= bySip)) return byLen;
  return bySip;
}

/** Bytes `rendered` stands for: each newline becomes CRLF (see header). */
export function rebuiltLength(rendered: Buffer): number {
  let n = rendered.length;
  for (let i = rendered.indexOf(LF); i >= 0; i = rendered.indexOf(LF, i + 1)) n++;
  return n;
}

/** Writes the bytes `rendered` stands for into `out` at `at` (room: `rebuiltLength`). */
export function writeRebuilt(rendered: Buffer, out: Buffer, at: number): void {
  let o = at;
  for (let i = 0; i < rendered.length; i++) {
    const c = rendered[i];
    if (c === LF) out[o++] = 13;
    out[o++] = c;
  }
}

/** Rebuilds payload bytes from its rendering: newlines become CRLF (see header). */
export function rebuildPayload(rendered: string | Buffer): Buffer {
  const r = bytesOf(rendered);
  const out = Buffer.allocUnsafe(rebuiltLength(r));
  writeRebuilt(r, out, 0);
  return out;
}
