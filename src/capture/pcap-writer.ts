/**
 * Writes classic pcap (microsecond, LINKTYPE_ETHERNET) from transport payloads
 * whose link and IP layers are gone — SIP collected from HEP — by building
 * Ethernet / IPv4 or IPv6 / UDP or TCP around each payload with its original
 * addresses, ports and time, so tshark and our own readers see the traffic as
 * the agent did. The file itself is written by capture/savefile-writer.ts, the
 * same writer `sipv export` uses; this module only synthesises the frames.
 *
 * TCP payloads get consecutive sequence numbers per direction (and the other
 * direction's as the ack), so stream reassembly accepts them; checksums are
 * computed (RFC 791 §3.1, RFC 768, RFC 793 §3.1, RFC 8200 §8.1 pseudo-header).
 * Byte output only: the caller decides where the bytes go and when to flush.
 */
import { LinkType } from './frame.js';
import { savefileWriter, type SavefileFormat, type SavefileWriter } from './savefile-writer.js';

export interface PcapPacket {
  sec: number;
  nsec: number;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  transport: 'udp' | 'tcp';
  payload: Buffer;
}

/** Largest TCP payload put in one synthesised segment (fits any IP header in 65 535). */
const TCP_SEGMENT = 65000;
/** Directions whose next sequence number is remembered; the oldest is forgotten beyond this. */
const MAX_FLOWS = 65536;
const MAC_SRC = Buffer.from([0x02, 0, 0, 0, 0, 0x01]);
const MAC_DST = Buffer.from([0x02, 0, 0, 0, 0, 0x02]);

export class PcapWriter {
  /** Packets written, and payloads that could not be (a UDP datagram over 64 KiB, bad address text). */
  readonly stats = { packets: 0, skipped: 0 };
  private readonly nextSeq = new Map<string, number>();
  private readonly file: SavefileWriter;

  /** Writes the file header at once through `write` (pcap; pcapng's blocks come with the first frame). */
  constructor(write: (bytes: Buffer) => void, format: SavefileFormat = 'pcap', options: { nanoseconds?: boolean } = {}) {
    this.file = savefileWriter(format, write, { linkType: LinkType.ETHERNET, ...options });
  }

  /** Finishes the file (an empty pcap keeps its header). */
  end(): void {
    this.file.end();
  }

  /** Writes the payload as one or more frames; false when it cannot be represented. */
  packet(p: PcapPacket): boolean {
    const src = ipBytes(p.srcIp);
    const dst = ipBytes(p.dstIp);
    if (src === undefined || dst === undefined || src.length !== dst.length) {
      this.stats.skipped++;
      return false;
    }
    if (p.transport === 'udp') {
      if (p.payload.length + 8 + (src.length === 4 ? 20 : 0) > 65535) {
        this.stats.skipped++;
        return false;
      }
      this.emit(p.sec, p.nsec, src, dst, 17, udpSegment(src, dst, p.srcPort, p.dstPort, p.payload));
      return true;
    }
    const key = `${p.srcIp}|${p.srcPort}|${p.dstIp}|${p.dstPort}`;
    const back = `${p.dstIp}|${p.dstPort}|${p.srcIp}|${p.srcPort}`;
    for (let off = 0; off < p.payload.length || off === 0; off += TCP_SEGMENT) {
      const part = p.payload.subarray(off, off + TCP_SEGMENT);
      const seq = this.nextSeq.get(key) ?? 1;
      this.remember(key, (seq + part.length) >>> 0);
      const ack = this.nextSeq.get(back) ?? 0;
      this.emit(p.sec, p.nsec, src, dst, 6, tcpSegment(src, dst, p.srcPort, p.dstPort, seq, ack, part));
      if (part.length === 0) break;
    }
    return true;
  }

  private remember(key: string, seq: number): void {
    this.nextSeq.delete(key);
    if (this.nextSeq.size >= MAX_FLOWS) this.nextSeq.delete(this.nextSeq.keys().next().value!);
    this.nextSeq.set(key, seq);
  }

  private emit(sec: number, nsec: number, src: Buffer, dst: Buffer, proto: number, l4: Buffer): void {
    const ip = src.length === 4 ? ipv4Header(src, dst, proto, l4.length) : ipv6Header(src, dst, proto, l4.length);
    const ethType = src.length === 4 ? 0x0800 : 0x86dd;
    const eth = Buffer.alloc(14);
    MAC_DST.copy(eth, 0);
    MAC_SRC.copy(eth, 6);
    eth.writeUInt16BE(ethType, 12);
    const data = Buffer.concat([eth, ip, l4]);
    this.file.frame({ sec, nsec, linkType: LinkType.ETHERNET, data, origLen: data.length });
    this.stats.packets++;
  }
}

function ipv4Header(src: Buffer, dst: Buffer, proto: number, l4Length: number): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + l4Length, 2);
  h.writeUInt16BE(0x4000, 6); // DF: never a fragment
  h[8] = 64;
  h[9] = proto;
  src.copy(h, 12);
  dst.copy(h, 16);
  h.writeUInt16BE(fold(sum16(h, 0)), 10);
  return h;
}

function ipv6Header(src: Buffer, dst: Buffer, proto: number, l4Length: number): Buffer {
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x60000000, 0);
  h.writeUInt16BE(l4Length, 4);
  h[6] = proto;
  h[7] = 64;
  src.copy(h, 8);
  dst.copy(h, 24);
  return h;
}

function udpSegment(src: Buffer, dst: Buffer, sport: number, dport: number, payload: Buffer): Buffer {
  const s = Buffer.alloc(8 + payload.length);
  s.writeUInt16BE(sport, 0);
  s.writeUInt16BE(dport, 2);
  s.writeUInt16BE(Math.min(s.length, 65535), 4);
  payload.copy(s, 8);
  // RFC 768: a computed zero is sent as all ones (zero means "no checksum").
  s.writeUInt16BE(fold(pseudo(src, dst, 17, s.length) + sum16(s, 0)) || 0xffff, 6);
  return s;
}

function tcpSegment(src: Buffer, dst: Buffer, sport: number, dport: number, seq: number, ack: number, payload: Buffer): Buffer {
  const s = Buffer.alloc(20 + payload.length);
  s.writeUInt16BE(sport, 0);
  s.writeUInt16BE(dport, 2);
  s.writeUInt32BE(seq >>> 0, 4);
  s.writeUInt32BE(ack >>> 0, 8);
  s[12] = 5 << 4;
  s[13] = ack === 0 ? 0x08 : 0x18; // PSH, plus ACK once the other side's sequence is known
  s.writeUInt16BE(65535, 14);
  payload.copy(s, 20);
  s.writeUInt16BE(fold(pseudo(src, dst, 6, s.length) + sum16(s, 0)), 16);
  return s;
}

function pseudo(src: Buffer, dst: Buffer, proto: number, length: number): number {
  return sum16(src, 0) + sum16(dst, 0) + proto + (length >>> 16) + (length & 0xffff);
}

/** Sum of 16-bit big-endian words from `from` (odd tail padded with zero), unfolded. */
function sum16(b: Buffer, from: number): number {
  let s = 0;
  const end = b.length - ((b.length - from) & 1);
  for (let i = from; i < end; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if (end < b.length) s += b[end]! << 8;
  return s;
}

/** One's-complement of the folded sum: the checksum field's value. */
function fold(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 65536);
  return ~s & 0xffff;
}

/** Dotted IPv4 or any IPv6 text form as bytes; undefined when it is neither. */
export function ipBytes(ip: string): Buffer | undefined {
  if (!ip.includes(':')) {
    const parts = ip.split('.');
    if (parts.length !== 4 || parts.some((x) => !/^\d{1,3}$/.test(x) || Number(x) > 255)) return undefined;
    return Buffer.from(parts.map(Number));
  }
  let text = ip.replace(/%.*$/, ''); // a zone index is not part of the address
  // RFC 4291 §2.2: a dotted IPv4 tail is the last two 16-bit words.
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = ipBytes(dotted[2]!);
    if (v4 === undefined) return undefined;
    text = `${dotted[1]}${v4.readUInt16BE(0).toString(16)}:${v4.readUInt16BE(2).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const words = (s: string): number[] | undefined => {
    if (s === '') return [];
    const w = s.split(':').map((x) => (/^[0-9a-f]{1,4}$/i.test(x) ? parseInt(x, 16) : NaN));
    return w.some(Number.isNaN) ? undefined : w;
  };
  const head = words(halves[0]!);
  const rest = halves.length === 2 ? words(halves[1]!) : [];
  if (head === undefined || rest === undefined) return undefined;
  const fill = 8 - head.length - rest.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const out = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...rest];
  const b = Buffer.alloc(16);
  out.forEach((w, i) => b.writeUInt16BE(w, i * 2));
  return b;
}
