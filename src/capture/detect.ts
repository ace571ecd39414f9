/**
 * Capture format detection from the first bytes, never from the file name (SPEC.md, Inputs):
 * people rename `.pcapng` to `.pcap`, pipe through stdin, or save tcpdump text as `.cap`.
 * Binary formats have magic numbers; a tcpdump text dump is recognised by a packet line
 * (`HH:MM:SS.frac `, `YYYY-MM-DD HH:MM:SS.frac ` or epoch `SECS.frac `) near the start.
 */
import type { CaptureDecoder } from './frame.js';
import { PcapDecoder, type PcapOptions } from './pcap.js';
import { PcapngDecoder, type PcapngOptions } from './pcapng.js';
import { TextDumpDecoder, type TextOptions } from './text.js';

export type CaptureKind = 'pcap' | 'pcapng' | 'gzip' | 'text' | 'unknown';

/** Bytes of the head worth looking at; detection works with fewer (down to 4 for binary). */
export const DETECT_BYTES = 4096;

const PCAP_MAGICS = new Set([0xa1b2c3d4, 0xa1b23c4d]);
const TEXT_PACKET_LINE = /^(?:\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d\.\d{6,9} |^\d{9,10}\.\d{6,9} /m;

export function detectFormat(head: Buffer): CaptureKind {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length < 4) return 'unknown';
  if (PCAP_MAGICS.has(head.readUInt32LE(0)) || PCAP_MAGICS.has(head.readUInt32BE(0))) return 'pcap';
  if (head.readUInt32LE(0) === 0x0a0d0d0a) return 'pcapng';
  return looksLikeText(head) ? 'text' : 'unknown';
}

function looksLikeText(head: Buffer): boolean {
  const sample = head.subarray(0, DETECT_BYTES);
  // tcpdump -A turns every non-printable byte into '.', so a dump holds no NUL bytes.
  if (sample.includes(0)) return false;
  return TEXT_PACKET_LINE.test(sample.toString('latin1'));
}

export interface DecoderOptions {
  pcap?: PcapOptions;
  pcapng?: PcapngOptions;
  text?: TextOptions;
}

/** A fresh decoder for a detected kind; undefined for `gzip` (unwrap first) and `unknown`. */
export function createDecoder(kind: CaptureKind, opts: DecoderOptions = {}): CaptureDecoder | undefined {
  switch (kind) {
    case 'pcap':
      return new PcapDecoder(opts.pcap);
    case 'pcapng':
      return new PcapngDecoder(opts.pcapng);
    case 'text':
      return new TextDumpDecoder(opts.text);
    default:
      return undefined;
  }
}
