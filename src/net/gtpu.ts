/**
 * GTPv1-U (3GPP TS 29.281 §5): the user-plane tunnel of mobile networks, on UDP
 * port 2152. An 8-byte header (version 1, PT=1, flags E/S/PN, message type,
 * length of what follows the first 8 bytes, TEID); when any of E/S/PN is set, 4
 * more bytes (sequence, N-PDU number, next extension type), then extension headers
 * (length in 4-byte units, last byte = next type, 0 ends the chain). Only message
 * type 255 (G-PDU) carries a user packet — an IPv4 or IPv6 datagram.
 */
import { issue, type Issue } from '../core/issue.js';

export const GTPU_PORT = 2152;
const G_PDU = 0xff;

/**
 * Returns the offset of the inner IP packet, -1 when this is a GTP-U message
 * without a user packet (echo, error indication, end marker), or an issue when the
 * bytes are not a well-formed GTPv1-U header.
 */
export function decodeGtpu(b: Buffer, off: number, end: number): number | Issue {
  if (end - off < 8) return issue('gtpu.truncated', 'GTP-U header needs 8 bytes', off);
  const flags = b[off];
  if (flags >> 5 !== 1 || (flags & 0x10) === 0) {
    return issue('gtpu.bad-version', `GTP flags 0x${flags.toString(16)} are not GTPv1 (PT=1)`, off);
  }
  const type = b[off + 1];
  const len = b.readUInt16BE(off + 2);
  const stop = Math.min(end, off + 8 + len);
  let p = off + 8;
  if (flags & 0x07) {
    if (p + 4 > stop) return issue('gtpu.truncated', 'GTP-U optional fields are cut off', off);
    let next = b[p + 3];
    p += 4;
    for (let n = 0; next !== 0; n++) {
      if (n > 16 || p + 4 > stop) return issue('gtpu.truncated', 'GTP-U extension headers are cut off', p);
      const elen = b[p] * 4;
      if (elen === 0 || p + elen > stop) return issue('gtpu.bad-extension', `GTP-U extension length ${elen}`, p);
      next = b[p + elen - 1];
      p += elen;
    }
  }
  if (type !== G_PDU) return -1;
  return p;
}
