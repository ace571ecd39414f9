/**
 * Chunk edges for the record-based push decoders (pcap, pcapng). Nearly every
 * chunk read from a file ends inside a record, which the decoder keeps as
 * `pending`. Joining the whole next chunk to it copied every byte of the file
 * once more; joining only the bytes that finish the record (the format's
 * length field says how many) leaves the rest of the chunk where it lies.
 */

/** The first `n` bytes of `pending` followed by `chunk`, or null when both together are shorter. */
export function leadingBytes(pending: Buffer, chunk: Buffer, n: number): Buffer | null {
  if (pending.length >= n) return pending;
  if (pending.length + chunk.length < n) return null;
  return Buffer.concat([pending, chunk.subarray(0, n - pending.length)]);
}

/**
 * Parses `pending` joined with the first `take` bytes of `chunk` (all of it
 * when `take` is Infinity or more), then returns how many bytes that used and
 * the input to go on with: a view of `chunk` when the pending bytes were all
 * consumed, else the leftover joined to the rest of the chunk.
 */
export function finishPending(pending: Buffer, chunk: Buffer, take: number, parse: (head: Buffer) => number): { used: number; rest: Buffer } {
  const n = Math.min(chunk.length, take);
  const head = Buffer.concat([pending, chunk.subarray(0, n)]);
  const used = parse(head);
  const rest = used >= pending.length ? chunk.subarray(used - pending.length) : Buffer.concat([head.subarray(used), chunk.subarray(n)]);
  return { used, rest };
}
