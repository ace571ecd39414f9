/**
 * A deliberately minimal capture walker for the SIP tests: pcap and pcapng,
 * link types NULL/Ethernet(+VLAN)/Linux SLL/raw IP, IPv4 (incl. IP-in-IP) and
 * IPv6 without fragments, UDP and TCP payloads. The real decoders live in
 * src/capture and src/net; this exists so src/sip tests can run over real
 * captures without depending on work in progress elsewhere.
 */
import { readFileSync } from 'node:fs';

export interface Segment {
  transport: 'udp' | 'tcp';
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** TCP sequence number (0 for UDP). */
  seq: number;
  payload: Buffer;
}

/** Every UDP/TCP payload (non-empty) in a capture file, in file order. */
export function segments(file: string): Segment[] {
  const data = readFileSync(file);
  const out: Segment[] = [];
  for (const [link, frame] of frames(data)) {
    const seg = decodeLink(link, frame);
    if (seg && seg.payload.length > 0) out.push(seg);
  }
  return out;
}

function* frames(d: Buffer): Generator<[number, Buffer]> {
  const magic = d.readUInt32LE(0);
  if (magic === 0x0a0d0d0a) { yield* pcapng(d); return; }
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const u32 = (o: number) => (le ? d.readUInt32LE(o) : d.readUInt32BE(o));
  const link = u32(20) & 0xffff;
  for (let p = 24; p + 16 <= d.length;) {
    const incl = u32(p + 8);
    yield [link, d.subarray(p + 16, Math.min(d.length, p + 16 + incl))];
    p += 16 + incl;
  }
}

function* pcapng(d: Buffer): Generator<[number, Buffer]> {
  let le = true;
  let links: number[] = [];
  const u32 = (o: number) => (le ? d.readUInt32LE(o) : d.readUInt32BE(o));
  for (let p = 0; p + 12 <= d.length;) {
    let type = d.readUInt32LE(p);
    if (type === 0x0a0d0d0a) { le = d.readUInt32LE(p + 8) === 0x1a2b3c4d; links = []; }
    type = u32(p);
    const len = u32(p + 4);
    if (len < 12) return;
    if (type === 1) links.push(le ? d.readUInt16LE(p + 8) : d.readUInt16BE(p + 8));
    else if (type === 6) yield [links[u32(p + 8)] ?? 1, d.subarray(p + 28, p + 28 + u32(p + 20))];
    else if (type === 3) yield [links[0] ?? 1, d.subarray(p + 12, Math.min(p + len - 4, p + 12 + u32(p + 8)))];
    p += len;
  }
}

function decodeLink(link: number, f: Buffer): Segment | null {
  if (link === 1) {
    let type = f.readUInt16BE(12), o = 14;
    while ((type === 0x8100 || type === 0x88a8) && o + 4 <= f.length) { type = f.readUInt16BE(o + 2); o += 4; }
    return ethertype(type, f.subarray(o));
  }
  if (link === 113) return ethertype(f.readUInt16BE(14), f.subarray(16));
  if (link === 0) return ip(f.subarray(4));
  if (link === 101 || link === 228 || link === 229) return ip(f);
  return null;
}

function ethertype(type: number, p: Buffer): Segment | null {
  return type === 0x0800 || type === 0x86dd ? ip(p) : null;
}

function ip(p: Buffer): Segment | null {
  if (p.length < 20) return null;
  const v = p[0]! >> 4;
  if (v === 4) {
    const ihl = (p[0]! & 15) * 4;
    const total = Math.min(p.readUInt16BE(2), p.length);
    if (p.readUInt16BE(6) & 0x3fff) return null; // fragment
    const proto = p[9]!;
    const src = [...p.subarray(12, 16)].join('.'), dst = [...p.subarray(16, 20)].join('.');
    if (proto === 4) return ip(p.subarray(ihl, total));
    return l4(proto, src, dst, p.subarray(ihl, total));
  }
  if (v === 6 && p.length >= 40) {
    let next = p[6]!, o = 40;
    while ((next === 0 || next === 43 || next === 60) && o + 8 <= p.length) { next = p[o]!; o += (p[o + 1]! + 1) * 8; }
    const hex = (b: Buffer) => b.toString('hex').replace(/(.{4})(?!$)/g, '$1:');
    return l4(next, hex(p.subarray(8, 24)), hex(p.subarray(24, 40)), p.subarray(o, 40 + p.readUInt16BE(4)));
  }
  return null;
}

function l4(proto: number, src: string, dst: string, p: Buffer): Segment | null {
  if (proto === 17 && p.length >= 8) {
    return { transport: 'udp', src, dst, sport: p.readUInt16BE(0), dport: p.readUInt16BE(2), seq: 0, payload: p.subarray(8, Math.max(8, p.readUInt16BE(4))) };
  }
  if (proto === 6 && p.length >= 20) {
    const off = (p[12]! >> 4) * 4;
    return { transport: 'tcp', src, dst, sport: p.readUInt16BE(0), dport: p.readUInt16BE(2), seq: p.readUInt32BE(4), payload: p.subarray(off) };
  }
  return null;
}

/**
 * TCP payloads per direction, in order, dropping exact retransmissions and
 * anything not continuing the expected sequence number (enough for clean captures).
 */
export function tcpStreams(segs: Segment[]): Map<string, Buffer[]> {
  const out = new Map<string, Buffer[]>();
  const next = new Map<string, number>();
  for (const s of segs) {
    if (s.transport !== 'tcp') continue;
    const key = `${s.src}:${s.sport}>${s.dst}:${s.dport}`;
    const want = next.get(key);
    if (want !== undefined && s.seq !== want) continue;
    next.set(key, (s.seq + s.payload.length) >>> 0);
    const list = out.get(key) ?? [];
    list.push(s.payload);
    out.set(key, list);
  }
  return out;
}
