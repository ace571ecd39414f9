/**
 * Writes original frames as pcapng (little-endian): one Section Header Block,
 * an Interface Description Block the first time each (input, interface) pair
 * appears — so frames of different link types and inputs share one file —
 * and an Enhanced Packet Block per frame. Timestamps use nanosecond resolution
 * (`if_tsresol` = 9) when asked, else the default microseconds (pcapng §4.2).
 */
import type { Frame } from '../../capture/frame.js';
import { SNAPLEN } from './pcap-out.js';

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const IF_NAME = 2;
const IF_TSRESOL = 9;
const SHB_USERAPPL = 4;

export class OriginalPcapngWriter {
  private readonly interfaces = new Map<string, number>();
  frames = 0;

  constructor(private readonly write: (b: Buffer) => void, private readonly nanoseconds = false, application = 'sipvestigator') {
    const body = Buffer.alloc(16);
    body.writeUInt32LE(BYTE_ORDER_MAGIC, 0);
    body.writeUInt16LE(1, 4);
    body.writeUInt16LE(0, 6);
    // Section length unknown: -1 (we stream).
    body.writeInt32LE(-1, 8);
    body.writeInt32LE(-1, 12);
    write(block(SHB, Buffer.concat([body, options([[SHB_USERAPPL, Buffer.from(application)]])])));
  }

  /** `source` names the input the frame came from (one interface per input and pcapng interface). */
  frame(f: Frame, source: number, sourceName: string): void {
    const key = `${source}|${f.interfaceId}|${f.linkType}`;
    let id = this.interfaces.get(key);
    if (id === undefined) {
      id = this.interfaces.size;
      this.interfaces.set(key, id);
      this.write(this.idb(f.linkType, `${sourceName}#${f.interfaceId}`));
    }
    const ticks = this.nanoseconds ? BigInt(f.sec) * 1_000_000_000n + BigInt(f.nsec) : BigInt(f.sec) * 1_000_000n + BigInt(Math.floor(f.nsec / 1000));
    const head = Buffer.alloc(20);
    head.writeUInt32LE(id, 0);
    head.writeUInt32LE(Number(ticks >> 32n), 4);
    head.writeUInt32LE(Number(ticks & 0xffffffffn), 8);
    head.writeUInt32LE(f.data.length, 12);
    head.writeUInt32LE(Math.max(f.origLen, f.data.length), 16);
    this.write(block(EPB, Buffer.concat([head, f.data, pad(f.data.length), options([])])));
    this.frames++;
  }

  private idb(linkType: number, name: string): Buffer {
    const body = Buffer.alloc(8);
    body.writeUInt16LE(linkType, 0);
    body.writeUInt32LE(SNAPLEN, 4);
    const opts: [number, Buffer][] = [[IF_NAME, Buffer.from(name)], [OPT_COMMENT, Buffer.from('exported by sipvestigator')]];
    if (this.nanoseconds) opts.push([IF_TSRESOL, Buffer.from([9])]);
    return block(IDB, Buffer.concat([body, options(opts)]));
  }
}

function pad(n: number): Buffer {
  return Buffer.alloc((4 - (n % 4)) % 4);
}

function options(list: [number, Buffer][]): Buffer {
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
