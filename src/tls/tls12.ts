/**
 * TLS 1.2 (and 1.0/1.1 CBC stragglers) record protection from the master secret
 * the key log gives as `CLIENT_RANDOM`: the PRF (RFC 5246 §5; RFC 2246 §5 for
 * 1.0/1.1), the key block (§6.3), and opening a record for AEAD suites
 * (RFC 5288 GCM with its explicit nonce, RFC 6655 CCM, RFC 7905 ChaCha20-Poly1305)
 * and CBC suites, MAC-then-encrypt (§6.2.3.2) or Encrypt-then-MAC (RFC 7366).
 */
import { createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { aeadOpen, tagLength, xorNonce } from './aead.js';
import { macLength, type CipherSuite } from './suites.js';

/** RFC 5246 §5: P_hash(secret, seed). */
function pHash(hash: string, secret: Buffer, seed: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  let a = seed;
  let have = 0;
  while (have < length) {
    a = createHmac(hash, secret).update(a).digest();
    const block = createHmac(hash, secret).update(a).update(seed).digest();
    out.push(block);
    have += block.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

/** PRF(secret, label, seed): P_SHA256 or P_SHA384 for TLS 1.2; P_MD5 xor P_SHA1 over the secret's halves before (RFC 2246 §5). */
export function prf(version: number, hash: string, secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  const labelSeed = Buffer.concat([Buffer.from(label, 'latin1'), seed]);
  if (version >= 0x0303) return pHash(hash, secret, labelSeed, length);
  const half = Math.ceil(secret.length / 2);
  const md5 = pHash('md5', secret.subarray(0, half), labelSeed, length);
  const sha1 = pHash('sha1', secret.subarray(secret.length - half), labelSeed, length);
  for (let i = 0; i < length; i++) md5[i]! ^= sha1[i]!;
  return md5;
}

export interface Tls12WriteState {
  suite: CipherSuite;
  version: number;
  macKey: Buffer;
  key: Buffer;
  /** Fixed IV (AEAD) or, for TLS 1.0 CBC, the chained IV: the last ciphertext block of the previous record. */
  iv: Buffer;
  encryptThenMac: boolean;
}

/** §6.3: client/server MAC keys, then keys, then IVs, from PRF(master, "key expansion", server_random + client_random). */
export function keyBlock(suite: CipherSuite, version: number, master: Buffer, clientRandom: Buffer, serverRandom: Buffer, encryptThenMac: boolean):
  { client: Tls12WriteState; server: Tls12WriteState } {
  const macLen = suite.kind === 'cbc' ? macLength(suite.mac) : 0;
  const ivLen = suite.ivLen;
  const block = prf(version, suite.hash, master, 'key expansion', Buffer.concat([serverRandom, clientRandom]), 2 * (macLen + suite.keyLen + ivLen));
  let p = 0;
  const take = (n: number): Buffer => Buffer.from(block.subarray(p, (p += n)));
  const cMac = take(macLen), sMac = take(macLen), cKey = take(suite.keyLen), sKey = take(suite.keyLen), cIv = take(ivLen), sIv = take(ivLen);
  const etm = encryptThenMac && suite.kind === 'cbc';
  return {
    client: { suite, version, macKey: cMac, key: cKey, iv: cIv, encryptThenMac: etm },
    server: { suite, version, macKey: sMac, key: sKey, iv: sIv, encryptThenMac: etm },
  };
}

/** seq_num(8) + type(1) + version(2) + length(2): the AEAD additional data and the MAC's prefix. */
function pseudoHeader(seq: number, type: number, version: number, length: number): Buffer {
  const b = Buffer.alloc(13);
  b.writeUInt32BE(Math.floor(seq / 0x100000000), 0);
  b.writeUInt32BE(seq >>> 0, 4);
  b[8] = type;
  b.writeUInt16BE(version, 9);
  b.writeUInt16BE(length, 11);
  return b;
}

/** Opens one protected record; undefined when it does not authenticate. */
export function openRecord12(s: Tls12WriteState, seq: number, type: number, version: number, fragment: Buffer): Buffer | undefined {
  const suite = s.suite;
  const tagLen = tagLength(suite);
  switch (suite.kind) {
    case 'gcm':
    case 'ccm':
    case 'ccm8': {
      // RFC 5288 §3: nonce = salt(4) + explicit nonce(8) carried at the front of the record.
      if (fragment.length < 8 + tagLen) return undefined;
      const nonce = Buffer.concat([s.iv, fragment.subarray(0, 8)]);
      const aad = pseudoHeader(seq, type, version, fragment.length - 8 - tagLen);
      return aeadOpen(suite, s.key, nonce, aad, fragment.subarray(8));
    }
    case 'chacha':
      // RFC 7905 §2: no explicit nonce; the fixed IV xor the sequence number, as in TLS 1.3.
      if (fragment.length < tagLen) return undefined;
      return aeadOpen(suite, s.key, xorNonce(s.iv, seq), pseudoHeader(seq, type, version, fragment.length - tagLen), fragment);
    case 'cbc': {
      const iv = s.iv;
      const plain = s.encryptThenMac ? openEtm(s, seq, type, version, fragment) : openMte(s, seq, type, version, fragment);
      // TLS 1.0 chains the IV only through records that were really the sender's.
      if (plain === undefined) s.iv = iv;
      return plain;
    }
  }
}

/** Decrypts CBC without padding removal; TLS 1.1+ records start with an explicit IV (§6.2.3.2), 1.0 chains. */
function cbcDecrypt(s: Tls12WriteState, body: Buffer): Buffer | undefined {
  const block = s.suite.ivLen;
  const explicit = s.version >= 0x0302;
  const iv = explicit ? body.subarray(0, block) : s.iv;
  const ciphertext = explicit ? body.subarray(block) : body;
  if (ciphertext.length === 0 || ciphertext.length % block !== 0) return undefined;
  const d = createDecipheriv(s.suite.cipher, s.key, iv);
  d.setAutoPadding(false);
  const plain = Buffer.concat([d.update(ciphertext), d.final()]);
  if (!explicit) s.iv = Buffer.from(ciphertext.subarray(ciphertext.length - block));
  return plain;
}

/** The length of the TLS padding at the end of `plain` (bytes + length byte), or -1 when malformed. */
function paddingLength(plain: Buffer, macLen: number): number {
  const pad = plain[plain.length - 1]!;
  if (pad + 1 + macLen > plain.length) return -1;
  for (let i = plain.length - 1 - pad; i < plain.length - 1; i++) if (plain[i] !== pad) return -1;
  return pad + 1;
}

function macOk(s: Tls12WriteState, header: Buffer, data: Buffer, mac: Buffer): boolean {
  const want = createHmac(s.suite.mac!, s.macKey).update(header).update(data).digest();
  return want.length === mac.length && timingSafeEqual(want, mac);
}

/** §6.2.3.2: MAC over the plaintext, then padding, then CBC. */
function openMte(s: Tls12WriteState, seq: number, type: number, version: number, fragment: Buffer): Buffer | undefined {
  const macLen = macLength(s.suite.mac);
  const plain = cbcDecrypt(s, fragment);
  if (plain === undefined) return undefined;
  const pad = paddingLength(plain, macLen);
  if (pad < 0) return undefined;
  const contentLen = plain.length - pad - macLen;
  const content = plain.subarray(0, contentLen);
  const mac = plain.subarray(contentLen, contentLen + macLen);
  return macOk(s, pseudoHeader(seq, type, version, contentLen), content, mac) ? content : undefined;
}

/** RFC 7366 §3: CBC first, then a MAC over the IV and ciphertext, checked before decrypting. */
function openEtm(s: Tls12WriteState, seq: number, type: number, version: number, fragment: Buffer): Buffer | undefined {
  const macLen = macLength(s.suite.mac);
  if (fragment.length <= macLen) return undefined;
  const body = fragment.subarray(0, fragment.length - macLen);
  if (!macOk(s, pseudoHeader(seq, type, version, body.length), body, fragment.subarray(body.length))) return undefined;
  const plain = cbcDecrypt(s, body);
  if (plain === undefined) return undefined;
  const pad = paddingLength(plain, 0);
  return pad < 0 ? undefined : plain.subarray(0, plain.length - pad);
}
