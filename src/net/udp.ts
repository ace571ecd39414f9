/**
 * UDP header (RFC 768). The checksum is not verified (offloaded on the capturing
 * host). The length field bounds the payload: shorter than the IP payload drops
 * trailing padding; 0 happens only in IPv6 jumbograms (RFC 2675 §4) and means "the
 * rest". A length past the IP payload means the datagram is damaged.
 */
import { issue, type Issue } from '../core/issue.js';
import { u16 } from './bytes.js';

export interface UdpHeader {
  srcPort: number;
  dstPort: number;
  payloadStart: number;
  payloadEnd: number;
}

export function newUdpHeader(): UdpHeader {
  return { srcPort: 0, dstPort: 0, payloadStart: 0, payloadEnd: 0 };
}

export function decodeUdp(b: Buffer, off: number, end: number, h: UdpHeader): Issue | null {
  if (end - off < 8) return issue('udp.truncated', `UDP header needs 8 bytes, ${end - off} available`, off);
  const len = u16(b, off + 4);
  if (len !== 0 && len < 8) return issue('udp.bad-length', `UDP length ${len} is below 8`, off);
  if (off + len > end) {
    return issue('udp.bad-length', `UDP length ${len} exceeds the ${end - off} bytes of the IP payload`, off);
  }
  h.srcPort = u16(b, off);
  h.dstPort = u16(b, off + 2);
  h.payloadStart = off + 8;
  h.payloadEnd = len === 0 ? end : off + len;
  return null;
}
