/**
 * Test builders for capture files from named fields (STYLE.md principle 11): classic pcap
 * in either byte order with µs or ns stamps, and pcapng sections in either byte order with
 * interfaces, EPB/SPB/OPB, Decryption Secrets and unknown blocks. They write what the
 * format documents say, so decoder tests can check reading against intent, not against
 * the decoder's own idea of the format.
 */

export interface PcapRecord {
  sec: number;
  /** Micro- or nanoseconds, as the file's resolution says. */
  frac: number;
  data: Buffer;
  /** Defaults to data.length. */
  origLen?: number;
  /** Overrides the captured length field (to build damaged files). */
  inclLen?: number;
}

export interface PcapFile {
  le?: boolean;
  nano?: boolean;
  linkType?: number;
  snaplen?: number;
  records: PcapRecord[];
}

export function pcap(f: PcapFile): Buffer {
  const le = f.le ?? true;
  const h = Buffer.alloc(24);
  const u32 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt32LE(v >>> 0, o) : b.writeUInt32BE(v >>> 0, o));
  const u16 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  u32(h, f.nano ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  u16(h, 2, 4);
  u16(h, 4, 6);
  u32(h, f.snaplen ?? 65535, 16);
  u32(h, f.linkType ?? 1, 20);
  const parts: Buffer[] = [h];
  for (const r of f.records) {
    const rh = Buffer.alloc(16);
    u32(rh, r.sec, 0);
    u32(rh, r.frac, 4);
    u32(rh, r.inclLen ?? r.data.length, 8);
    u32(rh, r.origLen ?? r.data.length, 12);
    parts.push(rh, r.data);
  }
  return Buffer.concat(parts);
}

/** One pcapng block: type, body, padding to 32 bits, lengths front and back. */
export function block(type: number, body: Buffer, le = true): Buffer {
  const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
  const len = padded.length + 12;
  const b = Buffer.alloc(len);
  const u32 = (v: number, o: number) => (le ? b.writeUInt32LE(v >>> 0, o) : b.writeUInt32BE(v >>> 0, o));
  u32(type, 0);
  u32(len, 4);
  padded.copy(b, 8);
  u32(len, len - 4);
  return b;
}

function fields(le: boolean, spec: [bits: 16 | 32, value: number][]): Buffer {
  const b = Buffer.alloc(spec.reduce((n, [bits]) => n + bits / 8, 0));
  let o = 0;
  for (const [bits, v] of spec) {
    if (bits === 16) le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o);
    else le ? b.writeUInt32LE(v >>> 0, o) : b.writeUInt32BE(v >>> 0, o);
    o += bits / 8;
  }
  return b;
}

/** An option: code, length, value padded to 32 bits. */
export function option(code: number, value: Buffer, le = true): Buffer {
  return Buffer.concat([fields(le, [[16, code], [16, value.length]]), value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

export function shb(le = true): Buffer {
  const body = Buffer.concat([fields(le, [[32, 0x1a2b3c4d], [16, 1], [16, 0]]), Buffer.alloc(8, 0xff)]);
  return block(0x0a0d0d0a, body, le);
}

export interface IdbSpec {
  linkType: number;
  snaplen?: number;
  /** Raw if_tsresol byte: n for 10^-n, 0x80|n for 2^-n. */
  tsresol?: number;
  tsoffset?: number;
}

export function idb(i: IdbSpec, le = true): Buffer {
  const opts: Buffer[] = [];
  if (i.tsresol !== undefined) opts.push(option(9, Buffer.of(i.tsresol), le));
  if (i.tsoffset !== undefined) {
    const v = Buffer.alloc(8);
    le ? v.writeBigInt64LE(BigInt(i.tsoffset)) : v.writeBigInt64BE(BigInt(i.tsoffset));
    opts.push(option(14, v, le));
  }
  if (opts.length) opts.push(option(0, Buffer.alloc(0), le));
  return block(1, Buffer.concat([fields(le, [[16, i.linkType], [16, 0], [32, i.snaplen ?? 0]]), ...opts]), le);
}

export interface EpbSpec {
  iface: number;
  /** Timestamp in the interface's units, as a bigint (64 bits). */
  ts: bigint;
  data: Buffer;
  origLen?: number;
}

export function epb(p: EpbSpec, le = true): Buffer {
  const hi = Number(p.ts >> 32n);
  const lo = Number(p.ts & 0xffffffffn);
  return block(6, Buffer.concat([fields(le, [[32, p.iface], [32, hi], [32, lo], [32, p.data.length], [32, p.origLen ?? p.data.length]]), p.data]), le);
}

/** Obsolete Packet Block: 16-bit interface id and drop count. */
export function opb(p: EpbSpec, le = true): Buffer {
  const hi = Number(p.ts >> 32n);
  const lo = Number(p.ts & 0xffffffffn);
  return block(2, Buffer.concat([fields(le, [[16, p.iface], [16, 0], [32, hi], [32, lo], [32, p.data.length], [32, p.origLen ?? p.data.length]]), p.data]), le);
}

export function spb(data: Buffer, origLen = data.length, le = true): Buffer {
  return block(3, Buffer.concat([fields(le, [[32, origLen]]), data]), le);
}

export function dsb(secretsType: number, data: Buffer, le = true): Buffer {
  return block(0x0a, Buffer.concat([fields(le, [[32, secretsType], [32, data.length]]), data]), le);
}

/** Bytes of a recognisable payload: `tag` repeated to `len` bytes. */
export function bytesOf(tag: string, len: number): Buffer {
  return Buffer.from(tag.repeat(Math.ceil(len / tag.length)).slice(0, len), 'latin1');
}
