/**
 * pcapng decoder (draft-ietf-opsawg-pcapng) as a push parser. Reads Section Header Blocks
 * in either byte order (each section may differ), Interface Description Blocks, Enhanced,
 * Simple and obsolete Packet Blocks, and Decryption Secrets Blocks (kept in `secrets` for
 * TLS later); every other block is skipped by its length. Only an unfinished block is kept
 * between chunks. `Frame.data` is a view into the input: copy it to keep it.
 *
 * A block whose length is impossible (or whose trailing copy disagrees) is reported, then
 * we scan forward for the next Section Header or Enhanced Packet Block that checks out;
 * if none turns up the rest of the input is lost and the issue says so.
 */
import { issue, type Issue } from '../core/issue.js';
import type { CaptureDecoder, FrameSink } from './frame.js';
import { ChunkedRecordDecoder, leadingBytes } from './pending.js';
import { readInterface, toTime, type PcapngInterface } from './pcapng-interface.js';
import { BYTE_ORDER_MAGIC, DSB, EPB, IDB, OPB, SHB, SPB } from './pcapng-format.js';

export interface PcapngOptions {
  /** Largest block accepted; bigger lengths are treated as damage. */
  maxBlock?: number;
  /** Called for each Decryption Secrets Block as it is read (they are also kept in `secrets`). */
  onSecrets?(s: { type: number; data: Buffer }): void;
}

const BOM = BYTE_ORDER_MAGIC;

export class PcapngDecoder extends ChunkedRecordDecoder implements CaptureDecoder {
  readonly format = 'pcapng';
  readonly issues: Issue[] = [];
  /** Decryption Secrets Blocks seen so far (`data` is a copy). */
  readonly secrets: { type: number; data: Buffer }[] = [];
  interfaces: PcapngInterface[] = [];

  private readonly maxBlock: number;
  private readonly onSecrets: PcapngOptions['onSecrets'];
  private le = true;
  private started = false;
  private resyncing = false;
  private index = 0;
  /** SPBs carry no time; they get the previous packet's, so order stays sane. */
  private lastSec = 0;
  private lastNsec = 0;

  constructor(opts: PcapngOptions = {}) {
    super();
    this.maxBlock = opts.maxBlock ?? 16 * 1024 * 1024;
    this.onSecrets = opts.onSecrets;
  }

  /** Bytes of `chunk` that complete the block begun in `pending`; Infinity (the whole chunk) when that cannot be told yet. */
  protected bytesToFinish(pending: Buffer, chunk: Buffer): number {
    if (!this.started || this.resyncing) return Infinity;
    const header = leadingBytes(pending, chunk, 12);
    // A Section Header Block sets its own byte order: leave it to parse().
    if (header === null || header.readUInt32LE(0) === SHB) return Infinity;
    const len = this.u32(header, 4);
    if (len < 12 || len % 4 !== 0 || len > this.maxBlock) return Infinity;
    return len - pending.length;
  }

  end(emit: FrameSink): void {
    if (this.fatal) return;
    const buf = this.pending ?? Buffer.alloc(0);
    const used = this.parse(buf, emit, true);
    this.pending = undefined;
    const left = buf.length - used;
    if (!this.started) {
      this.fatal = issue('pcapng.truncated-block', `the input ends after ${buf.length} bytes, before the first section header is complete`, 0);
    } else if (left > 0 && this.resyncing) {
      this.fatal = issue('pcapng.resync-failed', `no readable block after the damage; the last ${left} bytes are lost`, this.base + used);
    } else if (left > 0) {
      this.issues.push(issue('pcapng.truncated-block', `the input ends inside a block: ${left} bytes of it are present`, this.base + used));
    }
    this.base += buf.length;
  }

  private u32(buf: Buffer, p: number): number {
    return this.le ? buf.readUInt32LE(p) : buf.readUInt32BE(p);
  }

  protected parse(buf: Buffer, emit: FrameSink, atEnd: boolean): number {
    let p = 0;
    while (p + 12 <= buf.length) {
      if (this.resyncing) {
        const found = this.scan(buf, p, atEnd);
        if (found.wait) return found.at;
        this.resyncing = false;
        this.issues.push(issue('pcapng.resynchronised', `skipped ${found.at - p} bytes to the next readable block`, this.base + found.at));
        p = found.at;
      }
      const type = buf.readUInt32LE(p); // the SHB type is a palindrome, so either order finds it
      if (type === SHB) {
        const bom = buf.readUInt32LE(p + 8);
        if (bom !== BOM && buf.readUInt32BE(p + 8) !== BOM) {
          if (!this.started) return this.notPcapng(buf, 'its section header has no byte-order magic');
          this.damaged(p, 'section header has no byte-order magic');
          p += 4;
          continue;
        }
        this.le = bom === BOM;
      } else if (!this.started) {
        return this.notPcapng(buf, 'it does not start with a Section Header Block');
      }
      const len = this.u32(buf, p + 4);
      if (len < 12 || len % 4 !== 0 || len > this.maxBlock) {
        this.damaged(p, `block length ${len} is impossible`);
        p += 4;
        continue;
      }
      if (p + len > buf.length) return p;
      const trailer = this.u32(buf, p + len - 4);
      if (trailer !== len) {
        this.damaged(p, `block length ${len} disagrees with its trailing copy ${trailer}`);
        p += 4;
        continue;
      }
      this.block(this.u32(buf, p), buf.subarray(p + 8, p + len - 4), p, emit);
      p += len;
    }
    return p;
  }

  private notPcapng(buf: Buffer, why: string): number {
    this.fatal = issue('pcapng.bad-magic', `not a pcapng file: ${why}`, this.base);
    return buf.length;
  }

  private damaged(p: number, what: string): void {
    this.issues.push(issue('pcapng.bad-block', what, this.base + p));
    this.resyncing = true;
  }

  /**
   * Scans 4-byte steps (blocks are 32-bit aligned) for an SHB or EPB whose trailing length
   * matches. `wait` means: keep the input from `at` and look again when more arrives.
   */
  private scan(buf: Buffer, from: number, atEnd: boolean): { at: number; wait: boolean } {
    let c = from;
    for (; c + 12 <= buf.length; c += 4) {
      const t = this.u32(buf, c);
      if (t !== SHB && t !== EPB) continue;
      const len = this.u32(buf, c + 4);
      if (len < 12 || len % 4 !== 0 || len > this.maxBlock) continue;
      if (c + len > buf.length) {
        if (atEnd) continue;
        return { at: c, wait: true };
      }
      if (this.u32(buf, c + len - 4) === len) return { at: c, wait: false };
    }
    return { at: c, wait: true };
  }

  private block(type: number, body: Buffer, p: number, emit: FrameSink): void {
    switch (type) {
      case SHB:
        this.started = true;
        this.interfaces = []; // interface ids are per section
        return;
      case IDB:
        if (body.length >= 8) this.interfaces.push(readInterface(body, this.le));
        else this.issues.push(issue('pcapng.short-block', 'interface description block is too short', this.base + p));
        return;
      case EPB:
      case OPB:
        return this.packet(type, body, p, emit);
      case SPB:
        return this.simplePacket(body, p, emit);
      case DSB:
        if (body.length >= 8) {
          const len = Math.min(this.u32(body, 4), body.length - 8);
          const s = { type: this.u32(body, 0), data: Buffer.from(body.subarray(8, 8 + len)) };
          this.secrets.push(s);
          this.onSecrets?.(s);
        }
        return;
      default:
        return; // unknown or uninteresting block: its length lets us step over it
    }
  }

  private packet(type: number, body: Buffer, p: number, emit: FrameSink): void {
    if (body.length < 20) return void this.issues.push(issue('pcapng.short-block', 'packet block is too short', this.base + p));
    // OPB: 16-bit interface id and 16-bit drop count where EPB has a 32-bit interface id.
    const id = type === EPB ? this.u32(body, 0) : this.le ? body.readUInt16LE(0) : body.readUInt16BE(0);
    const iface = this.interfaces[id];
    if (!iface) return void this.issues.push(issue('pcapng.unknown-interface', `packet names interface ${id}, which was not described`, this.base + p));
    const caplen = this.u32(body, 12);
    const data = body.subarray(20, 20 + Math.min(caplen, body.length - 20));
    if (data.length < caplen) this.issues.push(issue('pcapng.short-block', `packet claims ${caplen} bytes but its block holds ${data.length}`, this.base + p));
    const t = toTime(this.u32(body, 4), this.u32(body, 8), iface);
    this.lastSec = t.sec;
    this.lastNsec = t.nsec;
    this.index++;
    emit({ index: this.index, sec: t.sec, nsec: t.nsec, linkType: iface.linkType, data, origLen: Math.max(this.u32(body, 16), data.length), interfaceId: id });
  }

  /** SPB: no interface id or timestamp; interface 0 is implied and its snaplen caps the data (§4.4). */
  private simplePacket(body: Buffer, p: number, emit: FrameSink): void {
    const iface = this.interfaces[0];
    if (!iface || body.length < 4) return void this.issues.push(issue('pcapng.unknown-interface', 'simple packet block without interface 0', this.base + p));
    const orig = this.u32(body, 0);
    const cap = Math.min(orig, iface.snaplen > 0 ? iface.snaplen : orig, body.length - 4);
    this.index++;
    emit({ index: this.index, sec: this.lastSec, nsec: this.lastNsec, linkType: iface.linkType, data: body.subarray(4, 4 + cap), origLen: orig, interfaceId: 0 });
  }
}
