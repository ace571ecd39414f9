/**
 * The one place that writes capture files: classic pcap and pcapng, little-endian.
 * `sipv export` copies original frames through it; the HEP collector's `-w`
 * writes the frames it synthesises around HEP-carried SIP (capture/pcap-writer.ts)
 * through it too. Byte output only: the caller decides where the bytes go.
 *
 * pcap (https://www.tcpdump.org/manpages/pcap-savefile.5.html) holds one link
 * type per file, so its header waits for the first frame (or is written at once
 * when the link type is given) and a frame of another link type is refused —
 * pcapng can hold both. pcapng (draft-ietf-opsawg-pcapng) gets one Section
 * Header Block, an Interface Description Block the first time each (input,
 * interface, link type) appears, and an Enhanced Packet Block per frame.
 * Both keep nanoseconds when asked (pcap magic a1b23c4d, pcapng `if_tsresol` 9),
 * else microseconds.
 */

import { BYTE_ORDER_MAGIC, DSB, EPB, IDB, SHB } from './pcapng-format.js';

/** What a frame needs to be written: bytes, lengths, time and link type as captured. */
export interface SavefileFrame {
  sec: number;
  nsec: number;
  linkType: number;
  data: Buffer;
  /** Original length on the wire (≥ data.length; a smaller value is raised to it). */
  origLen: number;
  /** pcapng interface id in its input; 0 for pcap and text. */
  interfaceId?: number;
}

export type SavefileFormat = 'pcap' | 'pcapng';

export interface SavefileOptions {
  /** Keep sub-microsecond time. */
  nanoseconds?: boolean;
  /** pcap: write the header at once with this link type (a file that may get no frame is still valid). */
  linkType?: number;
  /** pcapng: the Section Header's shb_userappl. */
  application?: string;
}

export interface SavefileWriter {
  /** `source`/`sourceName` say which input the frame came from (pcapng gives each its interfaces). */
  frame(f: SavefileFrame, source?: number, sourceName?: string): void;
  /** Finishes the file: an empty pcap still gets its header. */
  end(): void;
  readonly frames: number;
}

export const SNAPLEN = 262144;

/** A frame whose link type the pcap already fixed otherwise. */
export class LinkTypeConflict extends Error {}

export function savefileWriter(format: SavefileFormat, write: (b: Buffer) => void, options: SavefileOptions = {}): SavefileWriter {
  return format === 'pcap' ? new PcapFileWriter(write, options) : new PcapngFileWriter(write, options);
}

const PCAP_MAGIC_USEC = 0xa1b2c3d4;
const PCAP_MAGIC_NSEC = 0xa1b23c4d;

export class PcapFileWriter implements SavefileWriter {
  frames = 0;
  private linkType: number | undefined;
  private readonly nanoseconds: boolean;

  constructor(private readonly write: (b: Buffer) => void, options: SavefileOptions = {}) {
    this.nanoseconds = options.nanoseconds ?? false;
    if (options.linkType !== undefined) this.start(options.linkType);
  }

  frame(f: SavefileFrame): void {
    if (this.linkType === undefined) this.start(f.linkType);
    else if (f.linkType !== this.linkType) {
      throw new LinkTypeConflict(`frames of link types ${this.linkType} and ${f.linkType} cannot share one pcap; write .pcapng instead`);
    }
    const h = Buffer.alloc(16);
    h.writeUInt32LE(f.sec >>> 0, 0);
    h.writeUInt32LE(this.nanoseconds ? f.nsec : Math.floor(f.nsec / 1000), 4);
    h.writeUInt32LE(f.data.length, 8);
    h.writeUInt32LE(Math.max(f.origLen, f.data.length), 12);
    this.write(Buffer.concat([h, f.data]));
    this.frames++;
  }

  end(): void {
    if (this.linkType === undefined) this.start(1);
  }

  private start(linkType: number): void {
    this.linkType = linkType;
    const h = Buffer.alloc(24);
    h.writeUInt32LE(this.nanoseconds ? PCAP_MAGIC_NSEC : PCAP_MAGIC_USEC, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(SNAPLEN, 16);
    h.writeUInt32LE(linkType, 20);
    this.write(h);
  }
}

const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const IF_NAME = 2;
const IF_TSRESOL = 9;
const SHB_USERAPPL = 4;

export class PcapngFileWriter implements SavefileWriter {
  frames = 0;
  private readonly interfaces = new Map<string, number>();
  private readonly nanoseconds: boolean;

  constructor(private readonly write: (b: Buffer) => void, options: SavefileOptions = {}) {
    this.nanoseconds = options.nanoseconds ?? false;
    const body = Buffer.alloc(16);
    body.writeUInt32LE(BYTE_ORDER_MAGIC, 0);
    body.writeUInt16LE(1, 4);
    body.writeUInt16LE(0, 6);
    // Section length unknown: -1 (we stream).
    body.writeInt32LE(-1, 8);
    body.writeInt32LE(-1, 12);
    write(block(SHB, Buffer.concat([body, encodeOptions([[SHB_USERAPPL, Buffer.from(options.application ?? 'sipvestigator')]])])));
  }

  frame(f: SavefileFrame, source = 0, sourceName = 'capture'): void {
    const ifId = f.interfaceId ?? 0;
    const key = `${source}|${ifId}|${f.linkType}`;
    let id = this.interfaces.get(key);
    if (id === undefined) {
      id = this.interfaces.size;
      this.interfaces.set(key, id);
      this.write(this.idb(f.linkType, `${sourceName}#${ifId}`));
    }
    const ticks = this.nanoseconds ? BigInt(f.sec) * 1_000_000_000n + BigInt(f.nsec) : BigInt(f.sec) * 1_000_000n + BigInt(Math.floor(f.nsec / 1000));
    const head = Buffer.alloc(20);
    head.writeUInt32LE(id, 0);
    head.writeUInt32LE(Number(ticks >> 32n), 4);
    head.writeUInt32LE(Number(ticks & 0xffffffffn), 8);
    head.writeUInt32LE(f.data.length, 12);
    head.writeUInt32LE(Math.max(f.origLen, f.data.length), 16);
    this.write(block(EPB, Buffer.concat([head, f.data, pad(f.data.length)])));
    this.frames++;
  }

  end(): void {}

  private idb(linkType: number, name: string): Buffer {
    const body = Buffer.alloc(8);
    body.writeUInt16LE(linkType, 0);
    body.writeUInt32LE(SNAPLEN, 4);
    const opts: [number, Buffer][] = [[IF_NAME, Buffer.from(name)], [OPT_COMMENT, Buffer.from('exported by sipvestigator')]];
    if (this.nanoseconds) opts.push([IF_TSRESOL, Buffer.from([9])]);
    return block(IDB, Buffer.concat([body, encodeOptions(opts)]));
  }
}

/** A pcapng Decryption Secrets Block (§4.7): secrets type (e.g. 0x544c534b, TLS key log), length, data padded. */
export function secretsBlock(type: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(type, 0);
  head.writeUInt32LE(data.length, 4);
  return block(DSB, Buffer.concat([head, data, pad(data.length)]));
}

function pad(n: number): Buffer {
  return Buffer.alloc((4 - (n % 4)) % 4);
}

/** pcapng options: code, length, value padded to 32 bits, then opt_endofopt (§3.5). */
function encodeOptions(list: [number, Buffer][]): Buffer {
  if (list.length === 0) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  for (const [code, value] of list) {
    const h = Buffer.alloc(4);
    h.writeUInt16LE(code, 0);
    h.writeUInt16LE(value.length, 2);
    parts.push(h, value, pad(value.length));
  }
  const end = Buffer.alloc(4);
  end.writeUInt16LE(OPT_ENDOFOPT, 0);
  parts.push(end);
  return Buffer.concat(parts);
}

/** type, total length, body, total length again (pcapng §3.1). */
function block(type: number, body: Buffer): Buffer {
  const total = 12 + body.length;
  const b = Buffer.alloc(total);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(total, 4);
  body.copy(b, 8);
  b.writeUInt32LE(total, total - 4);
  return b;
}
