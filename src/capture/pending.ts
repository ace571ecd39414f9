/**
 * Chunk edges for the record-based push decoders (pcap, pcapng). Nearly every
 * chunk read from a file ends inside a record, which the decoder keeps as
 * `pending`. Joining the whole next chunk to it copied every byte of the file
 * once more; joining only the bytes that finish the record (the format's
 * length field says how many) leaves the rest of the chunk where it lies.
 */
import type { Issue } from '../core/issue.js';
import type { FrameSink } from './frame.js';

/** The first `n` bytes of `pending` followed by `chunk`, or null when both together are shorter. */
export function leadingBytes(pending: Buffer, chunk: Buffer, n: number): Buffer | null {
  if (pending.length >= n) return pending;
  if (pending.length + chunk.length < n) return null;
  return Buffer.concat([pending, chunk.subarray(0, n - pending.length)]);
}

export abstract class ChunkedRecordDecoder {
  fatal: Issue | undefined;
  /** The unfinished record at the end of the input so far. */
  protected pending: Buffer | undefined;
  /** Absolute input offset of `pending[0]` (or of the next chunk when nothing is pending). */
  protected base = 0;

  /** Emits the whole records at the start of `buf`; returns how many bytes they took. */
  protected abstract parse(buf: Buffer, emit: FrameSink, atEnd: boolean): number;

  /** Bytes of `chunk` that let `parse` finish the record begun in `pending`; Infinity (all of it) when that cannot be told yet. */
  protected abstract bytesToFinish(pending: Buffer, chunk: Buffer): number;

  push(chunk: Buffer, emit: FrameSink): void {
    if (this.fatal) return;
    let buf = chunk;
    const pending = this.pending;
    if (pending !== undefined) {
      const take = Math.min(chunk.length, this.bytesToFinish(pending, chunk));
      const head = Buffer.concat([pending, chunk.subarray(0, take)]);
      const used = this.parse(head, emit, false);
      this.base += used;
      this.pending = undefined;
      if (this.fatal) return;
      // Whatever of the head was not used is either the chunk's own bytes (a view of them) or starts in `pending`.
      buf = used >= pending.length ? chunk.subarray(used - pending.length) : Buffer.concat([head.subarray(used), chunk.subarray(take)]);
    }
    const used = this.parse(buf, emit, false);
    this.pending = used < buf.length ? Buffer.from(buf.subarray(used)) : undefined;
    this.base += used;
  }
}
