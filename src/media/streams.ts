/**
 * RTP streams of a capture, keyed like Wireshark's: source ip:port →
 * destination ip:port + SSRC (RFC 3550 §8: one SSRC per source). `push` takes
 * every UDP payload the SIP extractor did not want and keeps only RTP to or
 * from the media endpoints the SDP announced, so noise never becomes a
 * stream. Per packet only arrival, sequence number, timestamp and flags are
 * kept; `stats` turns them into packets, expected/lost (RFC 3550 §6.4.1 /
 * A.3), inter-arrival delta and interarrival jitter (RFC 3550 §6.4.1, A.8)
 * once the clock rate is known from the SDP.
 */
import { endpoint, type TransportPayload } from '../net/packet.js';
import { parseRtp, staticClockRate } from './rtp.js';

export interface RtpStream {
  src: string;
  dst: string;
  ssrc: number;
  /** Arrival of each packet, seconds since the epoch. */
  at: number[];
  seq: number[];
  ts: number[];
  marker: boolean[];
  payloadTypes: number[];
}

export interface StreamStats {
  src: string;
  dst: string;
  ssrc: string;
  payloadTypes: number[];
  packets: number;
  /** Highest extended sequence number − first + 1 (RFC 3550 A.3). */
  expected: number;
  /** expected − received: negative when packets were duplicated (as tshark shows it). */
  lost: number;
  first: number;
  last: number;
  maxDeltaMs: number;
  /** Interarrival jitter J (RFC 3550 §6.4.1) in ms; null without a known clock rate. */
  maxJitterMs: number | null;
  meanJitterMs: number | null;
  clockRate: number | null;
}

export class RtpStreams {
  private readonly streams = new Map<string, RtpStream>();
  /** Datagrams to or from a wanted endpoint that were not RTP (STUN, RTCP, junk). */
  notRtp = 0;

  /** `wanted`: ip:port endpoints from SDP c=/m=; undefined keeps RTP on any port. */
  constructor(private readonly wanted?: ReadonlySet<string>) {}

  /** The `onOtherDatagram` hook: a UDP payload that was not SIP. */
  push(p: TransportPayload): void {
    if (p.transport !== 'udp') return;
    const src = endpoint(p.srcIp, p.srcPort), dst = endpoint(p.dstIp, p.dstPort);
    if (this.wanted !== undefined && !this.wanted.has(src) && !this.wanted.has(dst)) return;
    const h = parseRtp(p.payload);
    if (h === undefined) { this.notRtp++; return; }
    const key = `${src}>${dst}#${h.ssrc}`;
    let s = this.streams.get(key);
    if (s === undefined) this.streams.set(key, (s = { src, dst, ssrc: h.ssrc, at: [], seq: [], ts: [], marker: [], payloadTypes: [] }));
    s.at.push(p.sec + p.nsec / 1e9);
    s.seq.push(h.seq);
    s.ts.push(h.timestamp);
    s.marker.push(h.marker);
    if (!s.payloadTypes.includes(h.payloadType)) s.payloadTypes.push(h.payloadType);
  }

  all(): RtpStream[] {
    return [...this.streams.values()];
  }
}

const ms = (x: number): number => Math.round(x * 1000) / 1000;

/** `clockRate(pt)`: the receiver's SDP rtpmap rate for dynamic types; static ones are known. */
export function streamStats(s: RtpStream, clockRate: (pt: number) => number | undefined = () => undefined): StreamStats {
  const n = s.at.length;
  const pt = s.payloadTypes[0]!;
  const rate = clockRate(pt) ?? staticClockRate(pt) ?? null;
  // RFC 3550 A.1: extend the 16-bit sequence number across wraps.
  let cycles = 0, prev = s.seq[0]!, maxExt = prev;
  for (let i = 1; i < n; i++) {
    const q = s.seq[i]!;
    if (q < prev && prev - q > 0x8000) cycles += 0x10000;
    else if (q > prev && q - prev > 0x8000 && cycles > 0) cycles -= 0x10000; // a late packet from before the wrap
    maxExt = Math.max(maxExt, q + cycles);
    prev = q;
  }
  const expected = maxExt - s.seq[0]! + 1;
  let maxDelta = 0, jitter = 0, maxJitter = 0, jitterSum = 0;
  for (let i = 1; i < n; i++) {
    const delta = (s.at[i]! - s.at[i - 1]!) * 1000;
    const dts = (s.ts[i]! - s.ts[i - 1]!) | 0; // signed 32-bit difference, wrap-safe
    const regular = !s.marker[i] && dts >= 0;
    if (regular) maxDelta = Math.max(maxDelta, delta);
    if (rate === null) continue;
    // RFC 3550 §6.4.1: D = (Rj − Ri) − (Sj − Si); J += (|D| − J) / 16, here in ms.
    const d = Math.abs(delta - (dts * 1000) / rate);
    jitter += (d - jitter) / 16;
    if (regular) { maxJitter = Math.max(maxJitter, jitter); jitterSum += jitter; }
  }
  return {
    src: s.src, dst: s.dst, ssrc: `0x${s.ssrc.toString(16).toUpperCase().padStart(8, '0')}`, payloadTypes: s.payloadTypes,
    packets: n, expected, lost: expected - n, first: s.at[0]!, last: s.at[n - 1]!,
    maxDeltaMs: ms(maxDelta),
    maxJitterMs: rate === null ? null : ms(maxJitter),
    meanJitterMs: rate === null ? null : n > 1 ? ms(jitterSum / (n - 1)) : 0,
    clockRate: rate,
  };
}
