/**
 * TLS 1.2 and earlier: the PRF against OpenSSL's TLS1-PRF (`openssl kdf`), the
 * key block layout, and records of every kind of suite — GCM with its explicit
 * nonce, ChaCha20-Poly1305, CBC MAC-then-encrypt and Encrypt-then-MAC — opened
 * after a sender sealed them; tampering and bad padding fail, never throw.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createHmac } from 'node:crypto';
import { cipherSuite } from '../../src/tls/suites.js';
import { keyBlock, openRecord12, prf } from '../../src/tls/tls12.js';
import { hex, seal12 } from './forge.js';

const SECRET = hex('9bbe436ba940f017b17652849a71db35');
const SEED = hex('a0ba9f936cda311827a6f796ffd5198c');

test('PRF: P_SHA256, P_SHA384 and the TLS 1.0 MD5/SHA-1 split match OpenSSL TLS1-PRF', () => {
  // `openssl kdf -keylen 100 -kdfopt digest:SHA256 -kdfopt hexsecret:… -kdfopt hexseed:<"test label"+seed> TLS1-PRF`
  assert.equal(prf(0x0303, 'sha256', SECRET, 'test label', SEED, 100).toString('hex'),
    'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66');
  assert.equal(prf(0x0303, 'sha384', SECRET, 'test label', SEED, 48).toString('hex'),
    'dd88775cd827187b67a3f7652b5c13f715791cc46e0274a6d3fb16651103defc544cd8afb68369a219bb918b8b21ddb1');
  // An odd-length secret: the halves share their middle byte (RFC 2246 §5).
  assert.equal(prf(0x0301, 'sha256', Buffer.concat([SECRET, Buffer.of(0xaa)]), 'test label', SEED, 48).toString('hex'),
    'd15d261f27f994096fbb4709ff20d231799dce32219baafb6883af51983e132f9c83dfee54eba38ec8a35879b14b9613');
});

test('key block: MAC keys, keys, then IVs, client before server', () => {
  const suite = cipherSuite(0xc02f)!;
  const master = Buffer.alloc(48, 1), cr = Buffer.alloc(32, 2), sr = Buffer.alloc(32, 3);
  const block = prf(0x0303, 'sha256', master, 'key expansion', Buffer.concat([sr, cr]), 40);
  const kb = keyBlock(suite, 0x0303, master, cr, sr, false);
  assert.deepEqual(kb.client.key, block.subarray(0, 16));
  assert.deepEqual(kb.server.key, block.subarray(16, 32));
  assert.deepEqual(kb.client.iv, block.subarray(32, 36));
  assert.deepEqual(kb.server.iv, block.subarray(36, 40));
  assert.equal(kb.client.macKey.length, 0);
  const cbc = keyBlock(cipherSuite(0x002f)!, 0x0303, master, cr, sr, true);
  assert.equal(cbc.client.macKey.length, 20);
  assert.equal(cbc.client.encryptThenMac, true);
  assert.equal(keyBlock(suite, 0x0303, master, cr, sr, true).client.encryptThenMac, false, 'RFC 7366 applies to CBC only');
});

const SIP = Buffer.from('REGISTER sips:example.com SIP/2.0\r\nContent-Length: 0\r\n\r\n');

for (const [id, etm] of [[0xc02f, false], [0xc030, false], [0xcca8, false], [0x002f, false], [0x002f, true], [0xc028, false], [0x003d, true]] as const) {
  const suite = cipherSuite(id)!;
  test(`${suite.name}${etm ? ' with Encrypt-then-MAC' : ''}: opens what was sealed; tampering fails`, () => {
    const kb = keyBlock(suite, 0x0303, Buffer.alloc(48, 9), Buffer.alloc(32, 1), Buffer.alloc(32, 2), etm);
    const rec = seal12(kb.client, 5, 23, SIP);
    const open = (r: Buffer, seq = 5, state = kb.client) => openRecord12(state, seq, r[0]!, r.readUInt16BE(1), r.subarray(5));
    assert.deepEqual(open(rec), SIP);
    assert.equal(open(rec, 6), undefined, 'sequence number is authenticated');
    assert.equal(open(rec, 5, kb.server), undefined, 'the other direction\'s keys');
    for (const at of [5, rec.length - 1, Math.floor(rec.length / 2)]) {
      const bad = Buffer.from(rec);
      bad[at]! ^= 0x40;
      assert.equal(open(bad), undefined, `byte ${at} flipped`);
    }
    assert.equal(open(rec.subarray(0, 9)), undefined, 'too short');
  });
}

test('TLS 1.0 CBC chains the IV through records; a failed record does not move it', () => {
  const suite = cipherSuite(0x002f)!;
  const kb = keyBlock(suite, 0x0301, Buffer.alloc(48, 9), Buffer.alloc(32, 1), Buffer.alloc(32, 2), false);
  const sender = keyBlock(suite, 0x0301, Buffer.alloc(48, 9), Buffer.alloc(32, 1), Buffer.alloc(32, 2), false).client;
  // TLS 1.0 records carry no IV: seal by hand with the chained IV.
  const seal = (seq: number, content: Buffer): Buffer => {
    const pseudo = Buffer.alloc(13);
    pseudo.writeBigUInt64BE(BigInt(seq));
    pseudo[8] = 23; pseudo.writeUInt16BE(0x0301, 9); pseudo.writeUInt16BE(content.length, 11);
    const mac = createHmac('sha1', sender.macKey).update(pseudo).update(content).digest();
    const body = Buffer.concat([content, mac]);
    const n = 16 - ((body.length + 1) % 16);
    const c = createCipheriv('aes-128-cbc', sender.key, sender.iv);
    c.setAutoPadding(false);
    const enc = Buffer.concat([c.update(Buffer.concat([body, Buffer.alloc(n + 1, n)])), c.final()]);
    sender.iv = enc.subarray(enc.length - 16);
    return enc;
  };
  const r0 = seal(0, SIP), r1 = seal(1, Buffer.from('second'));
  assert.equal(openRecord12(kb.client, 0, 23, 0x0301, r1), undefined, 'out of order: wrong IV and seq');
  assert.deepEqual(openRecord12(kb.client, 0, 23, 0x0301, r0), SIP);
  assert.deepEqual(openRecord12(kb.client, 1, 23, 0x0301, r1), Buffer.from('second'));
});
