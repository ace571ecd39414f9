/**
 * Handshake messages (RFC 8446 §4, RFC 5246 §7.4): `type(1) length(3) body`,
 * which may span records or share one. We read what decryption needs: from the
 * ClientHello its random; from the ServerHello its random, the cipher suite, the
 * version (the legacy field, or `supported_versions` for TLS 1.3, §4.2.1), whether
 * Encrypt-then-MAC was agreed (RFC 7366), and whether it is a HelloRetryRequest
 * (§4.1.3: a ServerHello whose random is SHA-256("HelloRetryRequest")).
 * Other messages are only counted by type; their bodies are skipped, not kept.
 */
import { issue, type Issue } from '../core/issue.js';

export const HandshakeType = {
  CLIENT_HELLO: 1, SERVER_HELLO: 2, NEW_SESSION_TICKET: 4, END_OF_EARLY_DATA: 5, ENCRYPTED_EXTENSIONS: 8,
  CERTIFICATE: 11, SERVER_HELLO_DONE: 14, FINISHED: 20, KEY_UPDATE: 24,
} as const;

/** §4.1.3 */
export const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');
const EXT_SUPPORTED_VERSIONS = 0x002b;
const EXT_ENCRYPT_THEN_MAC = 0x0016;
/** Bodies of these are kept whole; everything else is skipped by its length. */
const KEEP = new Set<number>([HandshakeType.CLIENT_HELLO, HandshakeType.SERVER_HELLO, HandshakeType.KEY_UPDATE]);
/** Hellos are at most a few kB; anything claiming more than this is damage. */
const MAX_KEPT_BODY = 1 << 16;

export interface HandshakeMessage {
  type: number;
  /** The body for ClientHello, ServerHello and KeyUpdate; empty for others. */
  body: Buffer;
}

export interface ClientHello {
  random: Buffer;
}

export interface ServerHello {
  random: Buffer;
  /** Negotiated version: 0x0304 for TLS 1.3, else the legacy version (0x0303 = TLS 1.2). */
  version: number;
  cipherSuite: number;
  helloRetry: boolean;
  encryptThenMac: boolean;
}

/** Reassembles the handshake messages of one direction across records. */
export class HandshakeFramer {
  readonly issues: Issue[] = [];
  private buf: Buffer = Buffer.alloc(0);
  /** Bytes of a skipped message body still to come, and that message's type. */
  private skip = 0;
  private skipType = 0;

  push(data: Buffer, emit: (m: HandshakeMessage) => void): void {
    let b = this.buf.length === 0 ? data : Buffer.concat([this.buf, data]);
    for (;;) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, b.length);
        this.skip -= n;
        b = b.subarray(n);
        if (this.skip > 0) break;
        // Emitted once complete: a key change follows the end of a Finished or KeyUpdate (RFC 8446 §5.1).
        emit({ type: this.skipType, body: Buffer.alloc(0) });
      }
      if (b.length < 4) break;
      const type = b[0]!;
      const length = b.readUIntBE(1, 3);
      if (!KEEP.has(type)) {
        b = b.subarray(4);
        if (length === 0) emit({ type, body: Buffer.alloc(0) });
        this.skip = length;
        this.skipType = type;
        continue;
      }
      if (length > MAX_KEPT_BODY) {
        this.issues.push(issue('tls.bad-handshake', `handshake message type ${type} claims ${length} bytes`));
        b = Buffer.alloc(0);
        break;
      }
      if (b.length < 4 + length) break;
      emit({ type, body: Buffer.from(b.subarray(4, 4 + length)) });
      b = b.subarray(4 + length);
    }
    this.buf = Buffer.from(b);
  }

  /** Bytes lost: what was buffered can no longer be framed. */
  reset(): void {
    this.buf = Buffer.alloc(0);
    this.skip = 0;
  }
}

/** §4.1.2: legacy_version(2) random(32) ... — only the random is needed. */
export function parseClientHello(body: Buffer): ClientHello | undefined {
  if (body.length < 34) return undefined;
  return { random: Buffer.from(body.subarray(2, 34)) };
}

/**
 * §4.1.3: legacy_version(2) random(32) session_id<0..32> cipher_suite(2)
 * legacy_compression_method(1) extensions<6..2^16-1>; extensions are optional in TLS 1.2.
 */
export function parseServerHello(body: Buffer): ServerHello | undefined {
  if (body.length < 38) return undefined;
  const random = Buffer.from(body.subarray(2, 34));
  let p = 35 + body[34]!;
  if (p + 3 > body.length) return undefined;
  const hello: ServerHello = {
    random, version: body.readUInt16BE(0), cipherSuite: body.readUInt16BE(p),
    helloRetry: random.equals(HRR_RANDOM), encryptThenMac: false,
  };
  p += 3;
  if (p + 2 > body.length) return hello;
  const end = Math.min(body.length, p + 2 + body.readUInt16BE(p));
  p += 2;
  while (p + 4 <= end) {
    const type = body.readUInt16BE(p);
    const len = body.readUInt16BE(p + 2);
    const data = body.subarray(p + 4, Math.min(end, p + 4 + len));
    if (type === EXT_SUPPORTED_VERSIONS && data.length >= 2) hello.version = data.readUInt16BE(0);
    if (type === EXT_ENCRYPT_THEN_MAC) hello.encryptThenMac = true;
    p += 4 + len;
  }
  return hello;
}

export function versionName(v: number): string {
  switch (v) {
    case 0x0300: return 'SSL 3.0';
    case 0x0301: return 'TLS 1.0';
    case 0x0302: return 'TLS 1.1';
    case 0x0303: return 'TLS 1.2';
    case 0x0304: return 'TLS 1.3';
    default: return `TLS 0x${v.toString(16).padStart(4, '0')}`;
  }
}
