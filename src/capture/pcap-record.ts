/**
 * Reading and judging classic pcap record headers. Kept apart from the decoder because
 * resynchronising after damage needs one question answered many times: "could a record
 * header start here?" The answer is deliberately strict (a real header has a fraction below
 * one second, captured ≤ original ≤ 256 KiB, and a time close to the previous record) so a
 * scan through packet bytes does not stop on text that happens to look like numbers.
 */

export interface RecordRules {
  /** Byte order of record headers (may differ from the file header in damaged files). */
  le: boolean;
  nano: boolean;
  snaplen: number;
  maxRecord: number;
}

export interface RecordHeader {
  sec: number;
  /** Microseconds or nanoseconds, as the file's magic says. */
  frac: number;
  incl: number;
  orig: number;
}

/** One day: records further apart than this from their predecessor are not trusted in a scan. */
export const MAX_GAP = 86400;

export function headerAt(buf: Buffer, p: number, r: RecordRules): RecordHeader {
  return r.le
    ? { sec: buf.readUInt32LE(p), frac: buf.readUInt32LE(p + 4), incl: buf.readUInt32LE(p + 8), orig: buf.readUInt32LE(p + 12) }
    : { sec: buf.readUInt32BE(p), frac: buf.readUInt32BE(p + 4), incl: buf.readUInt32BE(p + 8), orig: buf.readUInt32BE(p + 12) };
}

export function isPlausible(h: RecordHeader, r: RecordRules, prev: RecordHeader | undefined): boolean {
  if (h.frac >= (r.nano ? 1e9 : 1e6)) return false;
  if (h.incl === 0 || h.incl > h.orig || h.orig > r.maxRecord) return false;
  if (r.snaplen > 0 && h.incl > r.snaplen) return false;
  if (prev && (h.sec + 1 < prev.sec || h.sec > prev.sec + MAX_GAP)) return false;
  return true;
}

/**
 * First offset in [from, to) where a plausible record header starts, or -1.
 * Without a previous record to compare times with, the record after the candidate must
 * also look right when it is in the buffer — otherwise any small numbers would do.
 */
export function scanForHeader(buf: Buffer, from: number, to: number, r: RecordRules, prev: RecordHeader | undefined): number {
  const last = Math.min(to - 1, buf.length - 16);
  for (let c = from; c <= last; c++) {
    const h = headerAt(buf, c, r);
    if (!isPlausible(h, r, prev)) continue;
    if (prev) return c;
    const next = c + 16 + h.incl;
    if (next + 16 > buf.length || isPlausible(headerAt(buf, next, r), r, h)) return c;
  }
  return -1;
}
