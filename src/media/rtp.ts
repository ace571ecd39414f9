/**
 * RTP fixed header (RFC 3550 §5.1), checked strictly enough that a SIP, STUN
 * or DNS datagram is never taken for RTP: version 2, room for the CSRC list
 * and the header extension (§5.3.1), padding (§5.1 P bit) that fits, and not
 * an RTCP packet type (RFC 5761 §4: second byte 192–223 is RTCP when RTP and
 * RTCP share a port). Pure: bytes in, header out.
 */

export interface RtpHeader {
  payloadType: number;
  marker: boolean;
  seq: number;
  timestamp: number;
  ssrc: number;
  /** Bytes of payload after header, CSRCs, extension and padding. */
  payloadBytes: number;
}

export function parseRtp(b: Buffer): RtpHeader | undefined {
  if (b.length < 12) return undefined;
  const b0 = b[0]!, b1 = b[1]!;
  if (b0 >> 6 !== 2) return undefined;
  if (b1 >= 192 && b1 <= 223) return undefined; // RTCP SR/RR/SDES/BYE/APP… (RFC 5761 §4)
  let at = 12 + (b0 & 0x0f) * 4;
  if (b0 & 0x10) {
    if (b.length < at + 4) return undefined;
    at += 4 + b.readUInt16BE(at + 2) * 4;
  }
  let end = b.length;
  if (b0 & 0x20) end -= b[b.length - 1]!;
  if (at > end || (b0 & 0x20 && b[b.length - 1] === 0)) return undefined;
  return {
    payloadType: b1 & 0x7f,
    marker: (b1 & 0x80) !== 0,
    seq: b.readUInt16BE(2),
    timestamp: b.readUInt32BE(4),
    ssrc: b.readUInt32BE(8),
    payloadBytes: end - at,
  };
}

/** RFC 3551 tables 4 and 5: clock rates of the static payload types. */
const STATIC_CLOCK: Record<number, number> = {
  0: 8000, 3: 8000, 4: 8000, 5: 8000, 6: 16000, 7: 8000, 8: 8000, 9: 8000, 10: 44100, 11: 44100,
  12: 8000, 13: 8000, 14: 90000, 15: 8000, 16: 11025, 17: 22050, 18: 8000, 25: 90000, 26: 90000,
  28: 90000, 31: 90000, 32: 90000, 33: 90000, 34: 90000,
};

export function staticClockRate(pt: number): number | undefined {
  return STATIC_CLOCK[pt];
}
