/**
 * TCP header (RFC 9293 §3.1): ports, sequence and acknowledgement numbers, the
 * SYN/FIN/RST flags reassembly needs, and the payload after the data offset
 * (options skipped). Ordering the segments is `tcp-stream.ts`'s job.
 */
import { issue, type Issue } from '../core/issue.js';
import type { TcpInfo } from './packet.js';
import { u16, u32 } from './bytes.js';

export interface TcpHeader {
  srcPort: number;
  dstPort: number;
  payloadStart: number;
  payloadEnd: number;
}

export function newTcpHeader(): TcpHeader {
  return { srcPort: 0, dstPort: 0, payloadStart: 0, payloadEnd: 0 };
}

/** Decodes the header into `h`; returns the TcpInfo the payload record carries, or an issue. */
export function decodeTcp(b: Buffer, off: number, end: number, h: TcpHeader): TcpInfo | Issue {
  if (end - off < 20) return issue('tcp.truncated', `TCP header needs 20 bytes, ${end - off} available`, off);
  const hlen = (b[off + 12] >> 4) * 4;
  if (hlen < 20) return issue('tcp.bad-header-length', `data offset ${hlen} bytes is below 20`, off);
  if (off + hlen > end) return issue('tcp.truncated', `TCP options (${hlen} bytes of header) are cut off`, off);
  const flags = b[off + 13];
  h.srcPort = u16(b, off);
  h.dstPort = u16(b, off + 2);
  h.payloadStart = off + hlen;
  h.payloadEnd = end;
  return {
    seq: u32(b, off + 4),
    ack: u32(b, off + 8),
    syn: (flags & 0x02) !== 0,
    fin: (flags & 0x01) !== 0,
    rst: (flags & 0x04) !== 0,
  };
}

export function isIssue(x: TcpInfo | Issue): x is Issue {
  return (x as Issue).code !== undefined;
}
