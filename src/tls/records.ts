/**
 * The TLS record layer of one direction as a push parser (RFC 8446 §5.1,
 * RFC 5246 §6.2.1): `type(1) version(2) length(2) fragment`. Records may span
 * TCP segments and a segment may hold several. The pieces of an unfinished
 * record are kept as a list and joined once, when the record is complete; a
 * stream nobody can decrypt is followed by header only (`skipBodies`), so a
 * gigabyte of HTTPS costs neither copies nor memory.
 *
 * After lost bytes (`gap()`) the next bytes start anywhere inside a record, so
 * we scan for a header that is plausible — a known content type, the version
 * this stream has been using, a length within the limit — and, when the buffer
 * reaches that far, is followed by another plausible header. Authentication of
 * the decrypted record is the final judge; a wrong guess costs one failed record.
 */
import { issue, type Issue } from '../core/issue.js';

export const ContentType = { CHANGE_CIPHER_SPEC: 20, ALERT: 21, HANDSHAKE: 22, APPLICATION_DATA: 23, HEARTBEAT: 24 } as const;

/** RFC 5246 §6.2.3: a TLSCiphertext fragment is at most 2^14 + 2048 bytes (TLS 1.3 allows less). */
export const MAX_RECORD_BODY = (1 << 14) + 2048;
const HEADER = 5;
const EMPTY = Buffer.alloc(0);

export interface TlsRecord {
  type: number;
  /** The record's legacy version field, e.g. 0x0303. */
  version: number;
  /** The 5 header bytes: TLS 1.3 authenticates them as additional data (RFC 8446 §5.2). */
  header: Buffer;
  /** Empty when bodies are skipped; `length` still tells its size. */
  fragment: Buffer;
  length: number;
  /** Bytes were lost before this record: sequence numbers may have moved on. */
  afterGap: boolean;
  /** Offset of the header in the direction's byte stream (bytes lost in gaps not counted). */
  offset: number;
}

export type RecordSink = (r: TlsRecord) => void;

export class TlsRecordParser {
  readonly issues: Issue[] = [];
  /** Emit records without their bodies (and do not keep them). */
  skipBodies = false;
  private parts: Buffer[] = [];
  private partsLen = 0;
  /** Body bytes of a skipped record still to come. */
  private skipping = 0;
  /** Stream offset of the first pending byte. */
  private base = 0;
  private lost = false;
  private afterGap = false;
  private version = -1;

  push(data: Buffer, emit: RecordSink): void {
    if (this.skipping > 0) {
      const n = Math.min(this.skipping, data.length);
      this.skipping -= n;
      this.base += n;
      data = data.subarray(n);
    }
    if (data.length === 0) return;
    let buf = data;
    if (this.partsLen > 0) {
      // Wait for the whole record before joining its pieces (each byte is copied once).
      const need = this.partsLen >= HEADER && !this.lost ? HEADER + this.headerLength() : HEADER;
      if (this.partsLen + data.length < need && (!this.skipBodies || this.partsLen + data.length < HEADER)) {
        this.parts.push(Buffer.from(data));
        this.partsLen += data.length;
        return;
      }
      buf = Buffer.concat([...this.parts, data]);
      this.parts = [];
      this.partsLen = 0;
    }
    this.parse(buf, emit);
  }

  /** Bytes were lost before the next push: drop the partial record and look for the next header. */
  gap(): void {
    this.base += this.partsLen + this.skipping;
    this.parts = [];
    this.partsLen = 0;
    this.skipping = 0;
    this.lost = true;
    this.afterGap = true;
  }

  /** The stream ended: an unfinished record is reported. */
  end(): void {
    if (this.lost || (this.partsLen === 0 && this.skipping === 0)) return;
    const have = this.skipping > 0 ? -1 : this.partsLen;
    const want = this.partsLen >= HEADER ? HEADER + this.headerLength() : HEADER;
    this.issues.push(issue('tls.truncated', have < 0
      ? `the stream ended inside a TLS record (${this.skipping} bytes missing)`
      : `the stream ended inside a TLS record (${have} of ${want} bytes)`, this.base));
    this.parts = [];
    this.partsLen = 0;
    this.skipping = 0;
  }

  private headerLength(): number {
    const head = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    return head.readUInt16BE(3);
  }

  private parse(buf: Buffer, emit: RecordSink): void {
    let off = 0;
    while (buf.length - off >= HEADER) {
      if (this.lost) {
        const at = this.resync(buf, off);
        this.base += at - off;
        off = at;
        if (buf.length - off < HEADER) break;
        this.lost = false;
      }
      const type = buf[off]!;
      const version = buf.readUInt16BE(off + 1);
      const length = buf.readUInt16BE(off + 3);
      if (!plausible(type, version, length, -1)) {
        this.issues.push(issue('tls.bad-record', `not a TLS record header (type ${type}, version 0x${version.toString(16)}, length ${length}): skipping to the next record`, this.base));
        this.lost = true;
        this.afterGap = true;
        continue;
      }
      const whole = buf.length - off >= HEADER + length;
      if (!whole && !this.skipBodies) break;
      this.version = version;
      const header = Buffer.from(buf.subarray(off, off + HEADER));
      const fragment = this.skipBodies ? EMPTY : buf.subarray(off + HEADER, off + HEADER + length);
      emit({ type, version, header, fragment, length, afterGap: this.afterGap, offset: this.base });
      this.afterGap = false;
      if (!whole) {
        // Only when skipping: the rest of this record's body is passed over as it arrives.
        this.skipping = HEADER + length - (buf.length - off);
        this.base += buf.length - off;
        return;
      }
      off += HEADER + length;
      this.base += HEADER + length;
    }
    if (off < buf.length) {
      // Copy: the caller's chunk may be reused after we return.
      this.parts = [Buffer.from(buf.subarray(off))];
      this.partsLen = buf.length - off;
    }
  }

  /** Offset of the first plausible header at or after `from`, or where scanning must wait for more bytes. */
  private resync(buf: Buffer, from: number): number {
    for (let i = from; i + HEADER <= buf.length; i++) {
      const length = buf.readUInt16BE(i + 3);
      if (!plausible(buf[i]!, buf.readUInt16BE(i + 1), length, this.version)) continue;
      const next = i + HEADER + length;
      // Confirm with the header after it when we have it; otherwise accept and let authentication judge.
      if (next + HEADER > buf.length || plausible(buf[next]!, buf.readUInt16BE(next + 1), buf.readUInt16BE(next + 3), this.version)) return i;
    }
    return Math.max(from, buf.length - HEADER + 1);
  }
}

function plausible(type: number, version: number, length: number, expectVersion: number): boolean {
  if (type < ContentType.CHANGE_CIPHER_SPEC || type > ContentType.HEARTBEAT) return false;
  if (expectVersion >= 0 ? version !== expectVersion : version >>> 8 !== 3 || (version & 0xff) > 4) return false;
  return length > 0 && length <= MAX_RECORD_BODY;
}
