/**
 * SIP over a byte stream (TCP, TLS or WebSocket payloads after unwrapping).
 *
 * RFC 3261 §18.3: on a stream, Content-Length is mandatory and frames the
 * body; §7.5: CRLFs before a start line are ignored; RFC 5626 §4.4.1: a
 * CRLFCRLF ping and CRLF pong keep NAT bindings open. Like Wireshark's
 * dissect_sip_tcp this is a loop of not-SIP (skip to the next line that is a
 * start line, reported as junk) / need-more (wait) / consumed-N (emit a
 * message), so one chunk may hold several messages and one message may span
 * many chunks. A missing or unreadable Content-Length is guessed from the next
 * start line and reported. Buffered bytes are bounded by `maxMessageBytes`;
 * leftovers are kept by offset (no repeated concatenation) and copied out of
 * the caller's chunk, and every emitted `raw` is a standalone copy.
 *
 * Stream-level issues travel with the next emitted message; `end()` emits a
 * zero-length `raw` when issues remain but no message does. Issue offsets are
 * counts of bytes pushed so far (lost bytes are not counted).
 */
import { issue, type Issue } from '../core/issue.js';
import { startLineState, type StartLineState } from './detect.js';

export interface FramerOptions {
  /** Largest message buffered whole; larger ones are cut and reported. */
  maxMessageBytes?: number;
}
export const DEFAULT_MAX_MESSAGE_BYTES = 262144;
export type EmitMessage = (raw: Buffer, issues: Issue[]) => void;

const LF = 0x0a, CR = 0x0d;
const EMPTY = Buffer.alloc(0);

export class SipStreamFramer {
  private readonly max: number;
  private buf: Buffer = EMPTY;
  private off = 0;
  private len = 0;
  private own = false;      // buf is ours (may be written to / kept)
  private base = 0;         // stream offset of buf[0]
  private total = 0;        // bytes pushed so far
  private scanned = 0;      // bytes after `off` already searched for the header end
  private discard = 0;      // body bytes of an oversized message still to skip
  private junk = 0;         // bytes skipped in the current run of non-SIP bytes
  private junkAt = 0;
  private gapped = false;   // gap() since the last push: flush the old bytes first
  private afterGap = false;
  private midLine = false;  // off is inside a junk line: no start line before its LF
  private pending: Issue[] = [];
  /** Messages cut at `maxMessageBytes`, and the body bytes skipped for them (when Content-Length said). */
  readonly tooLarge = { messages: 0, skippedBytes: 0 };

  constructor(opts: FramerOptions = {}) {
    this.max = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  /** Feed the next bytes of the stream; complete messages are passed to `emit`. */
  push(bytes: Buffer, emit: EmitMessage): void {
    if (this.gapped) this.flush(emit, 'sip.stream-gap');
    this.append(bytes);
    this.drain(emit, false);
    // Never keep a reference into the caller's chunk: it may be reused.
    if (!this.own && this.off < this.len) {
      const copy = Buffer.from(this.buf.subarray(this.off, this.len));
      this.base += this.off;
      this.buf = copy; this.off = 0; this.len = copy.length; this.own = true;
    }
  }

  /** Bytes held for a message not complete yet (the extractor tracks which segments they came from). */
  get buffered(): number {
    return this.len - this.off;
  }

  /** Bytes were lost (capture drop, missing TCP segment): cut the current message and resync. */
  gap(): void {
    this.gapped = true;
  }

  /** The stream ended: emit what is left, reporting an incomplete message. */
  end(emit: EmitMessage): void {
    this.flush(emit, this.gapped ? 'sip.stream-gap' : 'sip.stream-truncated');
    this.reportJunk();
    if (this.pending.length > 0) emit(EMPTY, this.takePending());
  }

  private flush(emit: EmitMessage, code: string): void {
    this.drain(emit, true, code);
    this.buf = EMPTY; this.off = 0; this.len = 0; this.own = false;
    this.base = this.total; this.scanned = 0; this.discard = 0; this.midLine = false;
    if (this.gapped) { this.gapped = false; this.afterGap = true; }
  }

  private append(chunk: Buffer): void {
    const start = this.total;
    this.total += chunk.length;
    if (this.off >= this.len) {
      this.buf = chunk; this.off = 0; this.len = chunk.length; this.own = false; this.base = start;
      return;
    }
    const rest = this.len - this.off;
    if (this.own && this.buf.length - this.len >= chunk.length) {
      chunk.copy(this.buf, this.len);
    } else if (this.own && this.buf.length >= rest + chunk.length) {
      this.buf.copyWithin(0, this.off, this.len);
      this.base += this.off; this.off = 0; this.len = rest;
      chunk.copy(this.buf, this.len);
    } else {
      // Grow geometrically so a long message over many chunks costs linear copying.
      const next = Buffer.allocUnsafe(Math.max(2 * (rest + chunk.length), 4096));
      this.buf.copy(next, 0, this.off, this.len);
      chunk.copy(next, rest);
      this.base += this.off; this.buf = next; this.off = 0; this.len = rest; this.own = true;
    }
    this.len += chunk.length;
  }

  /** The framing loop. `final`: no more bytes will come, so nothing may wait. */
  private drain(emit: EmitMessage, final: boolean, endCode = 'sip.stream-truncated'): void {
    const buf = this.buf;
    for (;;) {
      if (this.discard > 0) {
        const n = Math.min(this.discard, this.len - this.off);
        this.off += n; this.discard -= n;
        if (this.discard > 0) return;
      }
      if (this.off >= this.len) return;
      if (this.midLine) {
        const lf = buf.indexOf(LF, this.off);
        const to = lf < 0 || lf >= this.len ? this.len : lf + 1;
        this.junkFrom(this.off, to);
        this.off = to;
        if (to === this.len && buf[to - 1] !== LF) return;
        this.midLine = false;
      }
      while (this.off < this.len && (buf[this.off] === CR || buf[this.off] === LF)) this.off++;
      if (this.off >= this.len) return;
      const state = startLineState(buf, this.off, this.len);
      if (state === null) { if (!this.skipJunk(final)) return; continue; }
      const avail = this.len - this.off;
      if (state === 'incomplete') {
        if (final || avail > this.max) { this.junkFrom(this.off); this.off = this.len; this.midLine = !final; }
        return;
      }
      this.reportJunk();
      const headEnd = this.findHeadEnd();
      if (headEnd < 0) {
        if (avail > this.max) {
          this.tooLarge.messages++;
          this.cut(emit, this.off + this.max, 'sip.message-too-large', `no end of headers within ${this.max} bytes`);
          this.midLine = true;
        }
        else if (final) this.cut(emit, this.len, endCode, 'stream ended inside the headers');
        else return;
        continue;
      }
      const cl = contentLength(buf, this.off, headEnd);
      if (cl >= 0) {
        const end = headEnd + cl;
        if (end - this.off > this.max) {
          this.tooLarge.messages++;
          this.tooLarge.skippedBytes += cl;
          this.cut(emit, headEnd, 'sip.message-too-large', `Content-Length ${cl} exceeds the ${this.max}-byte limit; body skipped`);
          this.discard = cl;
        } else if (end <= this.len) {
          this.cut(emit, end);
        } else if (final) {
          this.cut(emit, this.len, endCode, `stream ended ${end - this.len} bytes before the end of the body`);
        } else {
          return;
        }
        continue;
      }
      // No usable Content-Length: the body runs to the next start line (§18.3 says it must not).
      const next = this.findStart(headEnd, true);
      const why = cl === -1 ? 'no Content-Length on a stream' : 'unreadable Content-Length on a stream';
      if (next !== null && next.state !== 'incomplete') {
        this.cut(emit, onlyLineEnds(buf, headEnd, next.pos) ? headEnd : next.pos, 'sip.stream-no-content-length', `${why}; body taken up to the next start line`);
      } else if (final || avail > this.max) {
        this.cut(emit, final ? this.len : this.off + this.max, 'sip.stream-no-content-length', `${why}; body taken to the end of the buffered bytes`);
        this.midLine = !final;
      } else {
        return;
      }
    }
  }

  /** Emit buf[off, end) as a standalone copy and move past it. */
  private cut(emit: EmitMessage, end: number, code?: string, detail?: string): void {
    const issues = this.takePending();
    if (code !== undefined) issues.push(issue(code, detail ?? code, this.base + this.off));
    emit(Buffer.from(this.buf.subarray(this.off, end)), issues);
    this.off = end;
    this.scanned = 0;
  }

  /** Not SIP at `off`: skip to the next line that starts a message. False = wait for more. */
  private skipJunk(final: boolean): boolean {
    const next = this.findStart(this.off, false);
    const to = next === null || final ? this.len : next.pos;
    if (next !== null && next.state !== 'incomplete') {
      this.junkFrom(this.off, next.pos);
      this.off = next.pos;
      return true;
    }
    this.junkFrom(this.off, to);
    this.off = to;
    this.midLine = next === null && !final;
    return false;
  }

  private junkFrom(from: number, to = this.len): void {
    if (this.junk === 0) this.junkAt = this.base + from;
    this.junk += to - from;
  }

  private reportJunk(): void {
    if (this.junk === 0) return;
    const why = this.afterGap ? ' after lost bytes' : '';
    this.pending.push(issue('sip.stream-junk', `${this.junk} bytes that are not SIP skipped${why}`, this.junkAt));
    this.junk = 0;
    this.afterGap = false;
  }

  private takePending(): Issue[] {
    const p = this.pending;
    this.pending = [];
    return p;
  }

  /** First line start at or after `from` (`from` itself only if `self`) that is or may become a start line. */
  private findStart(from: number, self: boolean): { pos: number; state: StartLineState } | null {
    let c = from;
    if (!self) {
      const lf = this.buf.indexOf(LF, from);
      if (lf < 0 || lf >= this.len) return null;
      c = lf + 1;
    }
    for (;;) {
      if (c >= this.len) return { pos: c, state: 'incomplete' };
      const state = startLineState(this.buf, c, this.len);
      if (state !== null) return { pos: c, state };
      const lf = this.buf.indexOf(LF, c);
      if (lf < 0 || lf >= this.len) return null;
      c = lf + 1;
    }
  }

  /** Offset just past the empty line ending the headers, or -1; resumes where it stopped. */
  private findHeadEnd(): number {
    const buf = this.buf;
    let p = this.off + this.scanned;
    for (;;) {
      const lf = buf.indexOf(LF, p);
      if (lf < 0 || lf >= this.len) { this.scanned = this.len - this.off; return -1; }
      if (lf + 1 >= this.len) { this.scanned = lf - this.off; return -1; }
      if (buf[lf + 1] === LF) return lf + 2;
      if (buf[lf + 1] === CR) {
        if (lf + 2 >= this.len) { this.scanned = lf - this.off; return -1; }
        if (buf[lf + 2] === LF) return lf + 3;
      }
      p = lf + 1;
    }
  }
}

/** True when buf[from, to) holds only CR/LF (keep-alives, not a body). */
function onlyLineEnds(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i] !== CR && buf[i] !== LF) return false;
  return true;
}

/**
 * Content-Length (or compact `l`) in the head buf[start, end): the first one's
 * value, -1 when absent, -2 when not a number.
 */
export function contentLength(buf: Buffer, start: number, end: number): number {
  let p = buf.indexOf(LF, start) + 1;
  while (p > 0 && p < end) {
    const c = buf[p]! | 0x20;
    let i = -1;
    if (c === 0x6c) i = p + 1; // l
    else if (c === 0x63 && end - p > 14 && buf.toString('latin1', p, p + 14).toLowerCase() === 'content-length') i = p + 14;
    if (i > 0) {
      while (buf[i] === 0x20 || buf[i] === 0x09) i++;
      if (buf[i] === 0x3a) {
        i++;
        while (buf[i] === 0x20 || buf[i] === 0x09) i++;
        let n = 0, digits = 0;
        while (i < end && buf[i]! >= 0x30 && buf[i]! <= 0x39 && digits < 10) { n = n * 10 + buf[i]! - 0x30; i++; digits++; }
        while (buf[i] === 0x20 || buf[i] === 0x09) i++;
        return digits > 0 && (buf[i] === CR || buf[i] === LF) ? n : -2;
      }
    }
    p = buf.indexOf(LF, p) + 1;
  }
  return -1;
}
