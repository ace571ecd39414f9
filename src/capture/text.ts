/**
 * Reads `tcpdump -A` text dumps (with or without -nn, -v/-vvv, -tttt/-tt) — the format the
 * original SIPvestigator loaded — and turns each IPv4/IPv6 UDP or TCP packet into a
 * synthesised LINKTYPE_RAW frame (real IP + UDP/TCP header + recovered payload), so every
 * later layer treats text like pcap. A push parser over lines: only the current packet's
 * lines are held. Anything not understood becomes an issue with its line number.
 *
 * Limits a consumer must know (details in text-payload.ts): line ends are rebuilt as CRLF,
 * non-printable and non-ASCII bytes stay `.`, `-e`/`-x`/`-X` dumps and host names are not
 * mapped back to addresses (names get a stable 240.0.0.0/4 stand-in and an issue), IPv4
 * fragments are rebuilt only from `-v` output (which prints id and offset). A dump without
 * dates is placed on `baseDate`, moving to the next day when the time of day jumps back by
 * more than 12 hours; `-tttt` dates are taken as UTC (tcpdump prints local time: run it with TZ=UTC).
 */
import { issue, type Issue } from '../core/issue.js';
import { TextBlock } from './text-block.js';
import { LinkType, type CaptureDecoder, type FrameSink } from './frame.js';
import { buildIpPacket, parseAddress } from './text-frame.js';
import { isPacketLine, mayBePacketLine, parsePacketLine, type TextPacketLine } from './text-line.js';
import { payloadStart, rebuiltLength, startByLength, writeRebuilt } from './text-payload.js';
import { portNumber } from './text-ports.js';

export interface TextOptions {
  /** Day for dumps printed without dates (default 1970-01-01 UTC); only its UTC date is used. */
  baseDate?: Date;
  /** Most text one packet's dump may take; the rest of a longer dump is dropped with an issue. */
  maxPacketText?: number;
  /** Issues kept before further ones are only counted. */
  maxIssues?: number;
}

/** Where the current packet starts: its packet line(s), line number and byte offset. */
interface Block {
  header: string;
  line: number;
  offset: number;
}

const LF = 10;
const CR = 13;
const EMPTY = Buffer.alloc(0);
/** Distinct address texts remembered; the same few repeat in a capture, hostile input may not. */
const ADDRESS_CACHE = 4096;

export class TextDumpDecoder implements CaptureDecoder {
  readonly format = 'text';
  readonly issues: Issue[] = [];
  readonly fatal: Issue | undefined = undefined;

  private readonly baseSec: number;
  private readonly maxPacketText: number;
  private readonly maxIssues: number;
  /** Start of a line the last chunk did not finish (copies: a chunk is not kept). */
  private rest: Buffer[] = [];
  private lineNo = 0;
  private offset = 0;
  private block: Block | undefined;
  /** The block's payload lines (after the packet line and any `-v` / `-vvv` lines). */
  private readonly dump = new TextBlock();
  private dumpStarted = false;
  private size = 0;
  private index = 0;
  private prevTod: number | undefined;
  private dayOffset = 0;
  private noDate = false;
  private skipped = 0;
  private lastSec = 0;
  private readonly lost = { count: 0, firstLine: 0 };
  private suppressed = 0;
  private readonly nextSeq = new Map<string, number>();
  private readonly namesReported = new Set<string>();
  /** Parsed address texts (IPv4, IPv6); undefined for a host name. */
  private readonly addresses = [new Map<string, Uint8Array | undefined>(), new Map<string, Uint8Array | undefined>()];

  constructor(opts: TextOptions = {}) {
    const base = opts.baseDate?.getTime() ?? 0;
    this.baseSec = Math.floor(base / 86400000) * 86400;
    this.maxPacketText = opts.maxPacketText ?? 1 << 20;
    this.maxIssues = opts.maxIssues ?? 1000;
  }

  push(chunk: Buffer, emit: FrameSink): void {
    let start = 0;
    if (this.rest.length > 0) {
      const nl = chunk.indexOf(LF);
      if (nl < 0) {
        this.rest.push(Buffer.from(chunk));
        return;
      }
      const line = Buffer.concat([...this.rest, chunk.subarray(0, nl)]);
      this.rest = [];
      this.line(line, 0, line.length, emit);
      start = nl + 1;
    }
    for (let nl = chunk.indexOf(LF, start); nl >= 0; nl = chunk.indexOf(LF, start)) {
      this.line(chunk, start, nl, emit);
      start = nl + 1;
    }
    if (start < chunk.length) this.rest.push(Buffer.from(chunk.subarray(start)));
    this.dump.detach();
  }

  end(emit: FrameSink): void {
    if (this.rest.length > 0) {
      const line = Buffer.concat(this.rest);
      this.rest = [];
      this.line(line, 0, line.length, emit);
    }
    this.flush(emit);
    if (this.skipped > 0) this.note('text.skipped-packets', `${this.skipped} packets were not IPv4/IPv6 UDP or TCP and were skipped`);
    if (this.lost.count > 0) this.note('text.payload-not-found', `${this.lost.count} packets (first at line ${this.lost.firstLine}) have a payload whose start cannot be found in the dump (binary data such as RTP); they were skipped`);
    if (this.suppressed > 0) this.issues.push(issue('text.more-issues', `${this.suppressed} further issues were not listed`));
  }

  /** The line buf[s, lf): `lf` is where its LF is (or the end of input). */
  private line(buf: Buffer, s: number, lf: number, emit: FrameSink): void {
    const e = lf > s && buf[lf - 1] === CR ? lf - 1 : lf; // a dump saved with CRLF line ends
    this.lineNo++;
    const offset = this.offset;
    this.offset += lf - s + 1;
    if (mayBePacketLine(buf, s, e)) {
      const text = buf.toString('latin1', s, e);
      if (isPacketLine(text)) {
        this.flush(emit);
        this.block = { header: text, line: this.lineNo, offset };
        this.dumpStarted = false;
        this.size = 0;
        this.dump.reset();
        return;
      }
    }
    const b = this.block;
    if (!b) {
      const text = buf.toString('latin1', s, e);
      if (text !== '' && !text.startsWith('reading from file')) this.note('text.unrecognised-line', `line ${this.lineNo} is not part of a tcpdump packet: ${clip(text)}`, offset);
      return;
    }
    if (!this.dumpStarted) {
      // `-v` puts the addresses on an indented second line; `-vvv` prints SIP tab-indented first.
      if (startsWithIndent(buf, s, e) && !b.header.includes(' > ')) return void (b.header += ' ' + buf.toString('latin1', s, e).trim());
      if (e > s && buf[s] === 9 /* \t */) return;
      this.dumpStarted = true;
    }
    if (this.size + (e - s) > this.maxPacketText) {
      if (this.size <= this.maxPacketText) this.note('text.packet-too-long', `packet at line ${b.line} prints more than ${this.maxPacketText} characters; the rest is dropped`, offset);
      this.size = this.maxPacketText + 1;
      return;
    }
    this.dump.add(buf, s, e);
    this.size += e - s + 1;
  }

  private flush(emit: FrameSink): void {
    const b = this.block;
    this.block = undefined;
    if (!b) return;
    const p = parsePacketLine(b.header);
    if (!p || p.proto === 'other') return void this.skipped++;
    const src = this.address(p.src, p.v6, b);
    const dst = this.address(p.dst, p.v6, b);
    const whole = this.dump.bytes();
    const dump = whole.subarray(0, paddingStart(whole, p));
    const frag = p.fragOffset !== undefined && (p.fragOffset > 0 || !!p.moreFragments) && !p.v6;
    const n = this.payloadLength(p, frag);
    const start = frag && p.fragOffset! > 0 ? startByLength(dump, n ?? -1) : payloadStart(dump, n);
    if (start < 0 && n !== 0) {
      // Typically RTP or other binary data, whose rendering cannot be mapped back: counted, not listed.
      this.lost.count++;
      this.lost.firstLine ||= b.line;
      return;
    }
    const rendered = start < 0 ? EMPTY : dump.subarray(start);
    // A later fragment has no transport header, so tcpdump prints no ports for it.
    const laterFragment = frag && p.fragOffset! > 0;
    const srcPort = laterFragment ? 0 : portNumber(p.srcPort);
    const dstPort = laterFragment ? 0 : portNumber(p.dstPort);
    if (srcPort === undefined || dstPort === undefined) {
      return void this.note('text.unknown-port', `line ${b.line}: port name ${srcPort === undefined ? p.srcPort : p.dstPort} is not known; run tcpdump with -nn`, b.offset);
    }
    const payloadLength = rebuiltLength(rendered);
    const data = buildIpPacket({
      v6: p.v6, src, dst, proto: p.proto, srcPort, dstPort, payloadLength,
      writePayload: (out, at) => writeRebuilt(rendered, out, at),
      tcp: p.proto === 'tcp' ? this.tcpFields(p, payloadLength) : undefined,
      frag: frag ? { id: p.ipId!, offset: p.fragOffset!, more: !!p.moreFragments, udpLength: p.length === undefined ? undefined : p.length + 8 } : undefined,
    });
    const t = this.time(p, b);
    this.index++;
    emit({ index: this.index, sec: t, nsec: p.nsec, linkType: LinkType.RAW, data, origLen: data.length, interfaceId: 0 });
  }

  /** Bytes of payload this packet holds, as far as the printed lengths tell. */
  private payloadLength(p: TextPacketLine, frag: boolean): number | undefined {
    if (frag && p.ipLength !== undefined) return p.ipLength - 20 - (p.fragOffset === 0 ? (p.proto === 'udp' ? 8 : 20) : 0);
    if (p.length !== undefined) return p.length;
    if (p.proto === 'udp' && p.ipLength !== undefined) return p.ipLength - (p.v6 ? 0 : 20) - 8;
    return undefined;
  }

  private tcpFields(p: TextPacketLine, len: number): { seq: number; ack: number; flags: string } {
    const key = `${p.src} ${p.srcPort} ${p.dst} ${p.dstPort}`;
    const tcp = p.tcp ?? { flags: '' };
    const seq = tcp.seq ?? this.nextSeq.get(key) ?? 1;
    const syn = tcp.flags.includes('S') || tcp.flags.includes('F') ? 1 : 0;
    this.nextSeq.set(key, tcp.seqEnd ?? seq + len + syn);
    return { seq, ack: tcp.ack ?? 0, flags: tcp.flags };
  }

  private time(p: TextPacketLine, b: Block): number {
    if (Number.isNaN(p.sec)) {
      this.note('text.bad-time', `line ${b.line}: tcpdump could not print this packet's time; it gets the previous packet's`, b.offset);
      return this.lastSec;
    }
    this.lastSec = this.timeOf(p, b);
    return this.lastSec;
  }

  private timeOf(p: TextPacketLine, b: Block): number {
    if (p.dated) return p.sec;
    if (!this.noDate) {
      this.noDate = true;
      this.note('text.no-date', `the dump has times of day but no dates; packets are placed on ${new Date(this.baseSec * 1000).toISOString().slice(0, 10)} (use tcpdump -tttt to keep dates)`, b.offset);
    }
    if (this.prevTod !== undefined && p.sec < this.prevTod - 43200) this.dayOffset += 86400;
    this.prevTod = p.sec;
    return this.baseSec + this.dayOffset + p.sec;
  }

  private address(text: string, v6: boolean, b: Block): Uint8Array {
    const a = this.parsedAddress(text, v6);
    if (a) return a;
    if (!this.namesReported.has(text)) {
      this.namesReported.add(text);
      this.note('text.host-name', `line ${b.line}: host name ${clip(text)} stands in for an address that the dump does not show; run tcpdump with -nn`, b.offset);
    }
    return standIn(text, v6);
  }

  /** `parseAddress`, remembered (the result is only read: it is copied into each packet). */
  private parsedAddress(text: string, v6: boolean): Uint8Array | undefined {
    const seen = this.addresses[v6 ? 1 : 0];
    let a = seen.get(text);
    if (a === undefined && !seen.has(text)) {
      a = parseAddress(text, v6);
      if (seen.size >= ADDRESS_CACHE) seen.clear();
      seen.set(text, a);
    }
    return a;
  }

  private note(code: string, detail: string, offset?: number): void {
    if (this.issues.length < this.maxIssues) this.issues.push(issue(code, detail, offset));
    else this.suppressed++;
  }
}

/** A stable address for a host name: 240.0.0.0/4 (IPv4, reserved) or fd00::/8-like IPv6 from a hash. */
function standIn(name: string, v6: boolean): Uint8Array {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  if (!v6) return Uint8Array.of(240 | (h >>> 28), (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff);
  const out = new Uint8Array(16);
  out[0] = 0xfd;
  out.set([h >>> 24, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff], 12);
  return out;
}

/**
 * `-A` prints the whole captured frame, so a short IPv4 packet on Ethernet is followed by
 * the padding up to the 46-byte minimum, shown as dots. Where they start when the lengths
 * printed tell how many there are (always with -v; for UDP from its length; not for TCP
 * without -v); else the dump's end.
 */
function paddingStart(dump: Buffer, p: TextPacketLine): number {
  if (p.v6) return dump.length;
  const ipLen = p.ipLength ?? (p.proto === 'udp' && p.length !== undefined ? 28 + p.length : undefined);
  if (ipLen === undefined || ipLen >= 46) return dump.length;
  let end = dump.length;
  while (end > dump.length - (46 - ipLen) && dump[end - 1] === 46 /* . */) end--;
  return end === dump.length - (46 - ipLen) ? end : dump.length;
}

/** Does buf[s, e) start with four spaces (a `-v` continuation line)? */
function startsWithIndent(buf: Buffer, s: number, e: number): boolean {
  return e - s >= 4 && buf[s] === 32 && buf[s + 1] === 32 && buf[s + 2] === 32 && buf[s + 3] === 32;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}
