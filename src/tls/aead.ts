/**
 * AEAD open (decrypt and authenticate) over `node:crypto`, for the GCM,
 * ChaCha20-Poly1305 and CCM suites of both TLS 1.2 and 1.3. The tag is the last
 * 16 bytes (8 for CCM_8). A wrong key, nonce or damaged byte gives `undefined`:
 * authentication failure is an answer here, not an exception.
 */
import { createDecipheriv, type CipherCCMTypes, type CipherChaCha20Poly1305Types, type CipherGCMTypes } from 'node:crypto';
import type { CipherSuite } from './suites.js';

export function tagLength(suite: CipherSuite): number {
  return suite.kind === 'ccm8' ? 8 : 16;
}

/** Per-record nonce for TLS 1.3 and TLS 1.2 ChaCha20 (RFC 8446 §5.3): the IV xor the 64-bit sequence number, left-padded. */
export function xorNonce(iv: Buffer, seq: number): Buffer {
  const nonce = Buffer.from(iv);
  const hi = Math.floor(seq / 0x100000000);
  const lo = seq >>> 0;
  const n = nonce.length;
  nonce.writeUInt32BE((nonce.readUInt32BE(n - 8) ^ hi) >>> 0, n - 8);
  nonce.writeUInt32BE((nonce.readUInt32BE(n - 4) ^ lo) >>> 0, n - 4);
  return nonce;
}

export function aeadOpen(suite: CipherSuite, key: Buffer, nonce: Buffer, aad: Buffer, sealed: Buffer): Buffer | undefined {
  const tagLen = tagLength(suite);
  if (sealed.length < tagLen) return undefined;
  const ciphertext = sealed.subarray(0, sealed.length - tagLen);
  const tag = sealed.subarray(sealed.length - tagLen);
  try {
    if (suite.kind === 'ccm' || suite.kind === 'ccm8') {
      const d = createDecipheriv(suite.cipher as CipherCCMTypes, key, nonce, { authTagLength: tagLen });
      d.setAuthTag(tag);
      d.setAAD(aad, { plaintextLength: ciphertext.length });
      const out = d.update(ciphertext);
      d.final();
      return out;
    }
    const d = suite.kind === 'gcm'
      ? createDecipheriv(suite.cipher as CipherGCMTypes, key, nonce, { authTagLength: tagLen })
      : createDecipheriv(suite.cipher as CipherChaCha20Poly1305Types, key, nonce, { authTagLength: tagLen });
    d.setAuthTag(tag);
    d.setAAD(aad);
    const out = d.update(ciphertext);
    d.final();
    return out;
  } catch {
    // Authentication failed (or the key/nonce had the wrong size): the record is not ours to read.
    return undefined;
  }
}
