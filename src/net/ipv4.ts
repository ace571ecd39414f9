/**
 * IPv4 header (RFC 791 §3.1). The header checksum is not verified: captures taken
 * on the sending host carry checksums the NIC fills in later. Options are skipped
 * by IHL. A total length of 0 (TCP segmentation offload on the capturing host)
 * means "the rest of the frame"; a total length shorter than the frame drops the
 * Ethernet padding; a longer one means the snaplen cut the packet.
 */
import { issue, type Issue } from '../core/issue.js';
import type { IpHeader } from './ip.js';
import { u16 } from './bytes.js';

export function decodeIpv4(b: Buffer, off: number, end: number, h: IpHeader): Issue | null {
  if (end - off < 20) return issue('ipv4.truncated', `IPv4 header needs 20 bytes, ${end - off} captured`, off);
  const vihl = b[off];
  if (vihl >> 4 !== 4) return issue('ipv4.bad-version', `IP version ${vihl >> 4} where 4 was expected`, off);
  const hlen = (vihl & 0x0f) * 4;
  if (hlen < 20) return issue('ipv4.bad-header-length', `IHL ${hlen} bytes is below the minimum 20`, off);
  let total = u16(b, off + 2);
  if (total === 0) total = end - off;
  if (total < hlen) return issue('ipv4.bad-total-length', `total length ${total} is shorter than the header (${hlen})`, off);
  if (off + hlen > end) return issue('ipv4.truncated', 'IPv4 options are cut off', off);
  if (off + total > end) {
    return issue('ipv4.truncated', `packet claims ${total} bytes but only ${end - off} were captured`, off);
  }
  const frag = u16(b, off + 6);
  h.version = 4;
  h.buf = b;
  h.srcOff = off + 12;
  h.dstOff = off + 16;
  h.protocol = b[off + 9];
  h.payloadStart = off + hlen;
  h.payloadEnd = off + total;
  h.fragOffset = (frag & 0x1fff) * 8;
  h.moreFragments = (frag & 0x2000) !== 0;
  h.fragment = h.moreFragments || h.fragOffset !== 0;
  h.fragId = u16(b, off + 4);
  return null;
}
