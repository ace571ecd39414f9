/**
 * Link-layer decoders: find where the IP header starts in a captured frame.
 * Ethernet II (IEEE 802.3 length/LLC-SNAP frames too), 802.1Q and 802.1ad/QinQ tag
 * stacks, PPPoE sessions (RFC 2516) with PPP inside, MPLS label stacks (RFC 3032),
 * Linux cooked captures SLL/SLL2, BSD NULL/LOOP, and the raw IP link types.
 * Link types are the tcpdump.org LINKTYPE_* values carried in `Frame.linkType`.
 */
import { issue, type Issue } from '../core/issue.js';
import { LinkType } from '../capture/frame.js';
import { pppHeaderLength, pppIpVersion } from './ppp.js';
import { u16 } from './bytes.js';

export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  IPV6: 0x86dd,
  PPP: 0x880b,
  PPPOE_DISCOVERY: 0x8863,
  PPPOE_SESSION: 0x8864,
  MPLS: 0x8847,
  MPLS_MULTICAST: 0x8848,
  QINQ: 0x88a8,
  QINQ_OLD: 0x9100,
  TRANSPARENT_ETHERNET: 0x6558,
} as const;

/** Result of link decoding: the network layer's version and where it starts. */
export interface LinkLayer {
  /** 4 or 6 when an IP header follows; 0 for anything else (ARP, LLDP, …). */
  ipVersion: 0 | 4 | 6;
  /** Offset of the IP header in the frame. */
  offset: number;
  /** Last EtherType (or address family for NULL/LOOP) seen: tells what a non-IP frame was. */
  etherType: number;
  /** 802.1Q/802.1ad tags skipped. */
  vlanTags: number;
  pppoe: boolean;
  mpls: boolean;
}

export function newLinkLayer(): LinkLayer {
  return { ipVersion: 0, offset: 0, etherType: 0, vlanTags: 0, pppoe: false, mpls: false };
}

/** Decodes the link header of a frame of `linkType`; errors are values. */
export function decodeLink(linkType: number, b: Buffer, off: number, end: number, out: LinkLayer): Issue | null {
  out.ipVersion = 0;
  out.vlanTags = 0;
  out.pppoe = false;
  out.mpls = false;
  out.etherType = 0;
  switch (linkType) {
    case LinkType.ETHERNET:
      return decodeEthernet(b, off, end, out);
    case LinkType.LINUX_SLL:
      // 16-byte header; protocol (an EtherType) in the last two bytes.
      if (end - off < 16) return issue('link.truncated', 'Linux cooked (SLL) header is shorter than 16 bytes', off);
      return etherPayload(b, u16(b, off + 14), off + 16, end, out);
    case LinkType.LINUX_SLL2:
      // 20-byte header; protocol first.
      if (end - off < 20) return issue('link.truncated', 'Linux cooked v2 (SLL2) header is shorter than 20 bytes', off);
      return etherPayload(b, u16(b, off), off + 20, end, out);
    case LinkType.NULL:
    case LinkType.LOOP:
      return decodeLoopback(b, off, end, out);
    case LinkType.RAW:
    case LinkType.IPV4:
    case LinkType.IPV6:
      return rawIp(b, off, end, out);
    default:
      out.etherType = -1;
      return issue('link.unsupported', `link type ${linkType} is not decoded`, off);
  }
}

/** Ethernet II header (also the inner frame of ERSPAN, VXLAN and GRE bridging). */
export function decodeEthernet(b: Buffer, off: number, end: number, out: LinkLayer): Issue | null {
  if (end - off < 14) return issue('link.truncated', 'Ethernet header is shorter than 14 bytes', off);
  let type = u16(b, off + 12);
  off += 14;
  if (type <= 1500) {
    // IEEE 802.3 length field: only LLC + SNAP (AA AA 03, OUI, EtherType) can carry IP.
    if (end - off >= 8 && b[off] === 0xaa && b[off + 1] === 0xaa && b[off + 2] === 0x03) {
      type = u16(b, off + 6);
      off += 8;
    } else {
      out.etherType = type;
      return null;
    }
  }
  return etherPayload(b, type, off, end, out);
}

/** Follows an EtherType through VLAN tags, PPPoE and MPLS to an IP header. */
export function etherPayload(b: Buffer, type: number, off: number, end: number, out: LinkLayer): Issue | null {
  for (let hops = 0; hops < 16; hops++) {
    out.etherType = type;
    switch (type) {
      case EtherType.IPV4:
        out.ipVersion = 4;
        out.offset = off;
        return null;
      case EtherType.IPV6:
        out.ipVersion = 6;
        out.offset = off;
        return null;
      case EtherType.VLAN:
      case EtherType.QINQ:
      case EtherType.QINQ_OLD:
        if (end - off < 4) return issue('link.truncated', '802.1Q tag is truncated', off);
        out.vlanTags++;
        type = u16(b, off + 2);
        off += 4;
        continue;
      case EtherType.PPPOE_SESSION: {
        // RFC 2516 §4: ver/type, code (0 in session), session id, length, then PPP.
        if (end - off < 8) return issue('link.truncated', 'PPPoE session header is truncated', off);
        out.pppoe = true;
        const n = pppHeaderLength(b, off + 6, end);
        if (n < 0) return issue('link.truncated', 'PPP header is truncated', off + 6);
        out.ipVersion = pppIpVersion(b, off + 6);
        out.offset = off + 6 + n;
        return null;
      }
      case EtherType.MPLS:
      case EtherType.MPLS_MULTICAST:
        return mpls(b, off, end, out);
      default:
        return null;
    }
  }
  return issue('link.too-deep', 'more than 16 stacked link headers', off);
}

/** RFC 3032: pop labels until bottom-of-stack; the payload's version nibble decides. */
function mpls(b: Buffer, off: number, end: number, out: LinkLayer): Issue | null {
  out.mpls = true;
  for (;;) {
    if (end - off < 4) return issue('link.truncated', 'MPLS label stack is truncated', off);
    const bottom = b[off + 2] & 1;
    off += 4;
    if (bottom) break;
  }
  return rawIp(b, off, end, out);
}

/**
 * BSD loopback: a 4-byte address family in the writer's byte order (NULL) or in
 * network order (LOOP) — files from other hosts break both rules, so read either.
 * AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD),
 * 30 (Darwin) or 10 (Linux).
 */
function decodeLoopback(b: Buffer, off: number, end: number, out: LinkLayer): Issue | null {
  if (end - off < 4) return issue('link.truncated', 'loopback header is shorter than 4 bytes', off);
  let af = b.readUInt32LE(off);
  if (af > 0xffff) af = b.readUInt32BE(off);
  out.etherType = af;
  out.offset = off + 4;
  if (af === 2) out.ipVersion = 4;
  else if (af === 24 || af === 28 || af === 30 || af === 10) out.ipVersion = 6;
  return null;
}

/** Raw IP link types: the version nibble decides. */
function rawIp(b: Buffer, off: number, end: number, out: LinkLayer): Issue | null {
  if (off >= end) return issue('link.truncated', 'empty raw IP packet', off);
  const v = b[off] >> 4;
  out.offset = off;
  if (v === 4 || v === 6) out.ipVersion = v;
  else return issue('link.bad-ip-version', `raw IP packet has version ${v}`, off);
  return null;
}
