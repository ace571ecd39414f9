/**
 * IP fragment reassembly (RFC 791 §3.2 "reassembly", RFC 8200 §4.5) as a push
 * component. Fragments are grouped by (version, source, destination, protocol,
 * identification) and joined when every byte up to the last fragment's end is
 * present, whatever order they arrived in. Overlaps keep the bytes that came
 * first (a duplicate capture or a retransmitted fragment is harmless); an overlap
 * whose bytes differ is reported, because that is how evasion or corruption looks.
 * All state is bounded — pending datagrams, buffered bytes, and age in capture
 * time — and every datagram given up on becomes an issue, never a silent loss.
 * Fragment bytes are copied on arrival: the frames they came from may be reused.
 */
import { IssueLog } from './issue-log.js';

export interface DefragOptions {
  /** Datagrams under reassembly at once; the oldest is dropped beyond this. */
  maxPending: number;
  /** Fragment bytes held in total; the oldest datagrams are dropped beyond this. */
  maxBytes: number;
  /** Seconds of capture time a datagram may wait for its missing fragments. */
  timeoutSec: number;
  /** Largest datagram accepted (IPv4 caps payloads at 65535 − 20). */
  maxDatagram: number;
}

export const DEFAULT_DEFRAG: DefragOptions = { maxPending: 4096, maxBytes: 32 << 20, timeoutSec: 30, maxDatagram: 65535 };

interface Piece {
  off: number;
  data: Buffer;
}

interface Datagram {
  pieces: Piece[];
  /** Bytes covered by pieces (pieces never overlap). */
  covered: number;
  /** Payload length, known once the last fragment (MF=0) arrived; -1 before. */
  total: number;
  created: number;
  firstFrame: number;
  /** Every frame that brought a fragment, in arrival order (export copies them all). */
  frames: number[];
}

export class Defragmenter {
  readonly opts: DefragOptions;
  readonly log: IssueLog;
  readonly stats = {
    fragments: 0, reassembled: 0, duplicates: 0, conflicts: 0, timedOut: 0, evicted: 0, incomplete: 0,
    /** Of `evicted`: dropped for `maxPending` (the rest for `maxBytes`), and the fragment bytes they held. */
    evictedForCount: 0, evictedBytes: 0,
  };
  private readonly pending = new Map<string, Datagram>();
  private bytes = 0;
  /** The frames of the datagram the last `push` completed. */
  completedFrames: number[] = [];

  constructor(opts: Partial<DefragOptions> = {}, log = new IssueLog()) {
    this.opts = { ...DEFAULT_DEFRAG, ...opts };
    this.log = log;
  }

  get issues() {
    return this.log.list;
  }

  /** Datagrams waiting for fragments. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Adds one fragment: `offset` in bytes within the original payload, `more` the
   * More Fragments flag, `time` capture time in seconds. Returns the whole payload
   * when this fragment completed it, else null.
   */
  push(key: string, offset: number, more: boolean, data: Buffer, frame: number, time: number): Buffer | null {
    this.stats.fragments++;
    this.expire(time, frame);
    const end = offset + data.length;
    if (end > this.opts.maxDatagram) {
      this.log.addAt(frame, 'ip.fragment-too-large', `fragment ends at byte ${end}, beyond the ${this.opts.maxDatagram}-byte limit`);
      this.drop(key);
      return null;
    }
    let d = this.pending.get(key);
    if (!d) {
      d = { pieces: [], covered: 0, total: -1, created: time, firstFrame: frame, frames: [] };
      this.pending.set(key, d);
    }
    if (!more) {
      if (d.total >= 0 && d.total !== end) {
        this.log.addAt(frame, 'ip.fragment-conflict', `last fragments disagree on the length: ${d.total} vs ${end} bytes`);
      }
      if (d.total < 0) d.total = end;
    }
    this.insert(d, offset, Buffer.from(data), frame);
    d.frames.push(frame);
    if (d.total >= 0 && d.covered >= d.total && complete(d)) {
      this.pending.delete(key);
      this.completedFrames = d.frames;
      this.bytes -= d.covered;
      this.stats.reassembled++;
      return assemble(d);
    }
    this.enforceLimits(frame, key);
    return null;
  }

  /** Reports datagrams still incomplete at the end of the input and forgets them. */
  end(): number {
    const n = this.pending.size;
    if (n > 0) {
      this.stats.incomplete += n;
      const first = this.pending.values().next().value as Datagram;
      this.log.add({
        code: 'ip.fragments-incomplete',
        detail: `${n} fragmented datagram(s) never completed (first started at frame ${first.firstFrame})`,
      });
    }
    this.pending.clear();
    this.bytes = 0;
    return n;
  }

  /** Stores the parts of [offset, offset+len) not held yet; earlier bytes win. */
  private insert(d: Datagram, s: number, data: Buffer, frame: number): void {
    const e = s + data.length;
    const add: Piece[] = [];
    let cur = s;
    let overlap = false;
    for (const p of d.pieces) {
      const ps = p.off;
      const pe = p.off + p.data.length;
      if (pe <= cur) continue;
      if (ps >= e) break;
      if (ps > cur) add.push({ off: cur, data: data.subarray(cur - s, ps - s) });
      const os = Math.max(cur, ps);
      const oe = Math.min(e, pe);
      overlap = true;
      if (!data.subarray(os - s, oe - s).equals(p.data.subarray(os - ps, oe - ps))) {
        this.stats.conflicts++;
        this.log.addAt(frame, 'ip.fragment-overlap', `fragment bytes ${os}–${oe} overlap earlier ones with different content; the earlier bytes are kept`);
      }
      cur = pe;
      if (cur >= e) break;
    }
    if (cur < e) add.push({ off: cur, data: data.subarray(cur - s) });
    if (overlap) this.stats.duplicates++;
    if (add.length === 0) return;
    for (const p of add) {
      d.covered += p.data.length;
      this.bytes += p.data.length;
    }
    d.pieces.push(...add);
    d.pieces.sort((a, b) => a.off - b.off);
  }

  private expire(time: number, frame: number): void {
    for (const [key, d] of this.pending) {
      if (time - d.created <= this.opts.timeoutSec) break;
      this.stats.timedOut++;
      this.log.addAt(frame, 'ip.fragment-timeout', `datagram started at frame ${d.firstFrame} still missing fragments after ${this.opts.timeoutSec} s`);
      this.drop(key);
    }
  }

  private enforceLimits(frame: number, current: string): void {
    while (this.pending.size > this.opts.maxPending || this.bytes > this.opts.maxBytes) {
      const [key, d] = this.pending.entries().next().value as [string, Datagram];
      this.stats.evicted++;
      this.stats.evictedBytes += d.covered;
      if (this.pending.size > this.opts.maxPending) this.stats.evictedForCount++;
      const why = this.pending.size > this.opts.maxPending ? `${this.opts.maxPending} pending datagrams` : `${this.opts.maxBytes} buffered bytes`;
      this.log.addAt(frame, 'ip.fragment-evicted', `dropped the incomplete datagram started at frame ${d.firstFrame}: limit of ${why}`);
      this.drop(key);
      if (key === current) break;
    }
  }

  private drop(key: string): void {
    const d = this.pending.get(key);
    if (!d) return;
    this.bytes -= d.covered;
    this.pending.delete(key);
  }
}

/** True when the pieces cover [0, total) without a hole (pieces past `total` do not count). */
function complete(d: Datagram): boolean {
  let at = 0;
  for (const p of d.pieces) {
    if (p.off > at) return false;
    at = Math.max(at, p.off + p.data.length);
    if (at >= d.total) return true;
  }
  return at >= d.total;
}

function assemble(d: Datagram): Buffer {
  if (d.pieces.length === 1) return d.pieces[0].data.subarray(0, d.total);
  const out = Buffer.allocUnsafe(d.total);
  for (const p of d.pieces) {
    if (p.off >= d.total) continue;
    p.data.copy(out, p.off, 0, Math.min(p.data.length, d.total - p.off));
  }
  return out;
}
