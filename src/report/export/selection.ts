/**
 * Which captured frames belong to a set of calls: per input (its position in
 * FILE...), the frame numbers every kept message came from — all fragments and
 * segments when the extractor recorded them. Export's second pass over the
 * inputs copies exactly these frames.
 */
import type { Call } from '../../calls/call.js';
import type { CapturedMessage } from '../../calls/captured-message.js';

export type FrameSelection = Map<number, Set<number>>;

export function selectFrames(calls: readonly Call[]): FrameSelection {
  const out: FrameSelection = new Map();
  for (const call of calls) {
    for (const m of call.kept ?? []) {
      let set = out.get(m.source);
      if (set === undefined) out.set(m.source, (set = new Set()));
      for (const f of framesOf(m)) set.add(f);
    }
  }
  return out;
}

export function framesOf(m: CapturedMessage): readonly number[] {
  return m.frames ?? [m.frame];
}

/** True when some message time has sub-microsecond digits: the pcap must then be nanosecond. */
export function needsNanoseconds(calls: readonly Call[]): boolean {
  return calls.some((c) => (c.kept ?? []).some((m) => m.nsec % 1000 !== 0));
}
