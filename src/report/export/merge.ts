/**
 * The selected frames of several inputs, in time order: a streaming k-way merge.
 * Each input is read by its own reader; the frames it selects wait in a small
 * queue (copied, since readers hand out views), and the reader is held while its
 * queue is over QUEUE_BYTES, so memory stays flat however large the inputs. The
 * earliest head of all queues is emitted next; equal times keep input order.
 * One input is copied in its own order (a capture not sorted by time stays so).
 */
import type { Frame } from '../../capture/frame.js';
import { readCapture, type ReadResult } from '../../capture/source.js';

export interface MergeInput {
  /** Position of the input in FILE... (messages' `source`). */
  source: number;
  file: string;
  /** Frame numbers to copy (1-based, as the reader numbers them). */
  frames: ReadonlySet<number>;
}

/** Bytes of selected frames a reader may get ahead of the merge before it is held. */
const QUEUE_BYTES = 4 << 20;

export interface MergeResult {
  /** Each input's read result, in `inputs` order. */
  reads: ReadResult[];
  /** Most bytes of frames any one input had queued at once (the memory the merge held). */
  peakQueuedBytes: number;
  /** How often a reader was held because its backlog was full. */
  holds: number;
}

class Abort extends Error {}

class Lane {
  private queue: Frame[] = [];
  private head = 0;
  bytes = 0;
  peak = 0;
  holds = 0;
  done = false;
  result: ReadResult | undefined;
  aborted = false;
  /** Resolves the merge's wait for a frame or the end. */
  private wakeMerge: (() => void) | undefined;
  /** Resolves (or rejects, on abort) the reader's wait for room. */
  private release: { resolve: () => void; reject: (e: Error) => void } | undefined;

  constructor(readonly input: MergeInput, private readonly limit: number) {}

  get empty(): boolean {
    return this.head === this.queue.length;
  }

  peek(): Frame {
    return this.queue[this.head]!;
  }

  push(f: Frame): void {
    this.queue.push({ ...f, data: Buffer.from(f.data) });
    this.bytes += f.data.length;
    if (this.bytes > this.peak) this.peak = this.bytes;
    this.wake();
  }

  shift(): Frame {
    const f = this.queue[this.head++]!;
    this.bytes -= f.data.length;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.release !== undefined && this.bytes <= this.limit / 2) {
      const r = this.release;
      this.release = undefined;
      r.resolve();
    }
    return f;
  }

  finish(result: ReadResult): void {
    this.result = result;
    this.done = true;
    this.wake();
  }

  /** The reader's pace: held while the queue is full. */
  pace(): Promise<void> | undefined {
    if (this.aborted) return Promise.reject(new Abort('export stopped'));
    if (this.bytes <= this.limit) return undefined;
    this.holds++;
    return new Promise((resolve, reject) => { this.release = { resolve, reject }; });
  }

  /** Waits until the queue holds a frame or the reader is done. */
  async ready(): Promise<void> {
    while (this.empty && !this.done) await new Promise<void>((resolve) => { this.wakeMerge = resolve; });
  }

  abort(): void {
    this.aborted = true;
    const r = this.release;
    this.release = undefined;
    r?.reject(new Abort('export stopped'));
  }

  private wake(): void {
    const w = this.wakeMerge;
    this.wakeMerge = undefined;
    w?.();
  }
}

/**
 * Calls `emit` for every selected frame of `inputs`, merged by time; a throw from
 * `emit` stops every reader. `queueBytes`: how far one reader may run ahead.
 */
export async function mergeSelectedFrames(inputs: readonly MergeInput[], emit: (f: Frame, input: MergeInput) => void, queueBytes = QUEUE_BYTES): Promise<MergeResult> {
  if (inputs.length === 1) {
    const only = inputs[0]!;
    return { reads: [await readCapture(only.file, (f) => { if (only.frames.has(f.index)) emit(f, only); })], peakQueuedBytes: 0, holds: 0 };
  }
  const lanes = inputs.map((input) => new Lane(input, queueBytes));
  const reading = lanes.map((lane) =>
    readCapture(lane.input.file, (f) => { if (lane.input.frames.has(f.index)) lane.push(f); }, { pace: () => lane.pace() })
      .then((r) => { lane.finish(r); return r; }));
  try {
    for (;;) {
      for (const lane of lanes) await lane.ready();
      let best: Lane | undefined;
      for (const lane of lanes) {
        if (lane.empty) continue;
        if (best === undefined || earlier(lane.peek(), best.peek())) best = lane;
      }
      if (best === undefined) break;
      emit(best.shift(), best.input);
    }
  } catch (e) {
    for (const lane of lanes) lane.abort();
    await Promise.allSettled(reading);
    throw e;
  }
  return { reads: await Promise.all(reading), peakQueuedBytes: Math.max(...lanes.map((l) => l.peak)), holds: lanes.reduce((n, l) => n + l.holds, 0) };
}

function earlier(a: Frame, b: Frame): boolean {
  return a.sec < b.sec || (a.sec === b.sec && a.nsec < b.nsec);
}
