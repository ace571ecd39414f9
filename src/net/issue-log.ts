/**
 * A bounded issue list shared by the network-layer components. A damaged capture
 * can produce one issue per packet; keeping every one would let hostile input grow
 * memory without bound (STYLE.md principle 7), so the first `max` issues are kept
 * verbatim and the rest are only counted per code — nothing is silently dropped.
 */
import type { Issue } from '../core/issue.js';

export class IssueLog {
  readonly list: Issue[] = [];
  /** Occurrences per issue code, including those not kept in `list`. */
  readonly counts = new Map<string, number>();
  /** Issues counted but not kept because `list` was full. */
  dropped = 0;

  constructor(readonly max = 1000) {}

  add(i: Issue): void {
    this.counts.set(i.code, (this.counts.get(i.code) ?? 0) + 1);
    if (this.list.length < this.max) this.list.push(i);
    else this.dropped++;
  }

  /**
   * Adds an issue whose detail names the frame it came from and, when known, the
   * byte inside it. That byte is not kept as the issue's `offset`: an input's
   * issues are shown as `FILE:offset N`, a position in the file, which a
   * position inside one packet is not.
   */
  addAt(frame: number, code: string, detail: string, offset?: number): void {
    this.add({ code, detail: offset === undefined ? `frame ${frame}: ${detail}` : `frame ${frame}, byte ${offset}: ${detail}` });
  }
}
