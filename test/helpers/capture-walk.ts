/**
 * Independent walkers over well-formed little-endian pcap and pcapng files,
 * for tests that need to know where each packet ends (to say which messages
 * lie wholly before a point of damage) without trusting the reader under test.
 */

/** Byte offset where each record ends in a little-endian pcap. */
export function pcapRecordEnds(bytes: Buffer): number[] {
  const ends: number[] = [];
  for (let off = 24; off + 16 <= bytes.length;) {
    const end = off + 16 + bytes.readUInt32LE(off + 8);
    if (end > bytes.length) break;
    ends.push(end);
    off = end;
  }
  return ends;
}

/** Byte offset where each packet block (EPB, SPB, OPB) ends in a little-endian pcapng. */
export function pcapngPacketEnds(bytes: Buffer): number[] {
  const ends: number[] = [];
  for (let off = 0; off + 12 <= bytes.length;) {
    const type = bytes.readUInt32LE(off);
    const len = bytes.readUInt32LE(off + 4);
    if (len < 12) break;
    const end = off + len;
    if (type === 6 || type === 3 || type === 2) ends.push(end);
    off = end;
  }
  return ends;
}

/** Packet end offsets for either format, or undefined for anything else (big-endian, text). */
export function packetEnds(bytes: Buffer): number[] | undefined {
  const magic = bytes.length >= 4 ? bytes.readUInt32LE(0) : 0;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) return pcapRecordEnds(bytes);
  if (magic === 0x0a0d0d0a && bytes.length >= 12 && bytes.readUInt32LE(8) === 0x1a2b3c4d) return pcapngPacketEnds(bytes);
  return undefined;
}
