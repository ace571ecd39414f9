/**
 * HEPv3 over TCP: agents write packets back to back, each starting "HEP3" with
 * its total length (header included) in bytes 4–5, network order. A push
 * parser (STYLE.md principle 2): `push(chunk, emit)` emits each whole packet,
 * however the stream was cut into writes, and keeps at most one partial packet
 * — never more than 65 535 bytes, since the length field is 16 bits wide.
 *
 * Bytes that do not start a packet (a broken agent, a scanner, a lost length)
 * are skipped up to the next "HEP3" and reported once per run as junk, never
 * an exception.
 */

const MAGIC = Buffer.from('HEP3');
/** The smallest sensible packet: the 6-byte header and one 6-byte chunk header. */
const MIN_PACKET = 12;

export interface HepFramerStats {
  packets: number;
  /** Runs of bytes that did not start a packet, each skipped up to the next "HEP3". */
  junkRuns: number;
  junkBytes: number;
}

export class HepFramer {
  readonly stats: HepFramerStats = { packets: 0, junkRuns: 0, junkBytes: 0 };
  private pending: Buffer = Buffer.alloc(0);
  /** True while skipping junk, so one run is counted once even across chunks. */
  private inJunk = false;

  /** Bytes held waiting for the rest of a packet (bounded by 65 535). */
  get buffered(): number {
    return this.pending.length;
  }

  push(chunk: Buffer, emit: (packet: Buffer) => void): void {
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let p = 0;
    while (buf.length - p >= 6) {
      const length = buf.readUInt16BE(p + 4);
      if (!startsMagic(buf, p) || length < MIN_PACKET) {
        p = this.skipJunk(buf, p);
        continue;
      }
      if (buf.length - p < length) break;
      this.inJunk = false;
      this.stats.packets++;
      emit(buf.subarray(p, p + length));
      p += length;
    }
    // A partial magic at the very end may still become "HEP3" with the next chunk.
    if (buf.length - p < 6 && buf.length - p > 0 && !MAGIC.subarray(0, Math.min(4, buf.length - p)).equals(buf.subarray(p, p + 4))) {
      p = this.skipJunk(buf, p);
    }
    // Copy: the caller may reuse its chunk, and a view would pin the whole chunk.
    this.pending = p >= buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(p));
  }

  /** The stream ended: a partial packet left over is reported as junk and dropped. */
  end(): number {
    const left = this.pending.length;
    if (left > 0) {
      this.stats.junkRuns++;
      this.stats.junkBytes += left;
    }
    this.pending = Buffer.alloc(0);
    this.inJunk = false;
    return left;
  }

  /** Skips from p to the next "HEP3" (or to what could be its start at the end). */
  private skipJunk(buf: Buffer, p: number): number {
    const next = buf.indexOf(MAGIC, p + 1);
    let to = next;
    if (next < 0) {
      // Keep up to three trailing bytes that could begin "HEP3".
      to = buf.length;
      for (let k = Math.max(p + 1, buf.length - 3); k < buf.length; k++) {
        if (MAGIC.subarray(0, buf.length - k).equals(buf.subarray(k))) { to = k; break; }
      }
    }
    if (!this.inJunk) this.stats.junkRuns++;
    this.inJunk = true;
    this.stats.junkBytes += to - p;
    return to;
  }
}

function startsMagic(buf: Buffer, p: number): boolean {
  return buf[p] === 0x48 && buf[p + 1] === 0x45 && buf[p + 2] === 0x50 && buf[p + 3] === 0x33;
}
