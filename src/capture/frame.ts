/**
 * The unit every capture reader produces: one captured link-layer frame.
 * Readers are push parsers (STYLE.md principle 2): `push(chunk, emit)` as bytes
 * arrive, `end(emit)` when the input is done; they never read files themselves.
 */
import type { Issue } from '../core/issue.js';

/** LINKTYPE_* values from the tcpdump.org registry that we decode. */
export const LinkType = {
  NULL: 0, // BSD loopback: 4-byte address family in host byte order
  ETHERNET: 1,
  RAW: 101, // raw IPv4 or IPv6, version nibble decides
  LOOP: 108, // OpenBSD loopback: address family in network byte order
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export interface Frame {
  /** 1-based position of the frame in its source, as Wireshark numbers it. */
  index: number;
  sec: number;
  nsec: number;
  linkType: number;
  /** The captured bytes (may be shorter than `origLen` when the snaplen cut it). */
  data: Buffer;
  origLen: number;
  /** pcapng interface id; 0 for pcap and text dumps. */
  interfaceId: number;
}

export type FrameSink = (frame: Frame) => void;

export interface CaptureDecoder {
  /** `pcap`, `pcapng` or `text` — for messages and `--json` metadata. */
  readonly format: string;
  push(chunk: Buffer, emit: FrameSink): void;
  /** Flushes what is buffered; a partial record at the end becomes an issue. */
  end(emit: FrameSink): void;
  /** Everything that was wrong so far, with byte offsets in the (decompressed) input. */
  readonly issues: Issue[];
  /** Set when the decoder had to stop: nothing after this point can be read. */
  readonly fatal: Issue | undefined;
}
