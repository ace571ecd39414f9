/**
 * TLS 1.3 record protection (RFC 8446 §5.2–§5.3, §7.1–§7.3). The key log gives
 * the traffic secrets; from each we derive the write key and IV with
 * HKDF-Expand-Label, and a KeyUpdate moves a direction to the next secret.
 * A record's nonce is the IV xor its sequence number; the additional data is the
 * record header; the plaintext ends with the real content type and zero padding.
 */
import { createHmac } from 'node:crypto';
import { aeadOpen, xorNonce } from './aead.js';
import { hashLength, type CipherSuite } from './suites.js';

/** RFC 5869 §2.3 HKDF-Expand; Node's `hkdfSync` always extracts first, so it is written out. */
export function hkdfExpand(hash: string, prk: Buffer, info: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  let t = Buffer.alloc(0);
  let have = 0;
  for (let i = 1; have < length; i++) {
    t = createHmac(hash, prk).update(t).update(info).update(Buffer.of(i)).digest();
    out.push(t);
    have += t.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

/** §7.1: HkdfLabel = length(2) "tls13 " + label <7..255> context <0..255>. */
export function hkdfExpandLabel(hash: string, secret: Buffer, label: string, context: Buffer, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([Buffer.of(length >> 8, length & 0xff, full.length), full, Buffer.of(context.length), context]);
  return hkdfExpand(hash, secret, info, length);
}

export interface Tls13Keys {
  suite: CipherSuite;
  secret: Buffer;
  key: Buffer;
  iv: Buffer;
}

/** §7.3: [sender]_write_key and [sender]_write_iv from a traffic secret. */
export function trafficKeys(suite: CipherSuite, secret: Buffer): Tls13Keys {
  return {
    suite, secret,
    key: hkdfExpandLabel(suite.hash, secret, 'key', Buffer.alloc(0), suite.keyLen),
    iv: hkdfExpandLabel(suite.hash, secret, 'iv', Buffer.alloc(0), 12),
  };
}

/** §7.2: application_traffic_secret_N+1 after a KeyUpdate. */
export function nextTrafficSecret(suite: CipherSuite, secret: Buffer): Buffer {
  return hkdfExpandLabel(suite.hash, secret, 'traffic upd', Buffer.alloc(0), hashLength(suite.hash));
}

export interface InnerPlaintext {
  /** The real content type (§5.2 TLSInnerPlaintext.type). */
  type: number;
  content: Buffer;
}

/** Opens one protected record; undefined when it does not authenticate or has no content type. */
export function openRecord13(keys: Tls13Keys, seq: number, header: Buffer, fragment: Buffer): InnerPlaintext | undefined {
  const plain = aeadOpen(keys.suite, keys.key, xorNonce(keys.iv, seq), header, fragment);
  if (plain === undefined) return undefined;
  // §5.4: strip the zero padding; the last non-zero byte is the content type.
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end--;
  if (end < 0) return undefined;
  return { type: plain[end]!, content: plain.subarray(0, end) };
}
