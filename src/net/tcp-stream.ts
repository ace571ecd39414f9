/**
 * TCP reassembly (RFC 9293 §3.4, §3.10.7.4): turns the segments of each direction
 * of a connection into the ordered byte stream the sender wrote, as gopacket's
 * `reassembly` does for its stream callbacks. Each byte is delivered once:
 * retransmitted and overlapping segments are trimmed against what was delivered;
 * segments that arrive early wait in a bounded per-direction buffer. Sequence
 * numbers are compared modulo 2^32 (`(a - b) | 0`), so wrap-around is invisible.
 *
 * Captures often start mid-connection, so a direction starts at its first SYN or
 * else at its first segment. When bytes are lost for good — the buffer overflowed,
 * the connection closed, or the input ended with a hole — the stream continues
 * after the hole and the next delivery carries `gap = true` so a framer can
 * resynchronise; each such hole is also a `tcp.gap` issue. FIN (once everything
 * before it arrived) and RST close a direction and free its state.
 *
 * A TCP payload without `tcp` info (SIP that a HEP agent mirrored as TCP) has no
 * sequence to order by: it is passed through at once with `gap = true`.
 */
import { IssueLog } from './issue-log.js';
import { directionKey, type TransportPayload } from './packet.js';

export interface TcpStreamOptions {
  /** Out-of-order bytes held per direction before the hole is given up on. */
  maxBufferedBytes: number;
  /** Directions tracked at once; the least recently active is evicted beyond this. */
  maxFlows: number;
  /** Capture-time seconds without a segment after which a direction is forgotten. */
  idleTimeoutSec: number;
  maxIssues: number;
}

export const DEFAULT_TCP_STREAM: TcpStreamOptions = { maxBufferedBytes: 1 << 20, maxFlows: 65536, idleTimeoutSec: 600, maxIssues: 1000 };

/** In-order bytes of one direction; `gap` is true when they do not continue the previous delivery. */
export type TcpEmit = (dirKey: string, data: Buffer, p: TransportPayload, gap: boolean) => void;

interface Pending {
  seq: number;
  data: Buffer;
  p: TransportPayload;
}

interface Direction {
  /** Next sequence number expected. */
  next: number;
  /** Initial sequence number from the SYN; -1 when the capture began mid-connection. */
  isn: number;
  pending: Pending[];
  pendingBytes: number;
  /** Sequence number of the FIN, once seen. */
  fin: number;
  hasFin: boolean;
  /** The next delivery follows a hole or a new connection. */
  gap: boolean;
  lastSeen: number;
}

export class TcpReassembler {
  readonly opts: TcpStreamOptions;
  readonly log: IssueLog;
  readonly stats = {
    segments: 0, bytes: 0, retransmissions: 0, overlaps: 0, outOfOrder: 0, gaps: 0, gapBytes: 0,
    /** Gaps (and their bytes) given up on because `maxBufferedBytes` was reached. */
    bufferGaps: 0, bufferGapBytes: 0,
    closed: 0, evicted: 0, idleClosed: 0,
  };
  private readonly flows = new Map<string, Direction>();
  /** Where recently closed directions ended, to recognise late retransmissions. */
  private readonly closed = new Map<string, number>();

  constructor(opts: Partial<TcpStreamOptions> = {}) {
    this.opts = { ...DEFAULT_TCP_STREAM, ...opts };
    this.log = new IssueLog(this.opts.maxIssues);
  }

  get issues() {
    return this.log.list;
  }

  /** Directions currently tracked. */
  get flowCount(): number {
    return this.flows.size;
  }

  push(p: TransportPayload, emit: TcpEmit): void {
    if (p.transport !== 'tcp') return;
    const key = directionKey(p);
    const tcp = p.tcp;
    if (!tcp) {
      if (p.payload.length > 0) emit(key, p.payload, p, true);
      return;
    }
    this.stats.segments++;
    const now = p.sec + p.nsec / 1e9;
    this.expireIdle(now, emit);
    const len = p.payload.length;
    let d = this.flows.get(key);
    if (d) {
      // Keep the map in least-recently-active order for eviction.
      this.flows.delete(key);
      this.flows.set(key, d);
    }
    if (tcp.syn) {
      // A SYN with another initial sequence number is a new connection on the same ports.
      if (d && d.isn !== tcp.seq) {
        this.close(key, d, emit);
        d = undefined;
      }
      if (!d) d = this.open(key, (tcp.seq + 1) >>> 0, now, tcp.seq);
    } else if (!d) {
      const end = this.closed.get(key);
      if (end !== undefined && ((tcp.seq + len - end) | 0) <= 0) {
        if (len > 0) this.stats.retransmissions++;
        return;
      }
      if (len === 0 && !tcp.fin) return; // a bare ACK or RST opens nothing
      d = this.open(key, tcp.seq, now, -1);
    }
    d.lastSeen = now;
    const seq = tcp.syn ? (tcp.seq + 1) >>> 0 : tcp.seq;
    if (len > 0) this.data(key, d, seq, p.payload, p, emit);
    if (tcp.fin) {
      d.fin = (seq + len) >>> 0;
      d.hasFin = true;
    }
    if (tcp.rst || (d.hasFin && d.next === d.fin)) {
      this.close(key, d, emit);
      return;
    }
    this.evictOverflow(emit);
  }

  /** Flushes every direction: buffered bytes after a hole are delivered with `gap`. */
  end(emit: TcpEmit): void {
    for (const [key, d] of this.flows) this.flush(key, d, emit, 'the end of the capture');
    this.flows.clear();
    this.closed.clear();
  }

  private open(key: string, next: number, now: number, isn: number): Direction {
    const gap = this.closed.delete(key);
    const d: Direction = { next, isn, pending: [], pendingBytes: 0, fin: 0, hasFin: false, gap, lastSeen: now };
    this.flows.set(key, d);
    return d;
  }

  private data(key: string, d: Direction, seq: number, data: Buffer, p: TransportPayload, emit: TcpEmit): void {
    const rel = (seq - d.next) | 0;
    if (rel + data.length <= 0) {
      this.stats.retransmissions++;
      return;
    }
    if (rel > 0) {
      this.stats.outOfOrder++;
      this.hold(d, seq, data, p);
      if (d.pendingBytes > this.opts.maxBufferedBytes) {
        // The limit's own share of the gaps, so the CLI can say which flag to raise.
        this.stats.bufferGaps++;
        this.stats.bufferGapBytes += (d.pending[0]!.seq - d.next) >>> 0;
        this.skipHole(key, d, emit, `${this.opts.maxBufferedBytes} bytes were buffered`);
      }
      return;
    }
    if (rel < 0) {
      this.stats.overlaps++;
      data = data.subarray(-rel);
    }
    this.deliver(key, d, data, p, emit);
    this.drain(key, d, emit);
  }

  private deliver(key: string, d: Direction, data: Buffer, p: TransportPayload, emit: TcpEmit): void {
    const gap = d.gap;
    d.gap = false;
    d.next = (d.next + data.length) >>> 0;
    this.stats.bytes += data.length;
    emit(key, data, p, gap);
  }

  /** Buffers an early segment (copied: the frame's bytes may be reused), sorted by sequence. */
  private hold(d: Direction, seq: number, data: Buffer, p: TransportPayload): void {
    const rel = (seq - d.next) | 0;
    let i = d.pending.length;
    while (i > 0 && ((d.pending[i - 1].seq - d.next) | 0) > rel) i--;
    const prev = d.pending[i - 1];
    if (prev && prev.seq === seq && prev.data.length >= data.length) {
      this.stats.retransmissions++;
      return;
    }
    d.pending.splice(i, 0, { seq, data: Buffer.from(data), p });
    d.pendingBytes += data.length;
  }

  /** Delivers buffered segments that now continue the stream. */
  private drain(key: string, d: Direction, emit: TcpEmit): void {
    while (d.pending.length > 0) {
      const s = d.pending[0];
      const rel = (s.seq - d.next) | 0;
      if (rel > 0) return;
      d.pending.shift();
      d.pendingBytes -= s.data.length;
      if (rel + s.data.length <= 0) {
        this.stats.overlaps++;
        continue;
      }
      if (rel < 0) this.stats.overlaps++;
      this.deliver(key, d, rel < 0 ? s.data.subarray(-rel) : s.data, s.p, emit);
    }
  }

  /** Gives up on the hole before the first buffered segment and continues after it. */
  private skipHole(key: string, d: Direction, emit: TcpEmit, why: string): void {
    const first = d.pending[0];
    const missing = (first.seq - d.next) >>> 0;
    this.stats.gaps++;
    this.stats.gapBytes += missing;
    this.log.addAt(first.p.frame, 'tcp.gap', `${key}: ${missing} bytes never captured before this segment; skipped because ${why}`);
    d.next = first.seq;
    d.gap = true;
    this.drain(key, d, emit);
  }

  private flush(key: string, d: Direction, emit: TcpEmit, why: string): void {
    while (d.pending.length > 0) this.skipHole(key, d, emit, why);
  }

  private close(key: string, d: Direction, emit: TcpEmit): void {
    this.flush(key, d, emit, 'the connection closed');
    this.flows.delete(key);
    this.stats.closed++;
    this.closed.set(key, d.next);
    if (this.closed.size > this.opts.maxFlows) this.closed.delete(this.closed.keys().next().value as string);
  }

  private evictOverflow(emit: TcpEmit): void {
    while (this.flows.size > this.opts.maxFlows) {
      const [key, d] = this.flows.entries().next().value as [string, Direction];
      this.stats.evicted++;
      this.log.add({ code: 'tcp.flow-evicted', detail: `${key}: forgotten because more than ${this.opts.maxFlows} directions were open` });
      this.flush(key, d, emit, 'the flow was evicted');
      this.flows.delete(key);
    }
  }

  private expireIdle(now: number, emit: TcpEmit): void {
    for (const [key, d] of this.flows) {
      if (now - d.lastSeen <= this.opts.idleTimeoutSec) return;
      this.stats.idleClosed++;
      this.flush(key, d, emit, `the flow was idle for ${this.opts.idleTimeoutSec} s`);
      this.flows.delete(key);
    }
  }
}
