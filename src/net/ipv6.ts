/**
 * IPv6 header (RFC 8200 §3) and its extension-header chain (§4): hop-by-hop (0),
 * routing (43), destination options (60), mobility (135) — all "(len+1)·8 bytes" —
 * the fragment header (44, fixed 8 bytes, §4.5) and AH (51, "(len+2)·4 bytes",
 * RFC 4302 §2.2). The walk stops at ESP (50) or No Next Header (59), which leave
 * `protocol` set to them, and at any upper-layer protocol.
 */
import { issue, type Issue } from '../core/issue.js';
import { IpProto, type IpHeader } from './ip.js';
import { u16 } from './bytes.js';

const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const DEST_OPTS = 60;
const MOBILITY = 135;
const MAX_EXT = 16;

export function decodeIpv6(b: Buffer, off: number, end: number, h: IpHeader): Issue | null {
  if (end - off < 40) return issue('ipv6.truncated', `IPv6 header needs 40 bytes, ${end - off} captured`, off);
  if (b[off] >> 4 !== 6) return issue('ipv6.bad-version', `IP version ${b[off] >> 4} where 6 was expected`, off);
  const plen = u16(b, off + 4);
  // Payload length 0 is a jumbogram (RFC 2675) or TSO: take the rest of the frame.
  let pend = plen === 0 ? end : off + 40 + plen;
  if (pend > end) {
    return issue('ipv6.truncated', `packet claims ${plen} payload bytes but only ${end - off - 40} were captured`, off);
  }
  h.version = 6;
  h.buf = b;
  h.srcOff = off + 8;
  h.dstOff = off + 24;
  h.fragment = false;
  h.fragOffset = 0;
  h.moreFragments = false;
  h.fragId = 0;
  h.payloadEnd = pend;
  return walkIpv6Extensions(b, off + 40, pend, b[off + 6], h);
}

/**
 * Follows the extension headers starting at `off` with next-header `nh`, setting
 * `protocol`, `payloadStart` and the fragment fields. Also used on a reassembled
 * payload, where headers after the Fragment header continue (RFC 8200 §4.5).
 */
export function walkIpv6Extensions(b: Buffer, off: number, end: number, nh: number, h: IpHeader): Issue | null {
  for (let n = 0; n < MAX_EXT; n++) {
    switch (nh) {
      case HOP_BY_HOP:
      case ROUTING:
      case DEST_OPTS:
      case MOBILITY: {
        if (end - off < 8) return issue('ipv6.truncated', `extension header ${nh} is truncated`, off);
        const len = (b[off + 1] + 1) * 8;
        if (off + len > end) return issue('ipv6.truncated', `extension header ${nh} runs past the packet`, off);
        nh = b[off];
        off += len;
        continue;
      }
      case IpProto.AH: {
        if (end - off < 8) return issue('ipv6.truncated', 'AH header is truncated', off);
        const len = (b[off + 1] + 2) * 4;
        if (off + len > end) return issue('ipv6.truncated', 'AH header runs past the packet', off);
        nh = b[off];
        off += len;
        continue;
      }
      case FRAGMENT: {
        if (end - off < 8) return issue('ipv6.truncated', 'fragment header is truncated', off);
        const fo = u16(b, off + 2);
        h.fragOffset = fo & 0xfff8;
        h.moreFragments = (fo & 1) !== 0;
        h.fragId = b.readUInt32BE(off + 4);
        // An atomic fragment (offset 0, M=0; RFC 6946) is a whole packet.
        h.fragment = h.moreFragments || h.fragOffset !== 0;
        nh = b[off];
        off += 8;
        if (h.fragment) {
          // Everything after this header belongs to the fragmentable part.
          h.protocol = nh;
          h.payloadStart = off;
          return null;
        }
        continue;
      }
      default:
        h.protocol = nh;
        h.payloadStart = off;
        return null;
    }
  }
  return issue('ipv6.too-many-extensions', `more than ${MAX_EXT} extension headers`, off);
}
