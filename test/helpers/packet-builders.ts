/**
 * Byte builders for network-layer tests: packets are written from intent, e.g.
 * `eth(vlan(ipv4({ src, dst }, udp({ sport, dport }, sip))))`. Each builder
 * remembers what it built (EtherType, IP protocol) so the layer around it can
 * fill its type field without the test repeating it. Checksums are left zero:
 * the decoders do not verify them.
 */
import { deflateSync } from 'node:zlib';
import type { Frame } from '../../src/capture/frame.js';

const etherTypes = new WeakMap<Buffer, number>();
const ipProtos = new WeakMap<Buffer, number>();

function tagged(b: Buffer, etherType?: number, ipProto?: number): Buffer {
  if (etherType !== undefined) etherTypes.set(b, etherType);
  if (ipProto !== undefined) ipProtos.set(b, ipProto);
  return b;
}

/** EtherType of a built payload: remembered, or from the IP version nibble. */
export function etherTypeOf(b: Buffer): number {
  const t = etherTypes.get(b);
  if (t !== undefined) return t;
  return b[0] >> 4 === 6 ? 0x86dd : 0x0800;
}

function protoOf(b: Buffer, fallback = 17): number {
  return ipProtos.get(b) ?? fallback;
}

const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

export function ipv4Bytes(a: string): Buffer {
  return Buffer.from(a.split('.').map(Number));
}

export function ipv6Bytes(a: string): Buffer {
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.concat(groups.map((g) => u16(parseInt(g, 16))));
}

// ---- link layers -----------------------------------------------------------

export function eth(payload: Buffer, etherType = etherTypeOf(payload)): Buffer {
  return Buffer.concat([Buffer.from('00000000000200000000000a', 'hex'), u16(etherType), payload]);
}

/** IEEE 802.3 frame with LLC/SNAP carrying an EtherType. */
export function eth8023Snap(payload: Buffer, etherType = etherTypeOf(payload)): Buffer {
  const llc = Buffer.concat([Buffer.from('aaaa03000000', 'hex'), u16(etherType), payload]);
  return Buffer.concat([Buffer.from('00000000000200000000000a', 'hex'), u16(llc.length), llc]);
}

/** One 802.1Q tag (or 802.1ad with `tpid` 0x88a8) in front of `payload`. */
export function vlan(payload: Buffer, vid = 100, tpid = 0x8100): Buffer {
  return tagged(Buffer.concat([u16(vid), u16(etherTypeOf(payload)), payload]), tpid);
}

export function ppp(payload: Buffer, opts: { addressControl?: boolean; compressed?: boolean } = {}): Buffer {
  const proto = etherTypeOf(payload) === 0x86dd ? 0x0057 : 0x0021;
  const pfield = opts.compressed ? Buffer.from([proto]) : u16(proto);
  return Buffer.concat([opts.addressControl ? Buffer.from([0xff, 0x03]) : Buffer.alloc(0), pfield, payload]);
}

/** PPPoE session (EtherType 0x8864) with PPP inside. */
export function pppoe(payload: Buffer, session = 1): Buffer {
  const inner = ppp(payload);
  return tagged(Buffer.concat([Buffer.from([0x11, 0x00]), u16(session), u16(inner.length), inner]), 0x8864);
}

export function mpls(payload: Buffer, labels = [16, 17]): Buffer {
  const stack = labels.map((l, i) => u32((l << 12) | (i === labels.length - 1 ? 0x100 : 0) | 64));
  return tagged(Buffer.concat([...stack, payload]), 0x8847);
}

export function sll(payload: Buffer, protocol = etherTypeOf(payload)): Buffer {
  return Buffer.concat([Buffer.from('0000000100060000000000020000', 'hex'), u16(protocol), payload]);
}

export function sll2(payload: Buffer, protocol = etherTypeOf(payload)): Buffer {
  return Buffer.concat([u16(protocol), Buffer.from('00000000000200010006', 'hex'), Buffer.from('0000000000020000', 'hex'), payload]);
}

/** BSD loopback header: address family in little- or big-endian order. */
export function nullLink(payload: Buffer, af = payload[0] >> 4 === 6 ? 30 : 2, littleEndian = true): Buffer {
  const h = Buffer.alloc(4);
  if (littleEndian) h.writeUInt32LE(af);
  else h.writeUInt32BE(af);
  return Buffer.concat([h, payload]);
}

// ---- IP ----------------------------------------------------------------------

export interface Ipv4Opts {
  src?: string;
  dst?: string;
  proto?: number;
  id?: number;
  /** Fragment offset in bytes (multiple of 8). */
  fragOffset?: number;
  mf?: boolean;
  options?: Buffer;
  /** Override the total length field (to fake truncation or TSO zero). */
  totalLength?: number;
}

export function ipv4(o: Ipv4Opts, payload: Buffer): Buffer {
  const opts = o.options ?? Buffer.alloc(0);
  const hlen = 20 + opts.length;
  const h = Buffer.alloc(20);
  h[0] = 0x40 | (hlen / 4);
  h.writeUInt16BE(o.totalLength ?? hlen + payload.length, 2);
  h.writeUInt16BE(o.id ?? 1, 4);
  h.writeUInt16BE(((o.fragOffset ?? 0) / 8) | (o.mf ? 0x2000 : 0), 6);
  h[8] = 64;
  h[9] = o.proto ?? protoOf(payload);
  ipv4Bytes(o.src ?? '10.0.0.1').copy(h, 12);
  ipv4Bytes(o.dst ?? '10.0.0.2').copy(h, 16);
  return tagged(Buffer.concat([h, opts, payload]), 0x0800, 4);
}

/** Splits a transport payload into IPv4 fragments at the given byte offsets (multiples of 8). */
export function ipv4Fragments(o: Ipv4Opts, payload: Buffer, cuts: number[]): Buffer[] {
  const proto = o.proto ?? protoOf(payload);
  const bounds = [0, ...cuts, payload.length];
  const out: Buffer[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    out.push(ipv4({ ...o, proto, fragOffset: bounds[i], mf: i + 2 < bounds.length }, payload.subarray(bounds[i], bounds[i + 1])));
  }
  return out;
}

export interface Ipv6Ext {
  /** 0 hop-by-hop, 43 routing, 60 destination options, 51 AH, 44 fragment. */
  type: number;
  /** Fragment header fields. */
  fragOffset?: number;
  mf?: boolean;
  id?: number;
}

export interface Ipv6Opts {
  src?: string;
  dst?: string;
  next?: number;
  ext?: Ipv6Ext[];
}

export function ipv6(o: Ipv6Opts, payload: Buffer): Buffer {
  const ext = o.ext ?? [];
  const upper = o.next ?? protoOf(payload);
  const parts: Buffer[] = [];
  ext.forEach((e, i) => {
    const nh = i + 1 < ext.length ? ext[i + 1].type : upper;
    if (e.type === 44) {
      const f = Buffer.alloc(8);
      f[0] = nh;
      f.writeUInt16BE((e.fragOffset ?? 0) | (e.mf ? 1 : 0), 2);
      f.writeUInt32BE(e.id ?? 7, 4);
      parts.push(f);
    } else if (e.type === 51) {
      const f = Buffer.alloc(16); // AH with 8 bytes of ICV: (16/4) − 2 = 2
      f[0] = nh;
      f[1] = 2;
      parts.push(f);
    } else {
      const f = Buffer.alloc(16); // 16 bytes: (16/8) − 1 = 1, PadN options
      f[0] = nh;
      f[1] = 1;
      f[2] = 1;
      f[3] = 12;
      parts.push(f);
    }
  });
  const body = Buffer.concat([...parts, payload]);
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(body.length, 4);
  h[6] = ext.length ? ext[0].type : upper;
  h[7] = 64;
  ipv6Bytes(o.src ?? 'fd00::1').copy(h, 8);
  ipv6Bytes(o.dst ?? 'fd00::2').copy(h, 24);
  return tagged(Buffer.concat([h, body]), 0x86dd, 41);
}

// ---- transport -----------------------------------------------------------------

export function udp(o: { sport?: number; dport?: number }, payload: Buffer | string): Buffer {
  const p = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const h = Buffer.alloc(8);
  h.writeUInt16BE(o.sport ?? 5060, 0);
  h.writeUInt16BE(o.dport ?? 5060, 2);
  h.writeUInt16BE(8 + p.length, 4);
  return tagged(Buffer.concat([h, p]), undefined, 17);
}

export interface TcpOpts {
  sport?: number;
  dport?: number;
  seq?: number;
  ack?: number;
  syn?: boolean;
  fin?: boolean;
  rst?: boolean;
  /** Option bytes (padded to 4). */
  options?: Buffer;
}

export function tcp(o: TcpOpts, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const p = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const opt = o.options ?? Buffer.alloc(0);
  const h = Buffer.alloc(20);
  h.writeUInt16BE(o.sport ?? 40000, 0);
  h.writeUInt16BE(o.dport ?? 5060, 2);
  h.writeUInt32BE((o.seq ?? 1000) >>> 0, 4);
  h.writeUInt32BE((o.ack ?? 0) >>> 0, 8);
  h[12] = ((20 + opt.length) / 4) << 4;
  h[13] = 0x10 | (o.syn ? 0x02 : 0) | (o.fin ? 0x01 : 0) | (o.rst ? 0x04 : 0);
  h.writeUInt16BE(65535, 14);
  return tagged(Buffer.concat([h, opt, p]), undefined, 6);
}

export interface SctpChunk {
  /** DATA chunk when `data` is given; otherwise a raw chunk of `type`. */
  data?: Buffer | string;
  ppid?: number;
  type?: number;
  body?: Buffer;
  idata?: boolean;
}

export function sctp(o: { sport?: number; dport?: number }, chunks: SctpChunk[]): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(o.sport ?? 5060, 0);
  h.writeUInt16BE(o.dport ?? 5060, 2);
  h.writeUInt32BE(0x1234, 4);
  const parts = chunks.map((c, i) => {
    let body: Buffer;
    let type: number;
    if (c.data !== undefined) {
      const d = typeof c.data === 'string' ? Buffer.from(c.data) : c.data;
      type = c.idata ? 64 : 0;
      const fields = c.idata
        ? Buffer.concat([u32(i + 1), u16(0), u16(0), u32(0), u32(c.ppid ?? 0)])
        : Buffer.concat([u32(i + 1), u16(0), u16(0), u32(c.ppid ?? 0)]);
      body = Buffer.concat([fields, d]);
    } else {
      type = c.type ?? 3;
      body = c.body ?? Buffer.alloc(0);
    }
    const ch = Buffer.concat([Buffer.from([type, c.data !== undefined ? 0x03 : 0]), u16(4 + body.length), body]);
    return Buffer.concat([ch, Buffer.alloc((4 - (ch.length % 4)) % 4)]);
  });
  return tagged(Buffer.concat([h, ...parts]), undefined, 132);
}

// ---- tunnels -------------------------------------------------------------------

export interface GreOpts {
  protocol?: number;
  key?: number;
  seq?: number;
  checksum?: boolean;
  /** Enhanced GRE of PPTP (version 1, key = payload length + call id, optional ack). */
  version1?: boolean;
  ack?: number;
}

export function gre(o: GreOpts, payload: Buffer): Buffer {
  const protocol = o.protocol ?? etherTypeOf(payload);
  let flags = 0;
  const fields: Buffer[] = [];
  if (o.checksum) {
    flags |= 0x80;
    fields.push(Buffer.alloc(4));
  }
  if (o.key !== undefined || o.version1) {
    flags |= 0x20;
    fields.push(o.version1 ? Buffer.concat([u16(payload.length), u16(o.key ?? 1)]) : u32(o.key ?? 0));
  }
  if (o.seq !== undefined) {
    flags |= 0x10;
    fields.push(u32(o.seq));
  }
  let b1 = o.version1 ? 1 : 0;
  if (o.version1 && o.ack !== undefined) {
    b1 |= 0x80;
    fields.push(u32(o.ack));
  }
  return tagged(Buffer.concat([Buffer.from([flags, b1]), u16(protocol), ...fields, payload]), undefined, 47);
}

export function erspan2(ethFrame: Buffer, session = 1): Buffer {
  return gre({ protocol: 0x88be, seq: 1 }, Buffer.concat([Buffer.from([0x10, 0x00, 0x00, session]), Buffer.alloc(4), ethFrame]));
}

export function erspan3(ethFrame: Buffer, platformSubheader = false): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x20;
  h[11] = platformSubheader ? 1 : 0; // frame type 0 (Ethernet)
  const sub = platformSubheader ? Buffer.alloc(8) : Buffer.alloc(0);
  return gre({ protocol: 0x22eb, seq: 1 }, Buffer.concat([h, sub, ethFrame]));
}

/** GTPv1-U G-PDU; `ext` adds one PDU-session-container extension header. */
export function gtpu(payload: Buffer, o: { teid?: number; ext?: boolean; type?: number } = {}): Buffer {
  const opt = o.ext ? Buffer.from([0, 0, 0, 0x85, 1, 0x10, 0x09, 0x00]) : Buffer.alloc(0);
  const h = Buffer.alloc(8);
  h[0] = 0x30 | (o.ext ? 0x04 : 0);
  h[1] = o.type ?? 0xff;
  h.writeUInt16BE(opt.length + payload.length, 2);
  h.writeUInt32BE(o.teid ?? 1, 4);
  return Buffer.concat([h, opt, payload]);
}

export function vxlan(ethFrame: Buffer, vni = 42): Buffer {
  const h = Buffer.alloc(8);
  h[0] = 0x08;
  h.writeUIntBE(vni, 4, 3);
  return Buffer.concat([h, ethFrame]);
}

// ---- HEP and WebSocket --------------------------------------------------------------

export interface Hep3Opts {
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
  ipProto?: number;
  sec?: number;
  usec?: number;
  protoType?: number;
  captureId?: number;
  authKey?: string;
  correlationId?: string;
  compress?: boolean;
}

function hepChunk(type: number, value: Buffer): Buffer {
  return Buffer.concat([u16(0), u16(type), u16(6 + value.length), value]);
}

export function hep3(o: Hep3Opts, payload: Buffer | string): Buffer {
  const p = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const v6 = (o.src ?? '').includes(':');
  const chunks = [
    hepChunk(1, Buffer.from([v6 ? 10 : 2])),
    hepChunk(2, Buffer.from([o.ipProto ?? 17])),
    hepChunk(v6 ? 5 : 3, v6 ? ipv6Bytes(o.src!) : ipv4Bytes(o.src ?? '10.1.1.1')),
    hepChunk(v6 ? 6 : 4, v6 ? ipv6Bytes(o.dst!) : ipv4Bytes(o.dst ?? '10.1.1.2')),
    hepChunk(7, u16(o.sport ?? 5060)),
    hepChunk(8, u16(o.dport ?? 5060)),
    hepChunk(9, u32(o.sec ?? 1700000000)),
    hepChunk(10, u32(o.usec ?? 123456)),
    hepChunk(11, Buffer.from([o.protoType ?? 1])),
    hepChunk(12, u32(o.captureId ?? 2001)),
  ];
  if (o.authKey !== undefined) chunks.push(hepChunk(14, Buffer.from(o.authKey)));
  if (o.correlationId !== undefined) chunks.push(hepChunk(17, Buffer.from(o.correlationId)));
  chunks.push(o.compress ? hepChunk(16, deflateSync(p)) : hepChunk(15, p));
  const body = Buffer.concat(chunks);
  return Buffer.concat([Buffer.from('HEP3'), u16(6 + body.length), body]);
}

/** HEPv2 (or v1 with `version: 1`): IPv4 only here, time header little-endian. */
export function hep2(o: { src?: string; dst?: string; sport?: number; dport?: number; sec?: number; usec?: number; captureId?: number; version?: 1 | 2 }, payload: Buffer | string): Buffer {
  const p = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const version = o.version ?? 2;
  const h = Buffer.concat([Buffer.from([version, 16, 2, 17]), u16(o.sport ?? 5060), u16(o.dport ?? 5080), ipv4Bytes(o.src ?? '10.2.2.1'), ipv4Bytes(o.dst ?? '10.2.2.2')]);
  if (version === 1) return Buffer.concat([h, p]);
  const t = Buffer.alloc(10);
  t.writeUInt32LE(o.sec ?? 1600000000, 0);
  t.writeUInt32LE(o.usec ?? 500, 4);
  t.writeUInt16LE(o.captureId ?? 7, 8);
  return Buffer.concat([h, t, p]);
}

export function wsFrame(o: { opcode?: number; fin?: boolean; mask?: boolean; rsv1?: boolean }, payload: Buffer | string): Buffer {
  const p = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload);
  const b0 = ((o.fin ?? true) ? 0x80 : 0) | (o.rsv1 ? 0x40 : 0) | (o.opcode ?? 1);
  const m = o.mask ? 0x80 : 0;
  let h: Buffer;
  if (p.length < 126) h = Buffer.from([b0, m | p.length]);
  else if (p.length < 65536) h = Buffer.concat([Buffer.from([b0, m | 126]), u16(p.length)]);
  else h = Buffer.concat([Buffer.from([b0, m | 127]), u32(0), u32(p.length)]);
  if (!o.mask) return Buffer.concat([h, p]);
  const key = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  for (let i = 0; i < p.length; i++) p[i] ^= key[i & 3];
  return Buffer.concat([h, key, p]);
}

// ---- frames and SIP text ---------------------------------------------------------------

export function frame(data: Buffer, linkType = 1, index = 1, sec = 1700000000, nsec = 0): Frame {
  return { index, sec, nsec, linkType, data, origLen: data.length, interfaceId: 0 };
}

export function sipRequest(callId = 'abc@test', body = ''): string {
  return (
    `INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\n` +
    `Call-ID: ${callId}\r\nCSeq: 1 INVITE\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/** Runs frames through a fresh decoder and returns what it emitted (for tests). */
export async function decodeFrames(frames: Frame[], opts = {}) {
  const { PacketDecoder } = await import('../../src/net/decode.js');
  const d = new PacketDecoder(opts);
  const out: import('../../src/net/packet.js').TransportPayload[] = [];
  for (const f of frames) d.push(f, (p) => out.push(p));
  d.end();
  return { decoder: d, payloads: out };
}
