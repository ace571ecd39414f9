/**
 * PPP framing as it appears inside PPPoE sessions (RFC 2516 §4) and GRE/PPTP
 * (RFC 2637 §4.1): optional HDLC address/control bytes 0xFF 0x03 and a protocol
 * field that may be compressed to one byte (RFC 1661 §6.5: odd first byte).
 * Only the protocol numbers for IPv4 (0x0021) and IPv6 (0x0057) lead further.
 * Two tiny functions instead of a record keep this allocation-free per packet.
 */
export const PppProtocol = { IPV4: 0x0021, IPV6: 0x0057 } as const;

/** Length of the PPP header at `off`, or -1 when it does not fit before `end`. */
export function pppHeaderLength(b: Buffer, off: number, end: number): number {
  let n = 0;
  if (off + 2 <= end && b[off] === 0xff && b[off + 1] === 0x03) n = 2;
  if (off + n >= end) return -1;
  if (b[off + n] & 1) return n + 1;
  return off + n + 2 <= end ? n + 2 : -1;
}

/** The IP version a PPP frame carries (4, 6) or 0; call after `pppHeaderLength` succeeded. */
export function pppIpVersion(b: Buffer, off: number): 0 | 4 | 6 {
  if (b[off] === 0xff && b[off + 1] === 0x03) off += 2;
  const proto = b[off] & 1 ? b[off] : (b[off] << 8) | b[off + 1];
  if (proto === PppProtocol.IPV4) return 4;
  if (proto === PppProtocol.IPV6) return 6;
  return 0;
}
