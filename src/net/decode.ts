/**
 * The packet decoder: one captured frame in, zero or more transport payloads out.
 * It chains the layer decoders the way gopacket does — each layer says what comes
 * next — link → (VLAN, PPPoE, MPLS) → IP → (reassembly) → UDP / TCP / SCTP, and
 * unwraps tunnels recursively up to a depth limit: IP-in-IP, GRE (with ERSPAN and
 * PPP), GTP-U on UDP 2152, VXLAN on UDP 4789 and HEP in UDP payloads. Damage is
 * reported as issues carrying the frame number; nothing here throws on input.
 *
 * Every TCP segment is emitted, empty ones too (SYN, FIN, RST and pure ACKs drive
 * `TcpReassembler`). Payload buffers are views into `frame.data` (or into a
 * reassembled datagram): a consumer that keeps them must copy them if the capture
 * reader reuses its buffers. Layer records are reused scratch objects, so the only
 * per-packet allocations are the payload view, the record and its address strings.
 */
import type { Frame } from '../capture/frame.js';
import type { Issue } from '../core/issue.js';
import { ipv4String } from './addr.js';
import { u32 } from './bytes.js';
import { Defragmenter } from './defrag.js';
import { GreInner, decodeGre, newGreHeader } from './gre.js';
import { GTPU_PORT, decodeGtpu } from './gtpu.js';
import { HEP_PROTO_SIP, decodeHep } from './hep.js';
import { isIcmpError } from './icmp.js';
import { IpProto, dstIpText, newIpHeader, srcIpText, type IpHeader } from './ip.js';
import { ipInIpName, ipInIpVersion } from './ip-in-ip.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6, walkIpv6Extensions } from './ipv6.js';
import { IssueLog } from './issue-log.js';
import { DEFAULT_NET_LIMITS, type NetLimits } from './limits.js';
import { decodeEthernet, decodeLink, newLinkLayer } from './link.js';
import type { HepMeta, TcpInfo, Transport, TransportPayload } from './packet.js';
import { pppHeaderLength, pppIpVersion } from './ppp.js';
import { decodeSctp } from './sctp.js';
import { decodeTcp, isIssue, newTcpHeader } from './tcp.js';
import { decodeUdp, newUdpHeader } from './udp.js';
import { VXLAN_PORT, decodeVxlan } from './vxlan.js';

export interface NetStats {
  frames: number;
  /** Frames whose outermost network layer is IP. */
  ipPackets: number;
  /** Frames that carry no IP (ARP, LLDP, STP, …). */
  nonIp: number;
  fragments: number;
  reassembled: number;
  udp: number;
  tcp: number;
  sctp: number;
  /** IP packets with any other upper protocol, or tunnels carrying non-IP. */
  other: number;
  /** ICMP errors (which quote the packet that caused them), counted and skipped. */
  icmpErrors: number;
  /** Payloads that came out of at least one tunnel. */
  tunnelled: number;
  /** Payloads unwrapped from HEP. */
  hep: number;
  /** Frames given up on because a header was damaged or truncated. */
  malformed: number;
}

type Emit = (p: TransportPayload) => void;

export class PacketDecoder {
  readonly limits: NetLimits;
  readonly stats: NetStats = {
    frames: 0, ipPackets: 0, nonIp: 0, fragments: 0, reassembled: 0, udp: 0, tcp: 0, sctp: 0,
    other: 0, icmpErrors: 0, tunnelled: 0, hep: 0, malformed: 0,
  };
  private readonly log: IssueLog;
  private readonly defrag: Defragmenter;
  private readonly link = newLinkLayer();
  private readonly ipScratch: IpHeader[] = [];
  private readonly udpH = newUdpHeader();
  private readonly tcpH = newTcpHeader();
  private readonly greH = newGreHeader();
  /** IPv4 text by address value: RTP floods repeat a handful of addresses. */
  private readonly v4Text = new Map<number, string>();
  private v4Key0 = -1;
  private v4Str0 = '';
  private v4Key1 = -1;
  private v4Str1 = '';
  private frame: Frame | undefined;
  /** Set while the payloads of a reassembled datagram are emitted: all its fragments' frames. */
  private fragFrames: number[] | undefined;
  private sink: Emit = () => {};

  /** IP reassembly counters (evictions by limit, bytes dropped), for the limit warnings. */
  get defragStats(): Defragmenter['stats'] {
    return this.defrag.stats;
  }

  constructor(opts: Partial<NetLimits> = {}) {
    this.limits = { ...DEFAULT_NET_LIMITS, ...opts };
    this.log = new IssueLog(this.limits.maxIssues);
    this.defrag = new Defragmenter(
      { maxPending: this.limits.maxFragmentDatagrams, maxBytes: this.limits.maxFragmentBytes, timeoutSec: this.limits.fragmentTimeoutSec },
      this.log,
    );
    for (let i = 0; i <= this.limits.maxTunnelDepth; i++) this.ipScratch.push(newIpHeader());
  }

  /** The first `maxIssues` issues (later ones only in `issueCounts`). */
  get issues(): Issue[] {
    return this.log.list;
  }

  /** Issue counts per code, including issues not kept in `issues`. */
  get issueCounts(): ReadonlyMap<string, number> {
    return this.log.counts;
  }

  push(frame: Frame, emit: Emit): void {
    this.stats.frames++;
    this.frame = frame;
    this.sink = emit;
    const b = frame.data;
    const err = decodeLink(frame.linkType, b, 0, b.length, this.link);
    if (err) return this.fail(err);
    const v = this.link.ipVersion;
    if (v === 0) {
      this.stats.nonIp++;
      return;
    }
    this.stats.ipPackets++;
    this.ipPacket(b, this.link.offset, b.length, v, 0, undefined);
  }

  /** Ends the input: fragments still waiting are reported as incomplete. */
  end(): void {
    this.defrag.end();
  }

  private ipPacket(b: Buffer, off: number, end: number, v: 4 | 6, depth: number, tunnels: string[] | undefined): void {
    const h = this.ipScratch[depth];
    const err = v === 4 ? decodeIpv4(b, off, end, h) : decodeIpv6(b, off, end, h);
    if (err) return this.fail(err);
    if (!h.fragment) return this.upper(b, h.payloadStart, h.payloadEnd, h, depth, tunnels);
    this.stats.fragments++;
    const f = this.frame!;
    const key = h.version + '|' + srcIpText(h) + '|' + dstIpText(h) + '|' + h.protocol + '|' + h.fragId;
    const whole = this.defrag.push(key, h.fragOffset, h.moreFragments, b.subarray(h.payloadStart, h.payloadEnd), f.index, f.sec + f.nsec / 1e9);
    if (!whole) return;
    this.stats.reassembled++;
    h.payloadEnd = whole.length;
    if (v === 6) {
      // Extension headers after the Fragment header are part of the reassembled payload.
      const e = walkIpv6Extensions(whole, 0, whole.length, h.protocol, h);
      if (e) return this.fail(e);
    } else h.payloadStart = 0;
    const outer = this.fragFrames;
    this.fragFrames = this.defrag.completedFrames;
    this.upper(whole, h.payloadStart, whole.length, h, depth, tunnels);
    this.fragFrames = outer;
  }

  /** Dispatches on the IP protocol number. */
  private upper(b: Buffer, off: number, end: number, h: IpHeader, depth: number, tunnels: string[] | undefined): void {
    const proto = h.protocol;
    switch (proto) {
      case IpProto.UDP:
        return this.udp(b, off, end, h, depth, tunnels);
      case IpProto.TCP: {
        const info = decodeTcp(b, off, end, this.tcpH);
        if (isIssue(info)) return this.fail(info);
        this.stats.tcp++;
        return this.out(h, this.tcpH.srcPort, this.tcpH.dstPort, 'tcp', b.subarray(this.tcpH.payloadStart, end), tunnels, info, undefined);
      }
      case IpProto.SCTP:
        return this.sctp(b, off, end, h, tunnels);
      case IpProto.IPIP:
      case IpProto.IPV6:
        if (!this.deeper(depth)) return;
        return this.ipPacket(b, off, end, ipInIpVersion(proto) as 4 | 6, depth + 1, add(tunnels, ipInIpName(proto)));
      case IpProto.GRE:
        return this.gre(b, off, end, depth, tunnels);
      case IpProto.ICMP:
      case IpProto.ICMPV6:
        if (off < end && isIcmpError(proto, b[off])) this.stats.icmpErrors++;
        else this.stats.other++;
        return;
      default:
        this.stats.other++;
    }
  }

  private udp(b: Buffer, off: number, end: number, h: IpHeader, depth: number, tunnels: string[] | undefined): void {
    const u = this.udpH;
    const err = decodeUdp(b, off, end, u);
    if (err) return this.fail(err);
    const sport = u.srcPort;
    const dport = u.dstPort;
    const ps = u.payloadStart;
    const pe = u.payloadEnd;
    if (sport === GTPU_PORT || dport === GTPU_PORT) {
      const r = decodeGtpu(b, ps, pe);
      // Something on port 2152 that is not GTPv1-U at all stays a plain datagram.
      if (typeof r !== 'number' && r.code !== 'gtpu.bad-version') return this.fail(r);
      if (typeof r === 'number') {
        if (r < 0 || r >= pe) {
          this.stats.other++;
          return;
        }
        const v = b[r] >> 4;
        if ((v !== 4 && v !== 6) || !this.deeper(depth)) {
          this.stats.other++;
          return;
        }
        return this.ipPacket(b, r, pe, v, depth + 1, add(tunnels, 'gtp-u'));
      }
    }
    if (sport === VXLAN_PORT || dport === VXLAN_PORT) {
      const r = decodeVxlan(b, ps, pe);
      if (r >= 0) {
        if (!this.deeper(depth)) return;
        return this.ethernet(b, r, pe, depth, add(tunnels, 'vxlan'));
      }
    }
    if (this.limits.decodeHep && pe - ps >= 8 && (isHep3Bytes(b, ps) || b[ps] === 1 || b[ps] === 2)) {
      if (this.hep(b.subarray(ps, pe), tunnels)) return;
    }
    this.stats.udp++;
    this.out(h, sport, dport, 'udp', b.subarray(ps, pe), tunnels, undefined, undefined);
  }

  /** Emits what a HEP packet carries; false when the bytes are not HEP after all. */
  private hep(payload: Buffer, tunnels: string[] | undefined): boolean {
    const hp = decodeHep(payload);
    if (!hp) return false;
    const f = this.frame!;
    for (const i of hp.issues) this.log.addAt(f.index, i.code, i.detail, i.offset);
    if (!hp.srcIp || !hp.dstIp) {
      this.stats.malformed++;
      return true;
    }
    if (hp.protoType !== HEP_PROTO_SIP && hp.protoType !== 0) {
      this.stats.other++;
      return true;
    }
    const transport: Transport = hp.ipProto === IpProto.TCP ? 'tcp' : hp.ipProto === IpProto.SCTP ? 'sctp' : 'udp';
    this.stats.hep++;
    this.stats.tunnelled++;
    const meta: HepMeta = { version: hp.version, sec: hp.sec, usec: hp.usec };
    if (hp.captureId !== undefined) meta.captureId = hp.captureId;
    if (hp.correlationId !== undefined) meta.correlationId = hp.correlationId;
    this.sink({
      frame: f.index, sec: f.sec, nsec: f.nsec, srcIp: hp.srcIp, dstIp: hp.dstIp, srcPort: hp.srcPort, dstPort: hp.dstPort,
      transport, payload: hp.payload, tcp: undefined, sctpPpid: undefined, tunnels: add(tunnels, 'hep'), hep: meta,
    });
    return true;
  }

  private sctp(b: Buffer, off: number, end: number, h: IpHeader, tunnels: string[] | undefined): void {
    const pkt = decodeSctp(b, off, end);
    if ('code' in pkt) return this.fail(pkt);
    const f = this.frame!;
    for (const i of pkt.issues) this.log.addAt(f.index, i.code, i.detail, i.offset);
    this.stats.sctp++;
    for (const d of pkt.data) {
      this.out(h, pkt.srcPort, pkt.dstPort, 'sctp', b.subarray(d.start, d.end), tunnels, undefined, d.ppid);
    }
  }

  private gre(b: Buffer, off: number, end: number, depth: number, tunnels: string[] | undefined): void {
    const g = this.greH;
    const err = decodeGre(b, off, end, g);
    if (err) return this.fail(err);
    if (!this.deeper(depth)) return;
    let t = add(tunnels, 'gre');
    if (g.erspan) t = add(t, 'erspan');
    const p = g.payloadStart;
    switch (g.inner) {
      case GreInner.IPV4:
        return this.ipPacket(b, p, end, 4, depth + 1, t);
      case GreInner.IPV6:
        return this.ipPacket(b, p, end, 6, depth + 1, t);
      case GreInner.ETHERNET:
        return this.ethernet(b, p, end, depth, t);
      case GreInner.PPP: {
        const n = pppHeaderLength(b, p, end);
        const v = n < 0 ? 0 : pppIpVersion(b, p);
        if (v === 0) {
          this.stats.other++;
          return;
        }
        return this.ipPacket(b, p + n, end, v, depth + 1, t);
      }
      default:
        this.stats.other++;
    }
  }

  /** An Ethernet frame inside a tunnel (ERSPAN, VXLAN, GRE bridging). */
  private ethernet(b: Buffer, off: number, end: number, depth: number, tunnels: string[]): void {
    const err = decodeEthernet(b, off, end, this.link);
    if (err) return this.fail(err);
    if (this.link.ipVersion === 0) {
      this.stats.other++;
      return;
    }
    this.ipPacket(b, this.link.offset, end, this.link.ipVersion, depth + 1, tunnels);
  }

  private deeper(depth: number): boolean {
    if (depth < this.limits.maxTunnelDepth) return true;
    this.stats.malformed++;
    this.log.addAt(this.frame!.index, 'net.tunnel-too-deep', `more than ${this.limits.maxTunnelDepth} nested tunnels`);
    return false;
  }

  private out(
    h: IpHeader, srcPort: number, dstPort: number, transport: Transport, payload: Buffer,
    tunnels: string[] | undefined, tcp: TcpInfo | undefined, sctpPpid: number | undefined,
  ): void {
    const f = this.frame!;
    if (tunnels) this.stats.tunnelled++;
    // Every field is always present so all records share one hidden class.
    const srcIp = h.version === 4 ? this.v4(h.buf, h.srcOff) : srcIpText(h);
    const dstIp = h.version === 4 ? this.v4(h.buf, h.dstOff) : dstIpText(h);
    this.sink({ frame: f.index, sec: f.sec, nsec: f.nsec, srcIp, dstIp, srcPort, dstPort, transport, payload, tcp, sctpPpid, tunnels, hep: undefined, frames: this.fragFrames });
  }

  private v4(b: Buffer, off: number): string {
    const key = u32(b, off);
    // The two addresses seen last first: SIP goes to and from a proxy, so one side repeats.
    if (key === this.v4Key0) return this.v4Str0;
    if (key === this.v4Key1) {
      const s = this.v4Str1;
      this.v4Key1 = this.v4Key0; this.v4Str1 = this.v4Str0;
      this.v4Key0 = key; this.v4Str0 = s;
      return s;
    }
    let s = this.v4Text.get(key);
    if (s === undefined) {
      if (this.v4Text.size >= 65536) this.v4Text.clear(); // bounded; scans of many hosts just miss
      s = ipv4String(b, off);
      this.v4Text.set(key, s);
    }
    this.v4Key1 = this.v4Key0; this.v4Str1 = this.v4Str0;
    this.v4Key0 = key; this.v4Str0 = s;
    return s;
  }

  private fail(err: Issue): void {
    this.stats.malformed++;
    this.log.addAt(this.frame!.index, err.code, err.detail, err.offset);
  }
}

function add(tunnels: string[] | undefined, name: string): string[] {
  return tunnels ? [...tunnels, name] : [name];
}

function isHep3Bytes(b: Buffer, off: number): boolean {
  return b[off] === 0x48 && b[off + 1] === 0x45 && b[off + 2] === 0x50 && b[off + 3] === 0x33;
}
