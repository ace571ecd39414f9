/**
 * Test-only: pulls the transport payload out of a frame (Ethernet/VLAN, Linux SLL, NULL,
 * RAW; IPv4/IPv6; UDP/TCP) so text-dump payloads can be compared with the pcap they were
 * printed from. Deliberately tiny — the real link/IP decoders live in src/net/.
 */
import type { Frame } from '../../src/capture/frame.js';

export interface Payload {
  proto: 'udp' | 'tcp';
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  payload: Buffer;
  /** IPv4 fragment (either part): payload is not the whole datagram. */
  fragment: boolean;
}

export function payloadOf(f: Frame): Payload | undefined {
  let d = f.data;
  let type = -1;
  if (f.linkType === 1) {
    type = d.readUInt16BE(12);
    d = d.subarray(14);
    while (type === 0x8100 && d.length >= 4) {
      type = d.readUInt16BE(2);
      d = d.subarray(4);
    }
  } else if (f.linkType === 113) {
    type = d.readUInt16BE(14);
    d = d.subarray(16);
  } else if (f.linkType === 0) {
    d = d.subarray(4);
    type = d[0] >> 4 === 6 ? 0x86dd : 0x0800;
  } else if (f.linkType === 101) {
    type = d[0] >> 4 === 6 ? 0x86dd : 0x0800;
  }
  let proto: number;
  let src: string;
  let dst: string;
  let fragment = false;
  if (type === 0x0800 && d.length >= 20) {
    const ihl = (d[0] & 15) * 4;
    proto = d[9];
    src = [...d.subarray(12, 16)].join('.');
    dst = [...d.subarray(16, 20)].join('.');
    const fragField = d.readUInt16BE(6);
    fragment = (fragField & 0x3fff) !== 0;
    if ((fragField & 0x1fff) !== 0) return undefined;
    d = d.subarray(ihl, Math.min(d.length, d.readUInt16BE(2)));
  } else if (type === 0x86dd && d.length >= 40) {
    proto = d[6];
    src = d.subarray(8, 24).toString('hex');
    dst = d.subarray(24, 40).toString('hex');
    d = d.subarray(40, 40 + d.readUInt16BE(4));
  } else return undefined;
  if (proto === 17 && d.length >= 8) {
    return { proto: 'udp', src, dst, srcPort: d.readUInt16BE(0), dstPort: d.readUInt16BE(2), payload: d.subarray(8), fragment };
  }
  if (proto === 6 && d.length >= 20) {
    const off = (d[12] >> 4) * 4;
    return { proto: 'tcp', src, dst, srcPort: d.readUInt16BE(0), dstPort: d.readUInt16BE(2), payload: d.subarray(off), fragment };
  }
  return undefined;
}
