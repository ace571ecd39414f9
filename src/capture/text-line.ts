/**
 * Parses the packet line(s) tcpdump prints before an `-A` payload dump, in the forms
 * `tcpdump [-nn] [-v|-vvv] [-tttt|-tt] -A` produces (checked against tcpdump 4.99):
 *
 *   08:00:00.019199 IP 192.0.2.44.5060 > 192.168.13.54.5060: SIP: SIP/2.0 401 Unauthorized
 *   2011-07-28 12:54:46.562096 IP (tos 0xa0, ttl 64, id 2, offset 0, flags [none], proto TCP (6), length 840)
 *       10.33.6.100.64802 > 10.33.6.101.5060: Flags [P.], cksum 0x872c (correct), seq 1:789, ack 1, …, length 788
 *   04:36:02.251758 IP6 (hlim 128, next-header UDP (17) payload length: 718) fe80::1.5060 > fec0::2.5060: …
 *
 * Without `-nn` ports may be service names (`.sip`); host names cannot be mapped back
 * and are reported by the caller. Only IPv4/IPv6 with UDP or TCP is turned into packets.
 */

export interface TextPacketLine {
  /** Seconds since the epoch when the line had a date (or `-tt`), else seconds since midnight; NaN if tcpdump could not print it. */
  sec: number;
  nsec: number;
  dated: boolean;
  v6: boolean;
  src: string;
  dst: string;
  srcPort: string;
  dstPort: string;
  proto: 'udp' | 'tcp' | 'other';
  /** Bytes of transport payload the line announces (`length N`), when it does. */
  length?: number;
  /** From `-v`: IPv4 total length / IPv6 payload length, identification and fragment fields. */
  ipLength?: number;
  ipId?: number;
  fragOffset?: number;
  moreFragments?: boolean;
  tcp?: { flags: string; seq?: number; seqEnd?: number; ack?: number };
}

const TIME = /^(?:(\d{4})-(\d\d)-(\d\d) )?(\d\d):(\d\d):(\d\d)\.(\d{6,9}) |^(\d{9,10})\.(\d{6,9}) |^\[Error converting time\] /;
/** What tcpdump prints when a timestamp is out of range; the packet keeps the previous time. */
const BAD_TIME = '[Error converting time] ';
const V4_DETAIL = /id (\d+), offset (\d+), flags \[([^\]]*)\], proto (\w+) \(\d+\), length (\d+)/;
const V6_DETAIL = /next-header (\w+) \(\d+\) payload length: (\d+)/;
const ADDRS = /^(\S+) > (\S+?):(?: |$)/;
const LENGTH = /length:? (\d+)\)?$/;

/** Quick test used on every line: does it start with a tcpdump timestamp? */
export function isPacketLine(line: string): boolean {
  const c = line.charCodeAt(2);
  if (c === 58 /* : */) return line.charCodeAt(5) === 58 && TIME.test(line);
  if (line.charCodeAt(4) === 45 /* - */) return TIME.test(line);
  if (line.startsWith(BAD_TIME)) return true;
  return c >= 48 && c <= 57 && TIME.test(line);
}

/**
 * Byte-level pre-check for `isPacketLine` on buf[s, e): false for every line the TIME
 * pattern cannot match (almost every payload line), so only the rest become strings.
 */
export function mayBePacketLine(buf: Buffer, s: number, e: number): boolean {
  const n = e - s;
  if (n < 16) return false; // the shortest match, `HH:MM:SS.ffffff `, is 16 characters
  if (buf[s] === 91 /* [ */) return true;
  if (!digit(buf[s]) || !digit(buf[s + 1])) return false;
  const c = buf[s + 2];
  if (c === 58 /* : */) return buf[s + 5] === 58;
  if (!digit(c) || !digit(buf[s + 3])) return false;
  if (buf[s + 4] === 45 /* - */) return true;
  for (let i = 4; i < 9; i++) if (!digit(buf[s + i])) return false;
  return true;
}

function digit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Parses a packet line (with a `-v` continuation line already appended); undefined if not IP. */
export function parsePacketLine(line: string): TextPacketLine | undefined {
  const quick = parsePlainLine(line);
  if (quick) return quick;
  const t = TIME.exec(line);
  if (!t) return undefined;
  const frac = t[7] ?? t[9] ?? '';
  const nsec = Number(frac) * 10 ** (9 - frac.length);
  let sec: number;
  let dated = true;
  if (t[0] === BAD_TIME) sec = NaN; // the caller substitutes the previous packet's time
  else if (t[8] !== undefined) sec = Number(t[8]);
  else if (t[1] !== undefined) sec = Date.UTC(+t[1], +t[2] - 1, +t[3], +t[4], +t[5], +t[6]) / 1000;
  else {
    sec = +t[4] * 3600 + +t[5] * 60 + +t[6];
    dated = false;
  }
  let rest = line.slice(t[0].length);
  const v6 = rest.startsWith('IP6 ');
  if (!v6 && !rest.startsWith('IP ')) return undefined;
  rest = rest.slice(v6 ? 4 : 3);
  const out: Partial<TextPacketLine> = { sec, nsec, dated, v6 };
  let proto: string | undefined;
  if (rest.startsWith('(')) {
    const close = closingParen(rest);
    const detail = close < 0 ? rest : rest.slice(0, close + 1);
    rest = close < 0 ? '' : rest.slice(close + 2).trimStart();
    const d4 = v6 ? null : V4_DETAIL.exec(detail);
    const d6 = v6 ? V6_DETAIL.exec(detail) : null;
    if (d4) {
      out.ipId = +d4[1];
      out.fragOffset = +d4[2];
      out.moreFragments = d4[3].includes('+');
      proto = d4[4];
      out.ipLength = +d4[5];
    } else if (d6) {
      proto = d6[1];
      out.ipLength = +d6[2];
    }
  }
  const a = ADDRS.exec(rest);
  if (!a) return undefined;
  const src = splitPort(a[1], v6);
  const dst = splitPort(a[2], v6);
  Object.assign(out, { src: src.host, srcPort: src.port, dst: dst.host, dstPort: dst.port });
  const tail = rest.slice(a[0].length);
  if (tail.startsWith('Flags [')) {
    out.proto = 'tcp';
    out.tcp = tcpInfo(tail);
  } else if (proto === 'UDP' || (proto === undefined && src.port !== '' && !tail.startsWith('sctp'))) {
    out.proto = 'udp';
  } else {
    out.proto = proto === 'TCP' ? 'tcp' : 'other';
  }
  const len = LENGTH.exec(tail);
  if (len) out.length = +len[1];
  return out as TextPacketLine;
}

/**
 * The usual `-nn` IPv4 line without `-v`, `[YYYY-MM-DD ]HH:MM:SS.frac IP a.b.c.d.port > e.f.g.h.port: …`,
 * read by scanning characters; undefined for anything else (even where the general parse
 * would succeed), which `parsePacketLine` then reads with its patterns. Agrees with them
 * on every line it accepts.
 */
function parsePlainLine(line: string): TextPacketLine | undefined {
  let i = 0;
  let year = -1;
  let month = 0;
  let day = 0;
  if (line.charCodeAt(4) === 45 /* - */) {
    year = digits(line, 0, 4);
    month = digits(line, 5, 2);
    day = digits(line, 8, 2);
    if (year < 0 || month < 0 || day < 0 || line.charCodeAt(7) !== 45 || line.charCodeAt(10) !== 32) return undefined;
    i = 11;
  }
  const h = digits(line, i, 2);
  const m = digits(line, i + 3, 2);
  const sec = digits(line, i + 6, 2);
  if (h < 0 || m < 0 || sec < 0 || line.charCodeAt(i + 2) !== 58 || line.charCodeAt(i + 5) !== 58 || line.charCodeAt(i + 8) !== 46) return undefined;
  i += 9;
  let frac = 0;
  const fracStart = i;
  for (let c = line.charCodeAt(i); c >= 48 && c <= 57; c = line.charCodeAt(++i)) frac = frac * 10 + (c - 48);
  const fracLen = i - fracStart;
  if (fracLen < 6 || fracLen > 9 || line.charCodeAt(i) !== 32) return undefined;
  if (!line.startsWith('IP ', i + 1)) return undefined;
  const srcStart = i + 4;
  const srcDots = dottedEnd(line, srcStart);
  if (srcDots.dots !== 4 || !line.startsWith(' > ', srcDots.end)) return undefined;
  const dstStart = srcDots.end + 3;
  const dstDots = dottedEnd(line, dstStart);
  const colon = dstDots.end;
  if (dstDots.dots !== 4 || line.charCodeAt(colon) !== 58) return undefined;
  const afterColon = line.charCodeAt(colon + 1);
  if (afterColon !== 32 && !Number.isNaN(afterColon)) return undefined;
  const tail = line.slice(Math.min(line.length, colon + 2));
  const out: TextPacketLine = {
    sec: year < 0 ? h * 3600 + m * 60 + sec : Date.UTC(year, month - 1, day, h, m, sec) / 1000,
    nsec: frac * 10 ** (9 - fracLen),
    dated: year >= 0,
    v6: false,
    src: line.slice(srcStart, srcDots.lastDot),
    dst: line.slice(dstStart, dstDots.lastDot),
    srcPort: line.slice(srcDots.lastDot + 1, srcDots.end),
    dstPort: line.slice(dstDots.lastDot + 1, colon),
    proto: 'udp',
  };
  if (tail.startsWith('Flags [')) {
    out.proto = 'tcp';
    out.tcp = tcpInfo(tail);
  } else if (tail.startsWith('sctp')) {
    out.proto = 'other';
  }
  const len = LENGTH.exec(tail);
  if (len) out.length = +len[1];
  return out;
}

/** `n` decimal digits at `at` as a number, or -1. */
function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i);
    if (!(c >= 48 && c <= 57)) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** From `at`, a run of non-empty digit groups joined by single dots: where it ends, its dot count and last dot. */
function dottedEnd(s: string, at: number): { end: number; dots: number; lastDot: number } {
  let i = at;
  let dots = 0;
  let lastDot = -1;
  for (;;) {
    const start = i;
    for (let c = s.charCodeAt(i); c >= 48 && c <= 57; c = s.charCodeAt(++i));
    if (i === start) return { end: i, dots: -1, lastDot };
    if (s.charCodeAt(i) !== 46) return { end: i, dots, lastDot };
    lastDot = i++;
    dots++;
  }
}

/** Index of the `)` closing the group that opens `s` (the -v detail nests `(17)`), or -1. */
function closingParen(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41 && --depth === 0) return i;
  }
  return -1;
}

/** `10.0.0.1.5060` → host + port; a bare IPv4 (ICMP, fragments) has no port. */
function splitPort(tok: string, v6: boolean): { host: string; port: string } {
  const dot = tok.lastIndexOf('.');
  if (dot < 0) return { host: tok, port: '' };
  const host = tok.slice(0, dot);
  if (!v6 && /^\d+\.\d+\.\d+\.\d+$/.test(tok)) return { host: tok, port: '' };
  if (v6 && !host.includes(':') && /^[0-9a-f:]+$/i.test(tok)) return { host: tok, port: '' };
  return { host, port: tok.slice(dot + 1) };
}

function tcpInfo(tail: string): TextPacketLine['tcp'] {
  const flags = tail.slice(7, tail.indexOf(']'));
  const seq = /, seq (\d+)(?::(\d+))?/.exec(tail);
  const ack = /, ack (\d+)/.exec(tail);
  return {
    flags,
    seq: seq ? +seq[1] : undefined,
    seqEnd: seq?.[2] !== undefined ? +seq[2] : undefined,
    ack: ack ? +ack[1] : undefined,
  };
}
