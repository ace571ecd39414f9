/**
 * TLS 1.3 record protection against the RFC 8448 §3 trace ("Simple 1-RTT
 * Handshake"): traffic keys from the logged secrets, and the trace's own
 * protected records opened to the trace's plaintext.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { cipherSuite } from '../../src/tls/suites.js';
import { hkdfExpandLabel, nextTrafficSecret, openRecord13, trafficKeys } from '../../src/tls/tls13.js';
import { hex, seal13 } from './forge.js';

const AES128 = cipherSuite(0x1301)!;
// RFC 8448 §3, the secrets a key log would hold for this connection.
const C_HS = hex('b3 ed db 12 6e 06 7f 35 a7 80 b3 ab f4 5e 2d 8f 3b 1a 95 07 38 f5 2e 96 00 74 6a 0e 27 a5 5a 21');
const S_HS = hex('b6 7b 7d 69 0c c1 6c 4e 75 e5 42 13 cb 2d 37 b4 e9 c9 12 bc de d9 10 5d 42 be fd 59 d3 91 ad 38');
const C_AP = hex('9e 40 64 6c e7 9a 7f 9d c0 5a f8 88 9b ce 65 52 87 5a fa 0b 06 df 00 87 f7 92 eb b7 c1 75 04 a5');
const S_AP = hex('a1 1a f9 f0 55 31 f8 56 ad 47 11 6b 45 a9 50 32 82 04 b4 f4 4b fb 6b 3a 4b 4f 1f 3f cb 63 16 43');
const C_APP_RECORD = hex(`17 03 03 00 43 a2 3f 70 54 b6 2c 94 d0 af fa fe 82 28 ba 55 cb ef ac ea 42 f9 14 aa 66 bc ab 3f
  2b 98 19 a8 a5 b4 6b 39 5b d5 4a 9a 20 44 1e 2b 62 97 4e 1f 5a 62 92 a2 97 70 14 bd 1e 3d ea e6 3a ee bb 21 69 49 15 e4`);
const S_APP_RECORD = hex(`17 03 03 00 43 2e 93 7e 11 ef 4a c7 40 e5 38 ad 36 00 5f c4 a4 69 32 fc 32 25 d0 5f 82 aa 1b 36
  e3 0e fa f9 7d 90 e6 df fc 60 2d cb 50 1a 59 a8 fc c4 9c 4b f2 e5 f0 a2 1c 00 47 c2 ab f3 32 54 0d d0 32 e1 67 c2 95 5d`);
const C_FINISHED_RECORD = hex(`17 03 03 00 35 75 ec 4d c2 38 cc e6 0b 29 80 44 a7 1e 21 9c 56 cc 77 b0 51 7f e9 b9 3c 7a 4b fc
  44 d8 7f 38 f8 03 38 ac 98 fc 46 de b3 84 bd 1c ae ac ab 68 67 d7 26 c4 05 46`);
const PAYLOAD = Buffer.from(Array.from({ length: 50 }, (_, i) => i));

test('RFC 8448 §3: write keys and IVs from the handshake and application traffic secrets', () => {
  const sHs = trafficKeys(AES128, S_HS);
  assert.equal(sHs.key.toString('hex'), '3fce516009c21727d0f2e4e86ee403bc');
  assert.equal(sHs.iv.toString('hex'), '5d313eb2671276ee13000b30');
  const cHs = trafficKeys(AES128, C_HS);
  assert.equal(cHs.key.toString('hex'), 'dbfaa693d1762c5b666af5d950258d01');
  assert.equal(cHs.iv.toString('hex'), '5bd3c71b836e0b76bb73265f');
  const cAp = trafficKeys(AES128, C_AP);
  assert.equal(cAp.key.toString('hex'), '17422dda596ed5d9acd890e3c63f5051');
  assert.equal(cAp.iv.toString('hex'), '5b78923dee08579033e523d9');
  const sAp = trafficKeys(AES128, S_AP);
  assert.equal(sAp.key.toString('hex'), '9f02283b6c9c07efc26bb9f2ac92e356');
  assert.equal(sAp.iv.toString('hex'), 'cf782b88dd83549aadf1e984');
  // RFC 8448 §3: the server's finished_key is HKDF-Expand-Label(secret, "finished", "", 32).
  assert.equal(hkdfExpandLabel('sha256', S_HS, 'finished', Buffer.alloc(0), 32).toString('hex'),
    '008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8');
});

test('RFC 8448 §3: the trace\'s application data records open to 00 01 … 31', () => {
  const c = openRecord13(trafficKeys(AES128, C_AP), 0, C_APP_RECORD.subarray(0, 5), C_APP_RECORD.subarray(5));
  assert.deepEqual(c, { type: 23, content: PAYLOAD });
  // The server's first application record (sequence 0) was its NewSessionTicket.
  const s = openRecord13(trafficKeys(AES128, S_AP), 1, S_APP_RECORD.subarray(0, 5), S_APP_RECORD.subarray(5));
  assert.deepEqual(s, { type: 23, content: PAYLOAD });
});

test('RFC 8448 §3: the client Finished opens under the client handshake key as a handshake message', () => {
  const f = openRecord13(trafficKeys(AES128, C_HS), 0, C_FINISHED_RECORD.subarray(0, 5), C_FINISHED_RECORD.subarray(5));
  assert.equal(f?.type, 22);
  assert.equal(f?.content[0], 20, 'Finished');
  assert.equal(f?.content.length, 4 + 32);
});

test('a wrong sequence number, key or byte fails authentication: undefined, not an exception', () => {
  const keys = trafficKeys(AES128, C_AP);
  assert.equal(openRecord13(keys, 1, C_APP_RECORD.subarray(0, 5), C_APP_RECORD.subarray(5)), undefined);
  assert.equal(openRecord13(trafficKeys(AES128, S_AP), 0, C_APP_RECORD.subarray(0, 5), C_APP_RECORD.subarray(5)), undefined);
  const damaged = Buffer.from(C_APP_RECORD);
  damaged[20]! ^= 1;
  assert.equal(openRecord13(keys, 0, damaged.subarray(0, 5), damaged.subarray(5)), undefined);
  assert.equal(openRecord13(keys, 0, C_APP_RECORD.subarray(0, 5), C_APP_RECORD.subarray(5, 10)), undefined);
});

test('every TLS 1.3 suite opens what a sender sealed, padding stripped; the next secret differs', () => {
  for (const id of [0x1301, 0x1302, 0x1303, 0x1304, 0x1305]) {
    const suite = cipherSuite(id)!;
    const secret = Buffer.alloc(suite.hash === 'sha384' ? 48 : 32, id & 0xff);
    const rec = seal13(id, secret, 7, 23, Buffer.from('INVITE sip:x SIP/2.0\r\n'), 5);
    assert.deepEqual(openRecord13(trafficKeys(suite, secret), 7, rec.subarray(0, 5), rec.subarray(5)), { type: 23, content: Buffer.from('INVITE sip:x SIP/2.0\r\n') }, suite.name);
    const next = nextTrafficSecret(suite, secret);
    assert.equal(next.length, secret.length);
    assert.notDeepEqual(next, secret);
  }
});
