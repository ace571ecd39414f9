/**
 * GRE (RFC 2784 with the key and sequence fields of RFC 2890, routing of
 * RFC 1701) and the enhanced GRE of PPTP (version 1, RFC 2637 §4.1: key holds
 * payload length and call id, optional acknowledgement number). The protocol type
 * says what is inside: IPv4, IPv6, Ethernet (0x6558), PPP (0x880B), or a mirrored
 * frame from a Cisco ERSPAN session — type I/II (0x88BE; type I has no sequence
 * number and no ERSPAN header) or type III (0x22EB) — whose inner packet is
 * Ethernet (draft-foschiano-erspan §4).
 */
import { issue, type Issue } from '../core/issue.js';
import { u16 } from './bytes.js';

export const GreInner = { NONE: 0, IPV4: 4, IPV6: 6, ETHERNET: 1, PPP: 2 } as const;

export interface GreHeader {
  version: number;
  protocol: number;
  /** 0 when not ERSPAN, else the ERSPAN type 1, 2 or 3. */
  erspan: number;
  /** What starts at `payloadStart`: one of GreInner. */
  inner: number;
  payloadStart: number;
}

export function newGreHeader(): GreHeader {
  return { version: 0, protocol: 0, erspan: 0, inner: 0, payloadStart: 0 };
}

const ERSPAN_2 = 0x88be;
const ERSPAN_3 = 0x22eb;

export function decodeGre(b: Buffer, off: number, end: number, h: GreHeader): Issue | null {
  if (end - off < 4) return issue('gre.truncated', 'GRE header needs 4 bytes', off);
  const f = b[off];
  const version = b[off + 1] & 0x07;
  const protocol = u16(b, off + 2);
  const hasCsum = (f & 0x80) !== 0;
  const hasRouting = (f & 0x40) !== 0;
  const hasKey = (f & 0x20) !== 0;
  const hasSeq = (f & 0x10) !== 0;
  const hasAck = version === 1 && (b[off + 1] & 0x80) !== 0;
  if (version > 1) return issue('gre.bad-version', `GRE version ${version} is unknown`, off);
  let p = off + 4;
  if (hasCsum || hasRouting) p += 4; // checksum + offset (RFC 1701 §2.1)
  if (hasKey) p += 4;
  if (hasSeq) p += 4;
  if (hasAck) p += 4;
  if (p > end) return issue('gre.truncated', 'GRE optional fields are cut off', off);
  if (hasRouting) {
    // RFC 1701 §2.1: Source Route Entries until one with address family 0 and length 0.
    for (;;) {
      if (p + 4 > end) return issue('gre.truncated', 'GRE routing entries are cut off', p);
      const len = b[p + 3];
      const af = u16(b, p);
      p += 4 + len;
      if (af === 0 && len === 0) break;
    }
  }
  h.version = version;
  h.protocol = protocol;
  h.erspan = 0;
  h.inner = GreInner.NONE;
  h.payloadStart = p;
  switch (protocol) {
    case 0x0800:
      h.inner = GreInner.IPV4;
      return null;
    case 0x86dd:
      h.inner = GreInner.IPV6;
      return null;
    case 0x6558:
      h.inner = GreInner.ETHERNET;
      return null;
    case 0x880b:
      h.inner = GreInner.PPP;
      return null;
    case ERSPAN_2:
      if (!hasSeq) {
        h.erspan = 1;
        h.inner = GreInner.ETHERNET;
        return null;
      }
      return erspan2(b, p, end, h);
    case ERSPAN_3:
      return erspan3(b, p, end, h);
    default:
      return null;
  }
}

/** ERSPAN type II: 8 bytes (version 1, VLAN, COS, encapsulation, session id, index). */
function erspan2(b: Buffer, p: number, end: number, h: GreHeader): Issue | null {
  if (p + 8 > end) return issue('erspan.truncated', 'ERSPAN type II header needs 8 bytes', p);
  h.erspan = 2;
  h.inner = GreInner.ETHERNET;
  h.payloadStart = p + 8;
  return null;
}

/**
 * ERSPAN type III: 12 bytes, plus an 8-byte platform-specific subheader when the
 * O flag (lowest bit of byte 11) is set. Frame type 0 is Ethernet; 2 is IP.
 */
function erspan3(b: Buffer, p: number, end: number, h: GreHeader): Issue | null {
  if (p + 12 > end) return issue('erspan.truncated', 'ERSPAN type III header needs 12 bytes', p);
  const ft = (b[p + 10] >> 2) & 0x1f;
  const optional = (b[p + 11] & 1) !== 0;
  const start = p + 12 + (optional ? 8 : 0);
  if (start > end) return issue('erspan.truncated', 'ERSPAN type III platform subheader is cut off', p);
  h.erspan = 3;
  h.payloadStart = start;
  if (ft === 0) h.inner = GreInner.ETHERNET;
  else if (ft === 2 && start < end) {
    const v = b[start] >> 4;
    h.inner = v === 4 ? GreInner.IPV4 : v === 6 ? GreInner.IPV6 : GreInner.NONE;
  }
  return null;
}
