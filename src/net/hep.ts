/**
 * HEP, the Homer Encapsulation Protocol that capture agents (heplify, Kamailio,
 * OpenSIPS, FreeSWITCH) use to mirror SIP to a collector.
 * HEPv3: "HEP3", total length, then chunks of vendor id, type id, length (the
 * 6-byte chunk header included), value; generic chunks (vendor 0) are 1 IP family,
 * 2 IP protocol, 3/4 IPv4 src/dst, 5/6 IPv6 src/dst, 7/8 ports, 9/10 time (s, µs),
 * 11 protocol type (1 = SIP), 12 capture id, 14 auth key, 15 payload,
 * 16 zlib-compressed payload, 17 correlation id. Integers are network order.
 * HEPv1/v2: a fixed header (version, length, family, protocol, ports in network
 * order), the addresses, and for v2 a time header (seconds, µs, capture id) in the
 * sender's byte order — little-endian in every known agent — then the payload.
 */
import { inflateSync } from 'node:zlib';
import { issue, type Issue } from '../core/issue.js';
import { ipv4String, ipv6String } from './addr.js';

export interface HepPacket {
  version: 1 | 2 | 3;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  /** IP protocol number of the original packet: 17 UDP, 6 TCP, 132 SCTP. */
  ipProto: number;
  sec: number;
  usec: number;
  /** What the payload is: 1 SIP, 5 RTCP, 100 log, … (HEPv1/v2 only carry SIP: 1). */
  protoType: number;
  captureId?: number;
  authKey?: string;
  correlationId?: string;
  payload: Buffer;
  issues: Issue[];
}

export const HEP_PROTO_SIP = 1;
/** Upper bound on an inflated payload; a HEP packet itself is at most 64 KiB. */
export const HEP_MAX_INFLATED = 1 << 20;

const AF_INET = 2;
const AF_INET6 = 10;

/** True when the bytes start like HEPv3 ("HEP3") — a cheap test before decoding. */
export function isHep3(b: Buffer): boolean {
  return b.length >= 6 && b[0] === 0x48 && b[1] === 0x45 && b[2] === 0x50 && b[3] === 0x33;
}

/** Decodes one HEP packet; null when the bytes are not HEP at all. */
export function decodeHep(buf: Buffer): HepPacket | null {
  if (isHep3(buf)) return decodeHep3(buf);
  if (buf.length >= 2 && (buf[0] === 1 || buf[0] === 2)) return decodeHep2(buf);
  return null;
}

function empty(version: 1 | 2 | 3): HepPacket {
  return { version, srcIp: '', dstIp: '', srcPort: 0, dstPort: 0, ipProto: 0, sec: 0, usec: 0, protoType: 0, payload: Buffer.alloc(0), issues: [] };
}

function decodeHep3(b: Buffer): HepPacket {
  const h = empty(3);
  let total = b.readUInt16BE(4);
  if (total > b.length || total < 6) {
    h.issues.push(issue('hep.bad-length', `HEP3 length ${total} does not match the ${b.length} bytes received`, 4));
    total = Math.min(Math.max(total, 6), b.length);
  }
  let p = 6;
  let compressed: Buffer | undefined;
  let havePayload = false;
  while (p + 6 <= total) {
    const vendor = b.readUInt16BE(p);
    const type = b.readUInt16BE(p + 2);
    const len = b.readUInt16BE(p + 4);
    if (len < 6 || p + len > total) {
      h.issues.push(issue('hep.bad-chunk', `chunk type ${type} has length ${len} with ${total - p} bytes left`, p));
      break;
    }
    const v = p + 6;
    const n = len - 6;
    if (vendor === 0) {
      if (!chunk(b, type, v, n, h)) h.issues.push(issue('hep.bad-chunk', `chunk type ${type} has a ${n}-byte value`, p));
      if (type === 15) havePayload = true;
      if (type === 16) compressed = b.subarray(v, v + n);
    }
    p += len;
  }
  if (compressed) {
    try {
      h.payload = inflateSync(compressed, { maxOutputLength: HEP_MAX_INFLATED });
      havePayload = true;
    } catch (e) {
      h.issues.push(issue('hep.bad-compressed-payload', `compressed payload does not inflate: ${(e as Error).message}`));
    }
  }
  if (!havePayload && !compressed) h.issues.push(issue('hep.no-payload', 'HEP3 packet carries no payload chunk'));
  if (!h.srcIp || !h.dstIp) h.issues.push(issue('hep.no-address', 'HEP3 packet lacks a source or destination address'));
  return h;
}

/** Applies one generic chunk; false when its value has the wrong size. */
function chunk(b: Buffer, type: number, v: number, n: number, h: HepPacket): boolean {
  switch (type) {
    case 1:
    case 2:
    case 11:
      if (n < 1) return false;
      if (type === 2) h.ipProto = b[v];
      else if (type === 11) h.protoType = b[v];
      return true;
    case 3:
    case 4:
      if (n < 4) return false;
      if (type === 3) h.srcIp = ipv4String(b, v);
      else h.dstIp = ipv4String(b, v);
      return true;
    case 5:
    case 6:
      if (n < 16) return false;
      if (type === 5) h.srcIp = ipv6String(b, v);
      else h.dstIp = ipv6String(b, v);
      return true;
    case 7:
    case 8:
      if (n < 2) return false;
      if (type === 7) h.srcPort = b.readUInt16BE(v);
      else h.dstPort = b.readUInt16BE(v);
      return true;
    case 9:
    case 10:
    case 12:
      if (n < 4) return false;
      if (type === 9) h.sec = b.readUInt32BE(v);
      else if (type === 10) h.usec = b.readUInt32BE(v);
      else h.captureId = b.readUInt32BE(v);
      return true;
    case 14:
      h.authKey = stripNul(b, v, n);
      return true;
    case 15:
      h.payload = b.subarray(v, v + n);
      return true;
    case 17:
      h.correlationId = stripNul(b, v, n);
      return true;
    default:
      return true;
  }
}

function stripNul(b: Buffer, v: number, n: number): string {
  let e = v + n;
  while (e > v && b[e - 1] === 0) e--;
  return b.toString('utf8', v, e);
}

/** HEPv1/v2: 8-byte header, addresses, (v2) 10-byte time header, payload. */
function decodeHep2(b: Buffer): HepPacket | null {
  const version = b[0] as 1 | 2;
  if (b.length < 8) return null;
  const family = b[2];
  if (family !== AF_INET && family !== AF_INET6) return null;
  const alen = family === AF_INET ? 4 : 16;
  const timeLen = version === 2 ? 10 : 0;
  const start = 8 + 2 * alen + timeLen;
  // hp_l is the size of the fixed header plus addresses; agents agree on that.
  if (b[1] !== 8 + 2 * alen && b[1] !== start) return null;
  if (b.length < start) return null;
  const h = empty(version);
  h.ipProto = b[3];
  h.srcPort = b.readUInt16BE(4);
  h.dstPort = b.readUInt16BE(6);
  h.srcIp = family === AF_INET ? ipv4String(b, 8) : ipv6String(b, 8);
  h.dstIp = family === AF_INET ? ipv4String(b, 8 + alen) : ipv6String(b, 8 + alen);
  h.protoType = HEP_PROTO_SIP;
  if (version === 2) {
    const t = 8 + 2 * alen;
    h.sec = b.readUInt32LE(t);
    h.usec = b.readUInt32LE(t + 4);
    h.captureId = b.readUInt16LE(t + 8);
  }
  h.payload = b.subarray(start);
  return h;
}
