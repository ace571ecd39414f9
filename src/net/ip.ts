/**
 * The record both IP decoders fill. Addresses stay in the packet bytes (`buf` plus
 * offsets) and become text only when a payload is emitted, so packets that are
 * skipped never pay for string formatting.
 */
import { ipv4String, ipv6String } from './addr.js';

export const IpProto = {
  ICMP: 1,
  IPIP: 4,
  TCP: 6,
  UDP: 17,
  IPV6: 41,
  GRE: 47,
  ESP: 50,
  AH: 51,
  ICMPV6: 58,
  SCTP: 132,
} as const;

export interface IpHeader {
  version: 4 | 6;
  /** Buffer holding the addresses (the frame, also after reassembly). */
  buf: Buffer;
  srcOff: number;
  dstOff: number;
  /** Upper-layer protocol after any IPv6 extension headers. */
  protocol: number;
  /** Where the upper-layer bytes are: [payloadStart, payloadEnd) of `buf`. */
  payloadStart: number;
  payloadEnd: number;
  /** True when this packet is a fragment (IPv4 MF/offset or an IPv6 Fragment header). */
  fragment: boolean;
  /** Fragment offset in bytes, More Fragments flag, identification. */
  fragOffset: number;
  moreFragments: boolean;
  fragId: number;
}

export function newIpHeader(): IpHeader {
  return {
    version: 4,
    buf: Buffer.alloc(0),
    srcOff: 0,
    dstOff: 0,
    protocol: 0,
    payloadStart: 0,
    payloadEnd: 0,
    fragment: false,
    fragOffset: 0,
    moreFragments: false,
    fragId: 0,
  };
}

export function srcIpText(h: IpHeader): string {
  return h.version === 4 ? ipv4String(h.buf, h.srcOff) : ipv6String(h.buf, h.srcOff);
}

export function dstIpText(h: IpHeader): string {
  return h.version === 4 ? ipv4String(h.buf, h.dstOff) : ipv6String(h.buf, h.dstOff);
}
