/**
 * pcapng Interface Description Block options and timestamp arithmetic
 * (draft-ietf-opsawg-pcapng §4.2). Every interface may count time in its own unit:
 * `if_tsresol` gives 10^-n or, with the top bit set, 2^-n seconds (default 10^-6), and
 * `if_tsoffset` adds whole seconds. Timestamps are 64-bit, so nanosecond counts exceed
 * 2^53; those take a BigInt path, while the common microsecond case stays in doubles.
 */

export interface PcapngInterface {
  linkType: number;
  snaplen: number;
  /** Timestamp units per second (10^n or 2^n). */
  unitsPerSec: number;
  decimal: boolean;
  tsOffset: number;
}

const OPT_END = 0;
const OPT_TSRESOL = 9;
const OPT_TSOFFSET = 14;

/** Reads an IDB body (after type and length); `le` is the section's byte order. */
export function readInterface(body: Buffer, le: boolean): PcapngInterface {
  const u16 = (p: number) => (le ? body.readUInt16LE(p) : body.readUInt16BE(p));
  const u32 = (p: number) => (le ? body.readUInt32LE(p) : body.readUInt32BE(p));
  const iface: PcapngInterface = {
    linkType: u16(0),
    snaplen: u32(4),
    unitsPerSec: 1e6,
    decimal: true,
    tsOffset: 0,
  };
  let p = 8;
  while (p + 4 <= body.length) {
    const code = u16(p);
    const len = u16(p + 2);
    const v = p + 4;
    if (code === OPT_END || v + len > body.length) break;
    if (code === OPT_TSRESOL && len >= 1) {
      const r = body[v];
      iface.decimal = (r & 0x80) === 0;
      iface.unitsPerSec = iface.decimal ? 10 ** r : 2 ** (r & 0x7f);
    } else if (code === OPT_TSOFFSET && len >= 8) {
      iface.tsOffset = Number(le ? body.readBigInt64LE(v) : body.readBigInt64BE(v));
    }
    p = v + ((len + 3) & ~3);
  }
  return iface;
}

/** Converts a (high, low) timestamp in the interface's units to seconds + nanoseconds. */
export function toTime(high: number, low: number, iface: PcapngInterface): { sec: number; nsec: number } {
  const per = iface.unitsPerSec;
  if (high < 0x200000 && per <= 0x100000) {
    // high·2^32 + low < 2^53 and rem·1e9 < 2^53: exact in doubles.
    const v = high * 4294967296 + low;
    const sec = Math.floor(v / per);
    const rem = v - sec * per;
    return { sec: sec + iface.tsOffset, nsec: Math.floor((rem * 1e9) / per) };
  }
  const v = (BigInt(high) << 32n) | BigInt(low);
  const p = BigInt(per);
  const sec = v / p;
  const nsec = ((v - sec * p) * 1_000_000_000n) / p;
  return { sec: Number(sec) + iface.tsOffset, nsec: Number(nsec) };
}
