/** Test-only: runs a decoder over bytes cut into pieces and collects frames (data copied). */
import type { CaptureDecoder, Frame } from '../../src/capture/frame.js';

export function decodeAll(d: CaptureDecoder, bytes: Buffer, cuts: number[] = []): Frame[] {
  const out: Frame[] = [];
  const sink = (f: Frame) => out.push({ ...f, data: Buffer.from(f.data) });
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    d.push(bytes.subarray(prev, c), sink);
    prev = c;
  }
  d.end(sink);
  return out;
}
