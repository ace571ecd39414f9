/**
 * WebSocket framing (RFC 6455 §5) for SIP over WebSocket (RFC 7118), as a push
 * parser over one reassembled TCP direction. The HTTP Upgrade exchange (§4) is
 * skipped up to its blank line; then frames are decoded: FIN/opcode, the mask bit
 * and 4-byte masking key (§5.3, clients mask), 7-bit, 16-bit or 64-bit lengths
 * (§5.2), messages fragmented over continuation frames (§5.4), and control frames
 * (close, ping, pong: §5.5) skipped. Each complete text or binary message is
 * emitted. Limits are options, as in the `ws` receiver: a message over
 * `maxPayload` is dropped with a `ws.max-payload` issue, its bytes skipped.
 * Frames compressed with permessage-deflate (RSV1, RFC 7692) are reported, not
 * inflated: their deflate context spans the connection.
 */
import { issue, type Issue } from '../core/issue.js';

export interface WebSocketOptions {
  maxPayload: number;
  /** Bytes of HTTP Upgrade headers accepted before giving up on the handshake. */
  maxHandshake: number;
}

export const DEFAULT_WEBSOCKET: WebSocketOptions = { maxPayload: 1 << 20, maxHandshake: 16384 };

export type WsEmit = (payload: Buffer, binary: boolean) => void;

const CONTINUATION = 0;
const TEXT = 1;
const BINARY = 2;

/** True when a TCP direction starts with an HTTP request or response (a WebSocket handshake candidate). */
export function startsWithHttp(b: Buffer): boolean {
  return b.length >= 5 && (b.toString('latin1', 0, 4) === 'GET ' || b.toString('latin1', 0, 5) === 'HTTP/');
}

export class WebSocketParser {
  readonly opts: WebSocketOptions;
  readonly issues: Issue[] = [];
  readonly stats = { frames: 0, messages: 0, controlFrames: 0, dropped: 0 };
  private buf: Buffer = Buffer.alloc(0);
  private handshake = true;
  /** Bytes of an oversized frame still to skip. */
  private skip = 0;
  private parts: Buffer[] = [];
  private partBytes = 0;
  private binary = false;
  private inMessage = false;
  private dropping = false;
  /** Messages dropped for exceeding `maxPayload`. */
  tooLarge = 0;
  /** Stream offset of `buf[0]`, for issue offsets. */
  private pos = 0;

  constructor(opts: Partial<WebSocketOptions> = {}) {
    this.opts = { ...DEFAULT_WEBSOCKET, ...opts };
  }

  push(data: Buffer, emit: WsEmit): void {
    if (this.skip > 0) {
      const n = Math.min(this.skip, data.length);
      this.skip -= n;
      this.pos += n;
      data = data.subarray(n);
      if (data.length === 0) return;
    }
    this.buf = this.buf.length === 0 ? data : Buffer.concat([this.buf, data]);
    if (this.handshake && !this.skipHandshake()) {
      this.buf = Buffer.from(this.buf);
      return;
    }
    let off = 0;
    while (off < this.buf.length) {
      const n = this.frame(off, emit);
      if (n === 0) break;
      off += n;
      if (this.skip > 0) {
        const k = Math.min(this.skip, this.buf.length - off);
        this.skip -= k;
        off += k;
      }
    }
    this.pos += off;
    // Copy the leftover: `data` may be a view into a frame buffer that gets reused.
    this.buf = off >= this.buf.length ? Buffer.alloc(0) : Buffer.from(this.buf.subarray(off));
  }

  /** Reports a partial frame or message left at the end of the stream. */
  end(): void {
    if (this.buf.length > 0 || this.inMessage || this.skip > 0) {
      this.issues.push(issue('ws.truncated', 'the stream ended inside a WebSocket frame or message', this.pos));
    }
    this.reset();
  }

  /** Forgets partial state, e.g. after a TCP gap: frame boundaries are then unknown. */
  reset(): void {
    this.buf = Buffer.alloc(0);
    this.skip = 0;
    this.parts = [];
    this.partBytes = 0;
    this.inMessage = false;
    this.dropping = false;
  }

  /** Drops the HTTP Upgrade request or response; false while it is incomplete. */
  private skipHandshake(): boolean {
    if (this.buf.length < 5) {
      const head = this.buf.toString('latin1');
      if ('GET '.startsWith(head) || 'HTTP/'.startsWith(head)) return false; // wait for more
    }
    if (!startsWithHttp(this.buf)) {
      this.handshake = false;
      return true;
    }
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0) {
      if (this.buf.length > this.opts.maxHandshake) {
        this.issues.push(issue('ws.bad-handshake', `no end of the HTTP Upgrade headers in ${this.buf.length} bytes`, this.pos));
        this.handshake = false;
        this.buf = Buffer.alloc(0);
      }
      return false;
    }
    this.handshake = false;
    this.pos += end + 4;
    this.buf = this.buf.subarray(end + 4);
    return true;
  }

  /** Decodes one frame at `off`; returns the bytes consumed, 0 when it is incomplete. */
  private frame(off: number, emit: WsEmit): number {
    const b = this.buf;
    const avail = b.length - off;
    if (avail < 2) return 0;
    const fin = (b[off] & 0x80) !== 0;
    const rsv1 = (b[off] & 0x40) !== 0;
    const opcode = b[off] & 0x0f;
    const masked = (b[off + 1] & 0x80) !== 0;
    let len = b[off + 1] & 0x7f;
    let h = 2;
    if (len === 126) {
      if (avail < 4) return 0;
      len = b.readUInt16BE(off + 2);
      h = 4;
    } else if (len === 127) {
      if (avail < 10) return 0;
      len = b.readUInt32BE(off + 2) * 2 ** 32 + b.readUInt32BE(off + 6);
      h = 10;
    }
    const maskAt = off + h;
    if (masked) h += 4;
    if (avail < h) return 0;
    this.stats.frames++;
    if (opcode >= 8) {
      // Control frames may sit between the fragments of a message (§5.4).
      this.stats.controlFrames++;
      return this.consume(h, len);
    }
    if (opcode === CONTINUATION ? !this.inMessage : opcode !== TEXT && opcode !== BINARY) {
      this.issues.push(issue('ws.bad-opcode', `unexpected opcode ${opcode}`, this.pos + off));
      return this.consume(h, len);
    }
    const starts = opcode !== CONTINUATION;
    const oversized = (starts ? 0 : this.partBytes) + len > this.opts.maxPayload;
    // Wait for a frame we will keep to be complete before changing any state.
    if (!oversized && !(starts ? rsv1 : this.dropping) && avail < h + len) return 0;
    if (starts) {
      if (this.inMessage) this.issues.push(issue('ws.bad-fragment', 'a new message began before the previous one ended', this.pos + off));
      this.parts = [];
      this.partBytes = 0;
      this.inMessage = true;
      this.binary = opcode === BINARY;
      this.dropping = rsv1;
      if (rsv1) this.issues.push(issue('ws.compressed', 'permessage-deflate frames are not decoded', this.pos + off));
    }
    if (oversized && !this.dropping) {
      this.issues.push(issue('ws.max-payload', `message exceeds ${this.opts.maxPayload} bytes; dropped`, this.pos + off));
      this.tooLarge++;
      this.dropping = true;
      this.parts = [];
    }
    if (this.dropping) {
      if (fin) this.endMessage(true);
      return this.consume(h, len);
    }
    const payload = Buffer.from(b.subarray(off + h, off + h + len));
    if (masked) for (let i = 0; i < len; i++) payload[i] ^= b[maskAt + (i & 3)];
    this.parts.push(payload);
    this.partBytes += len;
    if (fin) {
      const msg = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.partBytes);
      this.endMessage(false);
      this.stats.messages++;
      emit(msg, this.binary);
    }
    return h + len;
  }

  /** Consumes a header and skips its payload, also across later pushes. */
  private consume(h: number, len: number): number {
    this.skip = len;
    return h;
  }

  private endMessage(dropped: boolean): void {
    if (dropped) this.stats.dropped++;
    this.parts = [];
    this.partBytes = 0;
    this.inMessage = false;
    this.dropping = false;
  }
}
