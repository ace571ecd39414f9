/**
 * A capture arriving as a stream (a tcpdump/dumpcap child's stdout, a socket):
 * detects the format from the first bytes and feeds each chunk to the matching
 * push decoder *as it arrives*. `readCapture` waits for a 4 KiB head before it
 * decides, which is right for files but would hold a live capture's first
 * packets back; here a binary magic (4 bytes) is enough to start.
 */
import type { Readable } from 'node:stream';
import { issue, type Issue } from '../core/issue.js';
import { createDecoder, detectFormat, DETECT_BYTES } from './detect.js';
import type { CaptureDecoder, FrameSink } from './frame.js';

export interface StreamDecoderOptions {
  /** A live capture tool's output: release each pcap record once whole (see PcapOptions.live). */
  live?: boolean;
}

export class StreamCaptureDecoder {
  private head: Buffer[] = [];
  private headBytes = 0;
  private decoder: CaptureDecoder | undefined;
  private failed: Issue | undefined;
  bytes = 0;
  frames = 0;

  constructor(private readonly options: StreamDecoderOptions = {}) {}

  get format(): string {
    return this.decoder?.format ?? 'unknown';
  }

  get issues(): Issue[] {
    return this.decoder?.issues ?? [];
  }

  get fatal(): Issue | undefined {
    return this.failed ?? this.decoder?.fatal;
  }

  push(chunk: Buffer, emit: FrameSink): void {
    this.bytes += chunk.length;
    if (this.failed) return;
    if (this.decoder) {
      this.decoder.push(chunk, this.counted(emit));
      return;
    }
    this.head.push(chunk);
    this.headBytes += chunk.length;
    this.tryStart(emit, false);
  }

  end(emit: FrameSink): void {
    if (!this.decoder && !this.failed && this.headBytes > 0) this.tryStart(emit, true);
    this.decoder?.end(this.counted(emit));
  }

  private tryStart(emit: FrameSink, final: boolean): void {
    const head = Buffer.concat(this.head);
    const kind = detectFormat(head);
    if (kind === 'unknown' && !final && head.length < DETECT_BYTES) return;
    const decoder = createDecoder(kind, this.options.live ? { pcap: { live: true } } : {});
    if (!decoder) {
      this.failed = kind === 'gzip'
        ? issue('capture.unknown-format', 'a gzip-compressed live stream is not supported')
        : issue('capture.unknown-format', 'the stream is not a pcap, pcapng or tcpdump text capture');
      return;
    }
    this.decoder = decoder;
    this.head = [];
    decoder.push(head, this.counted(emit));
  }

  private counted(emit: FrameSink): FrameSink {
    return (f) => {
      this.frames++;
      emit(f);
    };
  }
}

/** Reads a whole stream through a StreamCaptureDecoder; resolves when the stream ends. */
export async function readCaptureStream(stream: Readable, onFrame: FrameSink, onChunk?: (chunk: Buffer) => void): Promise<StreamCaptureDecoder> {
  const decoder = new StreamCaptureDecoder();
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    onChunk?.(chunk);
    decoder.push(chunk, onFrame);
  }
  decoder.end(onFrame);
  return decoder;
}
