/**
 * TLS bytes from intent, for tests: hellos from named fields, and records sealed
 * the way a sender would (the inverse of src/tls, written against the RFCs with
 * `node:crypto` directly, so a shared mistake would have to be made twice).
 */
import { createCipheriv, createHmac, type CipherGCMTypes } from 'node:crypto';
import { cipherSuite, macLength, type CipherSuite } from '../../src/tls/suites.js';
import { trafficKeys } from '../../src/tls/tls13.js';
import type { Tls12WriteState } from '../../src/tls/tls12.js';

export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

export function record(type: number, body: Buffer, version = 0x0303): Buffer {
  const h = Buffer.alloc(5);
  h[0] = type;
  h.writeUInt16BE(version, 1);
  h.writeUInt16BE(body.length, 3);
  return Buffer.concat([h, body]);
}

export function handshakeMsg(type: number, body: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h[0] = type;
  h.writeUIntBE(body.length, 1, 3);
  return Buffer.concat([h, body]);
}

function ext(type: number, data: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16BE(type, 0);
  h.writeUInt16BE(data.length, 2);
  return Buffer.concat([h, data]);
}

/** §4.1.2 ClientHello with an empty session id, the given suites and no extensions of note. */
export function clientHello(random: Buffer, suites: number[] = [0x1301]): Buffer {
  const cs = Buffer.alloc(2 + 2 * suites.length);
  cs.writeUInt16BE(2 * suites.length, 0);
  suites.forEach((s, i) => cs.writeUInt16BE(s, 2 + 2 * i));
  const body = Buffer.concat([Buffer.of(3, 3), random, Buffer.of(0), cs, Buffer.of(1, 0), Buffer.of(0, 0)]);
  return handshakeMsg(1, body);
}

/** §4.1.3 ServerHello; `version` 0x0304 adds supported_versions, `etm` the RFC 7366 extension. */
export function serverHello(random: Buffer, suite: number, version = 0x0304, etm = false): Buffer {
  const exts: Buffer[] = [];
  if (version === 0x0304) exts.push(ext(0x002b, Buffer.of(3, 4)));
  if (etm) exts.push(ext(0x0016, Buffer.alloc(0)));
  const e = Buffer.concat(exts);
  const el = Buffer.alloc(2);
  el.writeUInt16BE(e.length, 0);
  const s = Buffer.alloc(2);
  s.writeUInt16BE(suite, 0);
  return handshakeMsg(2, Buffer.concat([Buffer.of(3, 3), random, Buffer.of(0), s, Buffer.of(0), el, e]));
}

function seqBytes(seq: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(seq));
  return b;
}

function nonce13(iv: Buffer, seq: number): Buffer {
  const n = Buffer.from(iv);
  const s = seqBytes(seq);
  for (let i = 0; i < 8; i++) n[n.length - 8 + i]! ^= s[i]!;
  return n;
}

/** RFC 8446 §5.2: seal `content` of inner `type` under a traffic secret's keys. */
export function seal13(suiteId: number, secret: Buffer, seq: number, type: number, content: Buffer, padding = 0): Buffer {
  const suite = cipherSuite(suiteId)!;
  const { key, iv } = trafficKeys(suite, secret);
  const inner = Buffer.concat([content, Buffer.of(type), Buffer.alloc(padding)]);
  const tagLen = suite.kind === 'ccm8' ? 8 : 16;
  const header = record(23, Buffer.alloc(inner.length + tagLen)).subarray(0, 5);
  const c = createCipheriv(suite.cipher as CipherGCMTypes, key, nonce13(iv, seq), { authTagLength: tagLen } as never);
  (c as unknown as { setAAD(b: Buffer, o?: object): void }).setAAD(header, suite.kind.startsWith('ccm') ? { plaintextLength: inner.length } : undefined);
  const body = Buffer.concat([c.update(inner), c.final(), (c as unknown as { getAuthTag(): Buffer }).getAuthTag()]);
  return Buffer.concat([header, body]);
}

/** RFC 5246 §6.2.3: seal a TLS 1.2 record under one side's write state. */
export function seal12(s: Tls12WriteState, seq: number, type: number, content: Buffer, version = 0x0303): Buffer {
  const suite: CipherSuite = s.suite;
  const pseudo = (len: number) => Buffer.concat([seqBytes(seq), Buffer.of(type, version >> 8, version & 0xff, len >> 8, len & 0xff)]);
  if (suite.kind === 'gcm') {
    const explicit = seqBytes(seq);
    const c = createCipheriv(suite.cipher as CipherGCMTypes, s.key, Buffer.concat([s.iv, explicit]));
    c.setAAD(pseudo(content.length));
    return record(type, Buffer.concat([explicit, c.update(content), c.final(), c.getAuthTag()]), version);
  }
  if (suite.kind === 'chacha') {
    const c = createCipheriv('chacha20-poly1305', s.key, nonce13(s.iv, seq), { authTagLength: 16 });
    c.setAAD(pseudo(content.length), { plaintextLength: content.length });
    return record(type, Buffer.concat([c.update(content), c.final(), c.getAuthTag()]), version);
  }
  // CBC with an explicit IV (TLS 1.1+).
  const block = suite.ivLen;
  const mac = (data: Buffer, len: number) => createHmac(suite.mac!, s.macKey).update(pseudo(len)).update(data).digest();
  const iv = Buffer.alloc(block, 0x5a);
  const cbc = (plain: Buffer) => {
    const c = createCipheriv(suite.cipher, s.key, iv);
    c.setAutoPadding(false);
    return Buffer.concat([iv, c.update(plain), c.final()]);
  };
  const pad = (len: number) => {
    const n = block - ((len + 1) % block);
    return Buffer.alloc(n + 1, n);
  };
  if (s.encryptThenMac) {
    const enc = cbc(Buffer.concat([content, pad(content.length)]));
    return record(type, Buffer.concat([enc, mac(enc, enc.length)]), version);
  }
  const withMac = Buffer.concat([content, mac(content, content.length)]);
  return record(type, cbc(Buffer.concat([withMac, pad(withMac.length)])), version);
}

export { macLength };
