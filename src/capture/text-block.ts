/**
 * The printed payload lines of the packet being read from a `tcpdump -A` dump, as bytes:
 * the lines joined by LF (a dump saved with CRLF has its CRs left out), the form the
 * payload recovery in text-payload.ts reads. Most packets lie whole inside one input
 * chunk with nothing left out between their lines, so the block is first a view of the
 * chunk and becomes a copy in a reused buffer only when it cannot be one: a line left
 * out, a CR dropped, a line glued from two chunks, or the chunk about to be given back.
 */

const LF = 10;

export class TextBlock {
  /** Lines added so far. */
  lines = 0;
  private src: Buffer | undefined;
  private start = 0;
  private end = 0;
  private own = Buffer.allocUnsafe(4096);
  private ownLen = 0;
  private owned = false;

  reset(): void {
    this.lines = 0;
    this.src = undefined;
    this.owned = false;
    this.ownLen = 0;
  }

  /** Appends the line buf[s, e) (without its line end). */
  add(buf: Buffer, s: number, e: number): void {
    if (this.lines++ === 0) {
      this.src = buf;
      this.start = s;
      this.end = e;
      return;
    }
    // Contiguous: only the LF that ended the previous line lies between them.
    if (!this.owned && buf === this.src && s === this.end + 1) {
      this.end = e;
      return;
    }
    this.detach();
    this.reserve(e - s + 1);
    this.own[this.ownLen++] = LF;
    this.ownLen += buf.copy(this.own, this.ownLen, s, e);
  }

  /** Stops referring to the caller's chunk (copies the lines so far). */
  detach(): void {
    if (this.owned || this.lines === 0) return;
    const src = this.src!;
    this.owned = true;
    this.src = undefined;
    this.ownLen = 0;
    this.reserve(this.end - this.start);
    this.ownLen = src.copy(this.own, 0, this.start, this.end);
  }

  /** The lines joined by LF: a view, valid until the next add, detach or reset. */
  bytes(): Buffer {
    if (this.lines === 0) return EMPTY;
    return this.owned ? this.own.subarray(0, this.ownLen) : this.src!.subarray(this.start, this.end);
  }

  private reserve(n: number): void {
    if (this.ownLen + n <= this.own.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.own.length * 2, this.ownLen + n));
    this.own.copy(next, 0, 0, this.ownLen);
    this.own = next;
  }
}

const EMPTY = Buffer.alloc(0);
