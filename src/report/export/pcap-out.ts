/**
 * Writes original frames as classic pcap: link type, bytes, captured and
 * original lengths and timestamps exactly as read. One link type per file is
 * all pcap can say, so the header waits for the first frame and a frame of
 * another link type is refused (pcapng can hold both).
 * Byte output only: the caller decides where the bytes go.
 */
import type { Frame } from '../../capture/frame.js';

/** Magic numbers of the pcap header (written little-endian): µs and ns resolution. */
const MAGIC_USEC = 0xa1b2c3d4;
const MAGIC_NSEC = 0xa1b23c4d;
export const SNAPLEN = 262144;

export class LinkTypeConflict extends Error {}

export class OriginalPcapWriter {
  private linkType: number | undefined;
  frames = 0;

  /** `nanoseconds`: keep sub-µs time (magic a1b23c4d) instead of µs. */
  constructor(private readonly write: (b: Buffer) => void, private readonly nanoseconds = false) {}

  frame(f: Frame): void {
    if (this.linkType === undefined) {
      this.linkType = f.linkType;
      this.write(this.header(f.linkType));
    } else if (f.linkType !== this.linkType) {
      throw new LinkTypeConflict(`frames of link types ${this.linkType} and ${f.linkType} cannot share one pcap; write .pcapng instead`);
    }
    const h = Buffer.alloc(16);
    h.writeUInt32LE(f.sec >>> 0, 0);
    h.writeUInt32LE(this.nanoseconds ? f.nsec : Math.floor(f.nsec / 1000), 4);
    h.writeUInt32LE(f.data.length, 8);
    h.writeUInt32LE(Math.max(f.origLen, f.data.length), 12);
    this.write(h);
    this.write(f.data);
    this.frames++;
  }

  /** A file with no selected frame is still a valid, empty pcap. */
  end(): void {
    if (this.linkType === undefined) this.write(this.header(1));
  }

  private header(linkType: number): Buffer {
    const h = Buffer.alloc(24);
    h.writeUInt32LE(this.nanoseconds ? MAGIC_NSEC : MAGIC_USEC, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(SNAPLEN, 16);
    h.writeUInt32LE(linkType, 20);
    return h;
  }
}
