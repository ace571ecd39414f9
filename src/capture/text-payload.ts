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

/** Start of the last `n` payload bytes of `dump`, counting each newline as CRLF; -1 if impossible. */
export function startByLength(dump: string, n: number): number {
  let pos = dump.length;
  let remaining = n;
  while (remaining > 0) {
    const nl = dump.lastIndexOf('\n', pos - 1);
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
export function startBySipLine(dump: string): number {
  for (let i = dump.indexOf('SIP/2.0'); i >= 0; i = dump.indexOf('SIP/2.0', i + 7)) {
    const after = dump.charCodeAt(i + 7);
    if (after === 32 /* ' ' */ && /^ \d\d\d[ \n]/.test(dump.slice(i + 7, i + 12))) return i;
    if (after !== 10 /* \n */ && !Number.isNaN(after)) continue;
    const req = requestStart(dump, i);
    if (req >= 0) return req;
  }
  return -1;
}

/** For `… METHOD uri SIP/2.0` ending at `v`, the offset where METHOD starts, or -1. */
function requestStart(dump: string, v: number): number {
  if (dump.charCodeAt(v - 1) !== 32) return -1;
  const sp = dump.lastIndexOf(' ', v - 2);
  const lineStart = dump.lastIndexOf('\n', v) + 1;
  if (sp <= lineStart || dump.indexOf(':', sp) > v || dump.indexOf(':', sp) < 0) return -1;
  let m = sp;
  while (m > lineStart && isTokenChar(dump.charCodeAt(m - 1))) m--;
  if (m === sp) return -1;
  const token = dump.slice(m, sp);
  if (KNOWN_METHODS.includes(token)) return m;
  // Header noise glued in front: keep the longest known method the token ends with.
  let best = -1;
  for (const k of KNOWN_METHODS) if (token.endsWith(k) && (best < 0 || sp - k.length < best)) best = sp - k.length;
  if (best >= 0) return best;
  // An extension method (RFC 3261 §27.4): trust only a run of capitals.
  let u = sp;
  while (u > m && isUpper(dump.charCodeAt(u - 1))) u--;
  return u < sp ? u : -1;
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
export function payloadStart(dump: string, length: number | undefined): number {
  const byLen = length === undefined ? -1 : startByLength(dump, length);
  const bySip = startBySipLine(dump);
  if (byLen >= 0 && (bySip < 0 || byLen <= bySip)) return byLen;
  return bySip;
}

/** Rebuilds payload bytes from its rendering: newlines become CRLF (see header). */
export function rebuildPayload(rendered: string): Buffer {
  return Buffer.from(rendered.replaceAll('\n', '\r\n'), 'latin1');
}
