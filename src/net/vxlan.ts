/**
 * VXLAN (RFC 7348 §5): an 8-byte header on UDP port 4789 — flags with the I bit
 * (0x08) meaning the VNI is valid, 24 reserved bits, a 24-bit VNI, 8 reserved
 * bits — followed by an inner Ethernet frame.
 */
export const VXLAN_PORT = 4789;

/** Offset of the inner Ethernet frame, or -1 when the bytes are not VXLAN. */
export function decodeVxlan(b: Buffer, off: number, end: number): number {
  if (end - off < 8 + 14) return -1;
  if ((b[off] & 0x08) === 0) return -1;
  return off + 8;
}
