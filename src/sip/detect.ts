/**
 * Cheap check whether bytes begin a SIP start line (RFC 3261 §7.1, §7.2).
 *
 *   Request-Line = Method SP Request-URI SP SIP-Version CRLF
 *   Status-Line  = SIP-Version SP Status-Code SP Reason-Phrase CRLF
 *
 * Called on every UDP payload and at every candidate position in a TCP stream,
 * so it walks the start line byte by byte once, allocates nothing and gives up
 * at the first impossible byte (an RTP header fails on its first byte).
 * Methods are case-sensitive tokens from an open set (§7.1: any token); the
 * version string is case-insensitive (§7.1, "SIP/2.0" compared per §7.3.1
 * rules). Line ends may be CRLF or a bare LF (tolerated like Wireshark does).
 * The status code is validated by the parser, not here: `SIP/2.0 ` is already
 * an unmistakable signal, and a broken code is worth a parsed message + issue.
 */

export type StartLineKind = 'request' | 'response';
/** `incomplete`: the bytes so far could still become a start line. */
export type StartLineState = StartLineKind | 'incomplete' | null;

/** Longest start line we wait for before calling the bytes not-SIP. */
export const MAX_START_LINE = 8192;

// RFC 3261 §25.1 token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"
const TOKEN = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;
for (const ch of "-.!%*_+`'~") TOKEN[ch.charCodeAt(0)] = 1;

/** True when `c` is a token byte (exported for the parser's header-name check). */
export function isTokenByte(c: number): boolean {
  return TOKEN[c] === 1;
}

const VERSION = [0x53, 0x49, 0x50, 0x2f, 0x32, 0x2e, 0x30]; // S I P / 2 . 0

/** Matches case-insensitive `SIP/2.0` at `i`; 1 yes, 0 no, -1 ran out of bytes. */
function matchVersion(buf: Uint8Array, i: number, end: number): 1 | 0 | -1 {
  for (let k = 0; k < 7; k++) {
    if (i + k >= end) return -1;
    let c = buf[i + k]!;
    if (k < 3) c &= 0xdf; // ASCII upper-case for the letters only
    if (c !== VERSION[k]) return 0;
  }
  return 1;
}

/**
 * Start-line state of `buf[offset, end)`: a request, a response, `incomplete`
 * when every byte so far fits but the line has not ended, or null.
 */
export function startLineState(buf: Uint8Array, offset = 0, end = buf.length): StartLineState {
  if (offset >= end) return 'incomplete';
  const first = buf[offset]!;
  // Responses start with the version; `S` can also start a method (SUBSCRIBE).
  if (first === 0x53 || first === 0x73) {
    const v = matchVersion(buf, offset, end);
    if (v === -1) return 'incomplete';
    if (v === 1) {
      if (offset + 7 >= end) return 'incomplete';
      if (buf[offset + 7] === 0x20) return 'response';
      // `SIP/2.0X` cannot be a method either ("/" is not a token byte).
      return null;
    }
  }
  // Method token.
  let i = offset;
  const limit = Math.min(end, offset + MAX_START_LINE);
  while (i < limit && TOKEN[buf[i]!] === 1) i++;
  if (i === offset) return null;
  if (i >= limit) return i >= end ? 'incomplete' : null;
  if (buf[i] !== 0x20) return null;
  i++;
  // Request-URI: an absolute URI, so a scheme (ALPHA *(ALPHA/DIGIT/+/-/.)) and ':'.
  const uriStart = i;
  while (i < limit) {
    const c = buf[i]!;
    if (c === 0x3a) break;
    const alpha = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
    if (!(alpha || (i > uriStart && ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e)))) return null;
    i++;
  }
  if (i >= limit) return i >= end ? 'incomplete' : null;
  if (i === uriStart) return null;
  // Rest of the URI: visible characters up to the next SP.
  while (i < limit) {
    const c = buf[i]!;
    if (c === 0x20) break;
    if (c <= 0x20 || c === 0x7f) return null;
    i++;
  }
  if (i >= limit) return i >= end ? 'incomplete' : null;
  i++;
  const v = matchVersion(buf, i, end);
  if (v !== 1) return v === -1 ? 'incomplete' : null;
  i += 7;
  if (i >= end) return 'incomplete';
  if (buf[i] === 0x0a) return 'request';
  if (buf[i] !== 0x0d) return null;
  if (i + 1 >= end) return 'incomplete';
  return buf[i + 1] === 0x0a ? 'request' : null;
}

/** `request`/`response` when `buf` starts (at `offset`) with a complete SIP start line, else null. */
export function sipStartLineKind(buf: Uint8Array, offset = 0): StartLineKind | null {
  const s = startLineState(buf, offset, buf.length);
  return s === 'request' || s === 'response' ? s : null;
}
