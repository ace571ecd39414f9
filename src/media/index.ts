/**
 * Which RTP belongs to which call: the SDP of every call names media
 * endpoints (c= address, m= port, RFC 4566 §5.7, §5.14); RTP is looked up by
 * those endpoints and the call's time span. A stream counts for a direction
 * when it goes to the receiver's announced endpoint or leaves the sender's
 * (a NATed sender's RTP arrives from its public address, yet still goes to
 * the announced one; a server doing comedia answers from its own).
 */
import type { Call } from '../calls/call.js';
import { endpoint } from '../net/packet.js';
import { sdpOfMessage } from '../sip/sdp.js';
import { streamStats, type RtpStream, type StreamStats } from './streams.js';

/** ip:port of every media line with a port in every SDP of the calls: what RTP to keep. */
export function announcedEndpoints(calls: readonly Call[]): Set<string> {
  const out = new Set<string>();
  for (const call of calls) {
    for (const m of call.kept ?? []) {
      if (m.msg.body.length === 0) continue;
      const sdp = sdpOfMessage(m.msg);
      for (const media of sdp?.media ?? []) {
        const ip = media.connection?.ip ?? sdp!.connection?.ip;
        if (ip !== undefined && media.port > 0) out.add(endpoint(ip, media.port));
      }
    }
  }
  return out;
}

export interface Direction {
  from: string;
  to: string;
  packets: number;
  lost: number;
  /** Max / mean interarrival jitter in ms (null: clock rate unknown). */
  maxJitterMs: number | null;
  meanJitterMs: number | null;
  streams: StreamStats[];
}

export class MediaIndex {
  private readonly byEndpoint = new Map<string, RtpStream[]>();

  constructor(private readonly streams: readonly RtpStream[], readonly filesSkipped: readonly string[] = []) {
    for (const s of streams) {
      for (const ep of new Set([s.src, s.dst])) {
        let list = this.byEndpoint.get(ep);
        if (list === undefined) this.byEndpoint.set(ep, (list = []));
        list.push(s);
      }
    }
  }

  all(): readonly RtpStream[] {
    return this.streams;
  }

  /** True when any RTP was seen at all. */
  get empty(): boolean {
    return this.byEndpoint.size === 0;
  }

  /**
   * RTP from `sender` to `receiver` (announced endpoints) between `from` and
   * `to` (seconds): streams to the receiver, or from the sender to anywhere.
   * `clockRate` maps the receiver's payload types (its SDP rtpmap).
   */
  direction(sender: string, receiver: string, from: number, to: number, clockRate: (pt: number) => number | undefined): Direction {
    const seen = new Set<RtpStream>();
    for (const s of this.byEndpoint.get(receiver) ?? []) if (s.dst === receiver) seen.add(s);
    for (const s of this.byEndpoint.get(sender) ?? []) if (s.src === sender && s.dst !== receiver) seen.add(s);
    const streams = [...seen]
      .filter((s) => s.at[0]! <= to && s.at[s.at.length - 1]! >= from)
      .map((s) => streamStats(s, clockRate))
      .sort((a, b) => a.first - b.first);
    const jitters = streams.map((s) => s.maxJitterMs).filter((j): j is number => j !== null);
    const means = streams.filter((s) => s.meanJitterMs !== null);
    const packets = streams.reduce((n, s) => n + s.packets, 0);
    return {
      from: sender, to: receiver, packets,
      lost: streams.reduce((n, s) => n + s.lost, 0),
      maxJitterMs: jitters.length === 0 ? null : Math.max(...jitters),
      meanJitterMs: means.length === 0 || packets === 0 ? null
        : Math.round(means.reduce((n, s) => n + s.meanJitterMs! * s.packets, 0) / means.reduce((n, s) => n + s.packets, 0) * 1000) / 1000,
      streams,
    };
  }
}
