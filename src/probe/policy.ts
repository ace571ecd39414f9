/**
 * What the mirror does with one received message, without sockets or clocks
 * of its own (the server passes `now`): answer a probe with its echo (and, on
 * UDP, schedule the late reply a NAT-timeout trial asks for), or ignore it and
 * say why. The rules that make a public mirror safe live here, testable:
 * only requests carrying the token (compared in constant time), never an ACK
 * (RFC 3261 §17.2.1), oversized requests refused, a per-peer-address token
 * bucket, a bounded number of pending late replies, and a final check that a
 * reply is never more than REPLY_BOUND bytes over its request.
 */
import { timingSafeEqual } from 'node:crypto';
import { getHeader } from '../sip/headers.js';
import { parseSipMessage } from '../sip/parse.js';
import { COPY_LIMIT, DELAY_HEADER, LATE_HEADER, MAX_DELAY_MS, MAX_REQUEST, PROBE_HEADER, REPLY_BOUND, copiedBytes, echoResponse, shortResponse } from './echo.js';

export interface PolicyOptions {
  token: string;
  maxRequest?: number;
  /** Token bucket per peer address: burst size and refill per second. */
  burst?: number;
  perSecond?: number;
  /** Late replies waiting, per peer address and in all. */
  maxPendingPerPeer?: number;
  maxPending?: number;
}

export type IgnoreReason = 'not-sip' | 'not-request' | 'no-token' | 'bad-token' | 'ack' | 'oversized' | 'headers-too-long' | 'rate-limited' | 'too-many-pending';

export type Decision =
  | { kind: 'ignore'; reason: IgnoreReason }
  | { kind: 'reply'; bytes: Buffer; late?: { afterMs: number; bytes: Buffer } };

const MAX_PEERS = 4096;

export class MirrorPolicy {
  readonly maxRequest: number;
  private readonly token: Buffer;
  private readonly burst: number;
  private readonly perSecond: number;
  private readonly maxPendingPerPeer: number;
  private readonly maxPending: number;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly pending = new Map<string, number>();
  private pendingTotal = 0;
  readonly counts: Record<string, number> = {};

  constructor(o: PolicyOptions) {
    if (o.token === '') throw new Error('the mirror needs a non-empty token');
    this.token = Buffer.from(o.token, 'utf8');
    this.maxRequest = o.maxRequest ?? MAX_REQUEST;
    this.burst = o.burst ?? 32;
    this.perSecond = o.perSecond ?? 16;
    this.maxPendingPerPeer = o.maxPendingPerPeer ?? 32;
    this.maxPending = o.maxPending ?? 1024;
  }

  decide(raw: Buffer, peer: { ip: string; port: number }, transport: 'udp' | 'tcp', now: number): Decision {
    const d = this.decideInner(raw, peer, transport, now);
    const key = d.kind === 'ignore' ? d.reason : 'answered';
    this.counts[key] = (this.counts[key] ?? 0) + 1;
    return d;
  }

  /** A late reply was sent (or dropped at shutdown): free its slot. */
  lateDone(ip: string): void {
    const n = (this.pending.get(ip) ?? 1) - 1;
    if (n <= 0) this.pending.delete(ip); else this.pending.set(ip, n);
    this.pendingTotal = Math.max(0, this.pendingTotal - 1);
  }

  private decideInner(raw: Buffer, peer: { ip: string; port: number }, transport: 'udp' | 'tcp', now: number): Decision {
    const msg = parseSipMessage(raw);
    if (msg === null) return { kind: 'ignore', reason: 'not-sip' };
    if (msg.kind !== 'request') return { kind: 'ignore', reason: 'not-request' };
    const token = getHeader(msg, PROBE_HEADER);
    if (token === undefined) return { kind: 'ignore', reason: 'no-token' };
    const got = Buffer.from(token, 'utf8');
    if (got.length !== this.token.length || !timingSafeEqual(got, this.token)) return { kind: 'ignore', reason: 'bad-token' };
    if (msg.method === 'ACK') return { kind: 'ignore', reason: 'ack' };
    if (!this.take(peer.ip, now)) return { kind: 'ignore', reason: 'rate-limited' };
    if (copiedBytes(msg) > COPY_LIMIT) return { kind: 'ignore', reason: 'headers-too-long' };
    if (raw.length > this.maxRequest) {
      // Refused, but told so: a 513 is no larger than the request (RFC 3261 §21.5.11).
      return this.bounded(raw, { kind: 'reply', bytes: shortResponse(msg, '513 Message Too Large') });
    }
    const seen = { source: `${peer.ip}:${peer.port}`, transport };
    const reply: Decision = { kind: 'reply', bytes: echoResponse(msg, seen) };
    const delay = getHeader(msg, DELAY_HEADER);
    if (delay !== undefined && transport === 'udp' && /^\d{1,9}$/.test(delay.trim())) {
      const afterMs = Math.min(Number(delay.trim()), MAX_DELAY_MS);
      const mine = this.pending.get(peer.ip) ?? 0;
      if (mine >= this.maxPendingPerPeer || this.pendingTotal >= this.maxPending) return { kind: 'ignore', reason: 'too-many-pending' };
      reply.late = { afterMs, bytes: shortResponse(msg, '200 OK', [`${LATE_HEADER}: ${afterMs}`]) };
      const d = this.bounded(raw, reply);
      if (d.kind === 'reply') { this.pending.set(peer.ip, mine + 1); this.pendingTotal++; }
      return d;
    }
    return this.bounded(raw, reply);
  }

  private bounded(raw: Buffer, d: Decision & { kind: 'reply' }): Decision {
    const limit = Math.min(raw.length, this.maxRequest) + REPLY_BOUND;
    if (d.bytes.length > limit || (d.late && d.late.bytes.length > limit)) return { kind: 'ignore', reason: 'headers-too-long' };
    return d;
  }

  private take(ip: string, now: number): boolean {
    let b = this.buckets.get(ip);
    if (b === undefined) {
      if (this.buckets.size >= MAX_PEERS) this.buckets.delete(this.buckets.keys().next().value!);
      b = { tokens: this.burst, at: now };
    } else {
      this.buckets.delete(ip); // re-insert: the map's order is least recently seen first
      b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
      b.at = now;
    }
    this.buckets.set(ip, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
