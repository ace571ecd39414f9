/**
 * A minimal pcap/pcapng record walker for the network-layer tests, so they do not
 * depend on the capture readers being written in parallel. It reads whole files,
 * handles both byte orders, µs/ns pcap, and pcapng EPB/SPB/OPB with per-interface
 * link types; it assumes well-formed files and is not the product's reader.
 */
import { readFileSync } from 'node:fs';
import type { Frame } from '../../src/capture/frame.js';

export function readFrames(path: string): Frame[] {
  const b = readFileSync(path);
  const magic = b.readUInt32BE(0);
  return magic === 0x0a0d0d0a ? pcapng(b) : pcap(b);
}

function pcap(b: Buffer): Frame[] {
  const m = b.readUInt32LE(0);
  const le = m === 0xa1b2c3d4 || m === 0xa1b23c4d;
  const ns = m === 0xa1b23c4d || m === 0x4d3cb2a1;
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const linkType = u32(20) & 0x0fffffff;
  const frames: Frame[] = [];
  for (let o = 24; o + 16 <= b.length; ) {
    const incl = u32(o + 8);
    if (o + 16 + incl > b.length) break;
    frames.push({
      index: frames.length + 1,
      sec: u32(o),
      nsec: ns ? u32(o + 4) : u32(o + 4) * 1000,
      linkType,
      data: b.subarray(o + 16, o + 16 + incl),
      origLen: u32(o + 12),
      interfaceId: 0,
    });
    o += 16 + incl;
  }
  return frames;
}

function pcapng(b: Buffer): Frame[] {
  let le = true;
  const links: number[] = [];
  const frames: Frame[] = [];
  for (let o = 0; o + 12 <= b.length; ) {
    const type = le ? b.readUInt32LE(o) : b.readUInt32BE(o);
    if (type === 0x0a0d0d0a) le = b.readUInt32LE(o + 8) === 0x1a2b3c4d;
    const u32 = (x: number) => (le ? b.readUInt32LE(x) : b.readUInt32BE(x));
    const u16 = (x: number) => (le ? b.readUInt16LE(x) : b.readUInt16BE(x));
    const len = u32(o + 4);
    if (len < 12 || o + len > b.length) break;
    if (type === 0x0a0d0d0a) links.length = 0;
    else if (type === 1) links.push(u16(o + 8));
    else if (type === 6 || type === 2) {
      // EPB (6) and the obsolete Packet Block (2) share this layout (2 has 16-bit ids).
      const iface = type === 6 ? u32(o + 8) : u16(o + 8);
      const ts = u32(o + 12) * 2 ** 32 + u32(o + 16);
      const incl = u32(o + 20);
      frames.push(frame(frames.length + 1, links[iface] ?? 1, ts, b.subarray(o + 28, o + 28 + incl), u32(o + 24), iface));
    } else if (type === 3) {
      const orig = u32(o + 8);
      frames.push(frame(frames.length + 1, links[0] ?? 1, 0, b.subarray(o + 12, o + 12 + Math.min(orig, len - 16)), orig, 0));
    }
    o += len;
  }
  return frames;
}

/** Assumes the default µs timestamp resolution, which every test capture uses. */
function frame(index: number, linkType: number, tsUs: number, data: Buffer, origLen: number, interfaceId: number): Frame {
  return { index, sec: Math.floor(tsUs / 1e6), nsec: (tsUs % 1e6) * 1000, linkType, data, origLen, interfaceId };
}
