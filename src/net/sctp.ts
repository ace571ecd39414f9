/**
 * SCTP (RFC 9260 §3): a 12-byte common header, then chunks of type/flags/length,
 * each padded to 4 bytes. SIP over SCTP (RFC 4168) travels in DATA chunks (type 0,
 * §3.3.1: TSN, stream id, stream sequence, PPID, data) and, with RFC 8260 message
 * interleaving, I-DATA chunks (type 64: TSN, stream id, reserved, MID, PPID/FSN).
 * Control chunks (INIT, SACK, HEARTBEAT, …) are skipped. A user message split
 * over several DATA chunks (B/E flags) is not joined here: each chunk is reported.
 */
import { issue, type Issue } from '../core/issue.js';

export interface SctpData {
  /** Offsets of the user data in the buffer. */
  start: number;
  end: number;
  ppid: number;
  streamId: number;
  tsn: number;
  /** Chunk flags: bit 0 E (ending), bit 1 B (beginning), bit 2 U (unordered). */
  flags: number;
}

export interface SctpPacket {
  srcPort: number;
  dstPort: number;
  verificationTag: number;
  data: SctpData[];
  issues: Issue[];
}

const DATA = 0;
const I_DATA = 64;

export function decodeSctp(b: Buffer, off: number, end: number): SctpPacket | Issue {
  if (end - off < 12) return issue('sctp.truncated', `SCTP common header needs 12 bytes, ${end - off} available`, off);
  const pkt: SctpPacket = {
    srcPort: b.readUInt16BE(off),
    dstPort: b.readUInt16BE(off + 2),
    verificationTag: b.readUInt32BE(off + 4),
    data: [],
    issues: [],
  };
  let p = off + 12;
  while (p + 4 <= end) {
    const type = b[p];
    const flags = b[p + 1];
    const len = b.readUInt16BE(p + 2);
    if (len < 4 || p + len > end) {
      pkt.issues.push(issue('sctp.bad-chunk-length', `chunk type ${type} has length ${len} with ${end - p} bytes left`, p));
      break;
    }
    if (type === DATA || type === I_DATA) {
      const hdr = type === DATA ? 16 : 20;
      if (len < hdr) {
        pkt.issues.push(issue('sctp.bad-chunk-length', `DATA chunk length ${len} is below ${hdr}`, p));
      } else {
        pkt.data.push({
          start: p + hdr,
          end: p + len,
          // For I-DATA the PPID shares its slot with the fragment sequence number
          // (RFC 8260 §2.1): it is the PPID only in the first fragment.
          ppid: b.readUInt32BE(p + hdr - 4),
          streamId: b.readUInt16BE(p + 8),
          tsn: b.readUInt32BE(p + 4),
          flags,
        });
      }
    }
    p += (len + 3) & ~3;
  }
  return pkt;
}
