/**
 * Classic libpcap file decoder (https://www.tcpdump.org/manpages/pcap-savefile.5.html).
 * A push parser: bytes arrive in chunks of any size; only the unfinished record is kept
 * between chunks (merged with the next chunk, as node-postgres' parser does), so memory
 * does not grow with the file. Emitted `Frame.data` is a *view* into the chunk (or the
 * merged buffer): a consumer that keeps it after the sink returns must copy it.
 *
 * Damaged files are read as far as possible instead of rejected: an absurd record length
 * starts a forward scan for the next plausible record header; a record that overruns the
 * next header is cut there; a header whose records use the other byte order (seen in the
 * wild) is followed; a NULL (BSD loopback) file whose records hold bare IP is read as RAW.
 */
import { issue, type Issue } from '../core/issue.js';
import { LinkType, type CaptureDecoder, type FrameSink } from './frame.js';
import { ChunkedRecordDecoder, leadingBytes } from './pending.js';
import { MAX_GAP, headerAt, isPlausible, scanForHeader, type RecordHeader, type RecordRules } from './pcap-record.js';

export interface PcapOptions {
  /** Largest record we accept before calling the length absurd (libpcap's own maximum). */
  maxRecord?: number;
  /**
   * A live stream (tcpdump -U): trust each record's length instead of waiting for the
   * next record header to confirm it, so a packet is released as soon as it is whole.
   */
  live?: boolean;
}

const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;

export class PcapDecoder extends ChunkedRecordDecoder implements CaptureDecoder {
  readonly format = 'pcap';
  readonly issues: Issue[] = [];
  /** Link type from the global header; -1 until it has been read. */
  linkType = -1;
  snaplen = 0;
  nanosecond = false;

  private readonly maxRecord: number;
  private readonly live: boolean;
  private rules: RecordRules | undefined;
  private index = 0;
  /** The last record emitted (one object, overwritten per record), for resynchronising after damage. */
  private prev: RecordHeader | undefined;
  private resyncing = false;
  private checkedOrder = false;
  private nullAsRaw = false;
  /** How many bytes too long every overrunning record so far claimed to be (a writer bug is systematic). */
  private overrunBy: number | undefined;

  constructor(opts: PcapOptions = {}) {
    super();
    this.maxRecord = opts.maxRecord ?? 262144;
    this.live = opts.live ?? false;
  }

  /**
   * Bytes of `chunk` that complete the partial record in `pending` plus the next
   * record's header, which `parse` reads to trust the record's length; Infinity
   * (the whole chunk) when that cannot be told yet.
   */
  protected bytesToFinish(pending: Buffer, chunk: Buffer): number {
    const rules = this.rules;
    if (rules === undefined || this.resyncing) return Infinity;
    const header = leadingBytes(pending, chunk, RECORD_HEADER);
    if (header === null) return Infinity;
    const incl = rules.le ? header.readUInt32LE(8) : header.readUInt32BE(8);
    if (incl > this.maxRecord) return Infinity;
    return 2 * RECORD_HEADER + incl - pending.length;
  }

  end(emit: FrameSink): void {
    if (this.fatal) return;
    const buf = this.pending ?? Buffer.alloc(0);
    const used = this.parse(buf, emit, true);
    this.pending = undefined;
    const left = buf.length - used;
    if (this.rules === undefined) {
      this.fatal = issue('pcap.truncated-header', `the file ends after ${buf.length} bytes, inside the 24-byte pcap header`, 0);
    } else if (left > 0 && this.resyncing) {
      this.issues.push(issue('pcap.resync-failed', `no plausible record header in the last ${left} bytes`, this.base + used));
    } else if (left > 0 && this.lastRecordOverruns(buf, used, left)) {
      // The last record is as long as the others' systematic overrun predicts: it is whole.
      const h = headerAt(buf, used, this.rules);
      this.issues.push(issue('pcap.record-overrun', `record claims ${h.incl} bytes but the file ends after ${left - RECORD_HEADER}`, this.base + used));
      this.emitRecord(buf, used, h.sec, h.frac, h.incl, h.orig, left - RECORD_HEADER, emit);
    } else if (left > 0) {
      this.issues.push(issue('pcap.truncated-record', `the file ends inside a record: ${left} bytes of it are present`, this.base + used));
    }
    this.base += buf.length;
  }

  private lastRecordOverruns(buf: Buffer, at: number, left: number): boolean {
    if (this.overrunBy === undefined || this.overrunBy <= 0 || left < RECORD_HEADER) return false;
    return headerAt(buf, at, this.rules!).incl - this.overrunBy === left - RECORD_HEADER;
  }

  protected parse(buf: Buffer, emit: FrameSink, atEnd: boolean): number {
    let p = 0;
    if (this.rules === undefined) {
      if (buf.length < GLOBAL_HEADER) return 0;
      if (!this.readGlobalHeader(buf)) return buf.length;
      p = GLOBAL_HEADER;
    }
    const rules = this.rules!;
    while (p + RECORD_HEADER <= buf.length) {
      if (this.resyncing) {
        const found = scanForHeader(buf, p, buf.length, rules, this.prev);
        if (found < 0) return Math.max(p, buf.length - RECORD_HEADER + 1);
        this.issues.push(issue('pcap.resynchronised', `skipped ${found - p} bytes to the next plausible record header`, this.base + found));
        this.resyncing = false;
        p = found;
      }
      if (!this.checkedOrder) this.checkRecordOrder(buf, p, rules);
      const le = rules.le;
      const incl = le ? buf.readUInt32LE(p + 8) : buf.readUInt32BE(p + 8);
      if (incl > this.maxRecord || (this.snaplen > 0 && incl > this.snaplen + 65536)) {
        this.issues.push(issue('pcap.bad-record-length', `record claims ${incl} captured bytes, more than any real packet`, this.base + p));
        this.resyncing = true;
        p += 1;
        continue;
      }
      const next = p + RECORD_HEADER + incl;
      // Wait for the next record header too: it tells whether this record's length is honest.
      if (next + RECORD_HEADER > buf.length && !((atEnd || this.live) && next <= buf.length)) return p;
      let len = incl;
      // The header object is made only for a record that is emitted or needs a closer look.
      const sec = le ? buf.readUInt32LE(p) : buf.readUInt32BE(p);
      if (next + RECORD_HEADER <= buf.length && !plausibleNext(buf, next, rules, sec)) {
        const h = headerAt(buf, p, rules);
        const inside = scanForHeader(buf, p + RECORD_HEADER + 1, next, rules, h);
        if (inside >= 0) {
          len = inside - p - RECORD_HEADER;
          this.issues.push(issue('pcap.record-overrun', `record claims ${h.incl} bytes but the next record starts after ${len}`, this.base + p));
          this.overrunBy = this.overrunBy === undefined || this.overrunBy === h.incl - len ? h.incl - len : -1;
        }
      }
      this.emitRecord(buf, p, sec, le ? buf.readUInt32LE(p + 4) : buf.readUInt32BE(p + 4), incl, le ? buf.readUInt32LE(p + 12) : buf.readUInt32BE(p + 12), len, emit);
      p += RECORD_HEADER + len;
    }
    return p;
  }

  private readGlobalHeader(buf: Buffer): boolean {
    const magicBE = buf.readUInt32BE(0);
    const magicLE = buf.readUInt32LE(0);
    let le: boolean;
    if (magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d) le = true;
    else if (magicBE === 0xa1b2c3d4 || magicBE === 0xa1b23c4d) le = false;
    else {
      this.fatal = issue('pcap.bad-magic', `not a pcap file: magic number is 0x${magicBE.toString(16).padStart(8, '0')}`, 0);
      return false;
    }
    this.nanosecond = (le ? magicLE : magicBE) === 0xa1b23c4d;
    this.snaplen = le ? buf.readUInt32LE(16) : buf.readUInt32BE(16);
    // The upper bits of the link-type field carry FCS information (pcap-savefile(5)).
    this.linkType = (le ? buf.readUInt32LE(20) : buf.readUInt32BE(20)) & 0x0fffffff;
    this.rules = { le, nano: this.nanosecond, snaplen: this.snaplen, maxRecord: this.maxRecord };
    return true;
  }

  /**
   * Some writers put a big-endian file header on little-endian records (or the reverse).
   * If the first record is absurd in the header's order but sane swapped, follow the records.
   */
  private checkRecordOrder(buf: Buffer, p: number, rules: RecordRules): void {
    this.checkedOrder = true;
    if (isPlausible(headerAt(buf, p, rules), rules, undefined)) return;
    const swapped = { ...rules, le: !rules.le };
    if (!isPlausible(headerAt(buf, p, swapped), swapped, undefined)) return;
    rules.le = swapped.le; // `rules` is this.rules: every later record follows
    const [hdr, rec] = rules.le ? ['big', 'little'] : ['little', 'big'];
    this.issues.push(issue('pcap.record-byte-order', `the file header is ${hdr}-endian but the records are ${rec}-endian; reading records in their own order`, this.base + p));
  }

  private emitRecord(buf: Buffer, p: number, sec: number, frac: number, incl: number, orig: number, len: number, emit: FrameSink): void {
    const data = buf.subarray(p + RECORD_HEADER, p + RECORD_HEADER + len);
    let linkType = this.linkType;
    if (linkType === LinkType.NULL && looksLikeBareIp(data)) {
      if (!this.nullAsRaw) {
        this.nullAsRaw = true;
        this.issues.push(issue('pcap.null-is-raw-ip', 'link type is NULL (BSD loopback) but records start with an IP header; reading them as raw IP', this.base + p));
      }
      linkType = LinkType.RAW;
    }
    const prev = this.prev ??= { sec, frac, incl, orig };
    prev.sec = sec; prev.frac = frac; prev.incl = incl; prev.orig = orig;
    this.index++;
    emit({
      index: this.index,
      sec,
      nsec: this.nanosecond ? frac : frac * 1000,
      linkType,
      data,
      origLen: Math.max(orig, len),
      interfaceId: 0,
    });
  }
}

/** `isPlausible(headerAt(buf, p, r), r, prev)` for a `prev` with this `prevSec`, without making the header object. */
function plausibleNext(buf: Buffer, p: number, r: RecordRules, prevSec: number): boolean {
  const le = r.le;
  const sec = le ? buf.readUInt32LE(p) : buf.readUInt32BE(p);
  const frac = le ? buf.readUInt32LE(p + 4) : buf.readUInt32BE(p + 4);
  const incl = le ? buf.readUInt32LE(p + 8) : buf.readUInt32BE(p + 8);
  const orig = le ? buf.readUInt32LE(p + 12) : buf.readUInt32BE(p + 12);
  if (frac >= (r.nano ? 1e9 : 1e6)) return false;
  if (incl === 0 || incl > orig || orig > r.maxRecord) return false;
  if (r.snaplen > 0 && incl > r.snaplen) return false;
  if (sec + 1 < prevSec || sec > prevSec + MAX_GAP) return false;
  return true;
}

/**
 * A BSD loopback header is a small address family (2, 24, 28, 30) in either byte order, so
 * its first byte is never 0x45–0x4f (IPv4 with IHL ≥ 5) or 0x60–0x6f (IPv6).
 */
function looksLikeBareIp(data: Buffer): boolean {
  if (data.length < 20) return false;
  const b = data[0];
  return (b >= 0x45 && b <= 0x4f) || (b >> 4) === 6;
}
