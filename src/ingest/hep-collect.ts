/**
 * What a HEP collector does with one received packet, without any I/O: decode
 * it (HEPv1/v2/v3, compressed payload), check the auth key (chunk 14) when one
 * is required, and turn the SIP it carries into the transport payload and the
 * captured message the rest of the program knows — dated with the agent's
 * capture time (chunks 9/10), not our receive time, so a ladder shows when the
 * SIP server saw the message. Every packet ends in exactly one outcome; the
 * counters are what a live status line and the summary print.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Issue } from '../core/issue.js';
import type { Timestamp } from '../core/time.js';
import type { CapturedMessage, MessageTransport } from '../calls/captured-message.js';
import { decodeHep, HEP_PROTO_SIP, type HepPacket } from '../net/hep.js';
import type { TransportPayload } from '../net/packet.js';
import { sipStartLineKind } from '../sip/detect.js';
import { isCleanScan } from '../sip/scan.js';
import { parseSipMessage, type ParseOptions } from '../sip/parse.js';
import type { LimitHit } from '../core/limits.js';

export type HepOutcome =
  | { kind: 'sip'; payload: TransportPayload; message: CapturedMessage }
  /** Not HEP, or HEP whose structure is broken (lengths, chunks, missing address or payload). */
  | { kind: 'malformed'; issues: Issue[] }
  /** An auth key was required and the packet had none or another one. */
  | { kind: 'bad-auth' }
  /** Well-formed HEP carrying something else: RTCP, logs, or a payload that is not SIP. */
  | { kind: 'not-sip'; protoType: number };

export interface HepOptions {
  /** Required auth key (chunk 14); unset accepts every packet, keyed or not. */
  authKey?: string;
  /** Frame number given to the message (the collector counts packets). */
  frame: number;
  /** When the packet arrived: the time of packets whose agent sent none. */
  received: Timestamp;
  /** Input index for `CapturedMessage.source`. */
  source?: number;
  /** SIP header limits (--max-headers, --max-header-bytes). */
  parse?: ParseOptions;
}

export function hepToMessage(buf: Buffer, o: HepOptions): HepOutcome {
  const hep = decodeHep(buf);
  if (hep === null) return { kind: 'malformed', issues: [{ code: 'hep.not-hep', detail: `${buf.length} bytes that are not HEP` }] };
  if (o.authKey !== undefined && !sameKey(hep.authKey, o.authKey)) return { kind: 'bad-auth' };
  if (hep.issues.length > 0) return { kind: 'malformed', issues: hep.issues };
  if (hep.protoType !== HEP_PROTO_SIP || sipStartLineKind(hep.payload) === null) return { kind: 'not-sip', protoType: hep.protoType };
  const msg = parseSipMessage(hep.payload, o.parse);
  if (msg === null) return { kind: 'not-sip', protoType: hep.protoType };
  const payload = innerPayload(hep, o);
  const message: CapturedMessage = {
    seq: 0, source: o.source ?? 0, frame: o.frame, sec: payload.sec, nsec: payload.nsec,
    srcIp: payload.srcIp, srcPort: payload.srcPort, dstIp: payload.dstIp, dstPort: payload.dstPort,
    transport: payload.transport as MessageTransport, msg, hep: payload.hep!,
  };
  return { kind: 'sip', payload, message };
}

/** The original packet as the agent saw it: its addresses, ports, protocol and time. */
function innerPayload(hep: HepPacket, o: HepOptions): TransportPayload {
  const dated = hep.sec !== 0;
  const meta: NonNullable<TransportPayload['hep']> = { version: hep.version, sec: hep.sec, usec: hep.usec };
  if (hep.captureId !== undefined) meta.captureId = hep.captureId;
  if (hep.correlationId !== undefined) meta.correlationId = hep.correlationId;
  return {
    frame: o.frame,
    sec: dated ? hep.sec : o.received.sec,
    nsec: dated ? Math.min(hep.usec, 999_999) * 1000 : o.received.nsec,
    srcIp: hep.srcIp, dstIp: hep.dstIp, srcPort: hep.srcPort, dstPort: hep.dstPort,
    // SCTP and anything else are shown as what SIP mostly rides on; the payload is whole either way.
    transport: hep.ipProto === 6 ? 'tcp' : 'udp',
    payload: hep.payload,
    hep: meta,
  };
}

/** Constant-time comparison, so response timing does not reveal how much of a key matched. */
function sameKey(got: string | undefined, want: string): boolean {
  if (got === undefined) return false;
  const a = Buffer.from(got);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface HepCollectStats {
  /** Every packet handed to the collector, whatever became of it. */
  packets: number;
  sipMessages: number;
  malformed: number;
  badAuth: number;
  notSip: number;
}

export interface HepCollectorOptions {
  authKey?: string;
  source?: number;
  /** Each accepted SIP message, in arrival order (to the call store). */
  onMessage: (m: CapturedMessage) => void;
  /** Its original packet, e.g. for `-w FILE`. */
  onPayload?: (p: TransportPayload) => void;
  /** SIP header limits (--max-headers, --max-header-bytes); the parser's defaults when absent. */
  parse?: ParseOptions;
}

/** Counts outcomes and forwards the SIP; the listener calls `push` per packet. */
export class HepCollector {
  readonly stats: HepCollectStats = { packets: 0, sipMessages: 0, malformed: 0, badAuth: 0, notSip: 0 };

  /** Messages whose headers were cut by `maxHeaders` / `maxHeaderBytes`. */
  private readonly headerCuts = { tooMany: 0, tooLong: 0 };

  constructor(private readonly options: HepCollectorOptions) {}

  /** What each header limit cut so far, as `SipExtractor.limitHits` says it. */
  limitHits(): LimitHit[] {
    const hits: LimitHit[] = [];
    const noun = ['SIP message with headers left unparsed', 'SIP messages with headers left unparsed'] as const;
    if (this.headerCuts.tooMany > 0) hits.push({ key: 'maxHeaders', count: this.headerCuts.tooMany, noun, why: 'more than {limit} headers' });
    if (this.headerCuts.tooLong > 0) hits.push({ key: 'maxHeaderBytes', count: this.headerCuts.tooLong, noun, why: 'headers longer than {limit}' });
    return hits;
  }

  push(buf: Buffer, received: Timestamp): HepOutcome {
    const frame = ++this.stats.packets;
    const o: HepOptions = { frame, received };
    if (this.options.authKey !== undefined) o.authKey = this.options.authKey;
    if (this.options.source !== undefined) o.source = this.options.source;
    if (this.options.parse !== undefined) o.parse = this.options.parse;
    const out = hepToMessage(buf, o);
    switch (out.kind) {
      case 'sip':
        this.stats.sipMessages++;
        if (!isCleanScan(out.message.msg)) {
          for (const i of out.message.msg.issues) {
            if (i.code === 'sip.too-many-headers') this.headerCuts.tooMany++;
            else if (i.code === 'sip.headers-too-long') this.headerCuts.tooLong++;
          }
        }
        this.options.onPayload?.(out.payload);
        this.options.onMessage(out.message);
        break;
      case 'malformed': this.stats.malformed++; break;
      case 'bad-auth': this.stats.badAuth++; break;
      case 'not-sip': this.stats.notSip++; break;
    }
    return out;
  }

  /** Bytes on a TCP connection that were not a whole HEP packet: counted as one malformed packet per run. */
  junk(runs: number): void {
    this.stats.packets += runs;
    this.stats.malformed += runs;
  }
}
