/**
 * One TLS connection through the session state machine, built from intent:
 * hellos from fields, records sealed under known secrets. Covers TLS 1.3 with
 * and without handshake secrets, KeyUpdate, HelloRetryRequest, a missing key, a
 * wrong key, lost bytes (sequence numbers recovered), a truncated stream,
 * TLS 1.2 with a CCS, and an unsupported suite — always counted, never thrown.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { HRR_RANDOM } from '../../src/tls/handshake.js';
import { KeyLog } from '../../src/tls/keylog.js';
import { TlsSession, type Side } from '../../src/tls/session.js';
import { cipherSuite } from '../../src/tls/suites.js';
import { keyBlock } from '../../src/tls/tls12.js';
import { nextTrafficSecret } from '../../src/tls/tls13.js';
import { clientHello, handshakeMsg, record, seal12, seal13, serverHello } from './forge.js';

const CR = Buffer.alloc(32, 0xc1);
const SR = Buffer.alloc(32, 0x5e);
const sec = (b: number) => Buffer.alloc(32, b);
const C_HS = sec(1), S_HS = sec(2), C_AP = sec(3), S_AP = sec(4);
const CCS = record(20, Buffer.of(1));
const msg = (n: number) => Buffer.from(`OPTIONS sip:a@b SIP/2.0\r\nCSeq: ${n} OPTIONS\r\nContent-Length: 0\r\n\r\n`);
const finished = handshakeMsg(20, Buffer.alloc(32, 0xf1));

function keylog(labels: Record<string, Buffer>): KeyLog {
  const k = new KeyLog();
  k.addText(Object.entries(labels).map(([l, s]) => `${l} ${CR.toString('hex')} ${s.toString('hex')}`).join('\n'));
  return k;
}
const ALL = { CLIENT_HANDSHAKE_TRAFFIC_SECRET: C_HS, SERVER_HANDSHAKE_TRAFFIC_SECRET: S_HS, CLIENT_TRAFFIC_SECRET_0: C_AP, SERVER_TRAFFIC_SECRET_0: S_AP };

/** A TLS 1.3 connection: [client bytes in pieces, server bytes in pieces], in capture order. */
function tls13(suite = 0x1301): Array<[Side, Buffer]> {
  const s13 = (secret: Buffer, seq: number, type: number, content: Buffer) => seal13(suite, secret, seq, type, content);
  return [
    [0, record(22, clientHello(CR, [suite]), 0x0301)],
    [1, Buffer.concat([record(22, serverHello(SR, suite)), CCS,
      s13(S_HS, 0, 22, Buffer.concat([handshakeMsg(8, Buffer.alloc(2)), handshakeMsg(11, Buffer.alloc(300, 7))])),
      s13(S_HS, 1, 22, finished)])],
    [0, Buffer.concat([CCS, s13(C_HS, 0, 22, finished)])],
    [1, s13(S_AP, 0, 22, handshakeMsg(4, Buffer.alloc(40)))], // NewSessionTicket
    [0, s13(C_AP, 0, 23, msg(1))],
    [1, s13(S_AP, 1, 23, msg(101))],
    [0, Buffer.concat([s13(C_AP, 1, 23, msg(2)), s13(C_AP, 2, 23, msg(3))])],
  ];
}

function run<S = number>(keys: KeyLog, pieces: Array<[Side, Buffer, boolean?]>) {
  const out: string[][] = [[], []];
  const gaps: boolean[] = [];
  const s = new TlsSession<number>(keys, [(d, _f, g) => { out[0]!.push(d.toString()); gaps.push(g); }, (d, _f, g) => { out[1]!.push(d.toString()); gaps.push(g); }], 1);
  pieces.forEach(([side, data, gap], i) => s.push(side, data, i + 1, gap ?? false));
  s.end();
  return { client: out[0]!, server: out[1]!, gaps, sum: s.summary() };
}

test('TLS 1.3, every suite: both directions decrypt; handshake records are not application data', () => {
  for (const suite of [0x1301, 0x1302, 0x1303, 0x1304]) {
    const big = cipherSuite(suite)!.hash === 'sha384';
    const secrets = big ? Object.fromEntries(Object.entries(ALL).map(([k, v]) => [k, Buffer.concat([v, v.subarray(0, 16)])])) : ALL;
    const pieces = tls13(suite).map(([side, b]) => [side, b] as [Side, Buffer]);
    if (big) {
      // Re-seal with the longer secrets.
      const [C, S, CA, SA] = [secrets.CLIENT_HANDSHAKE_TRAFFIC_SECRET!, secrets.SERVER_HANDSHAKE_TRAFFIC_SECRET!, secrets.CLIENT_TRAFFIC_SECRET_0!, secrets.SERVER_TRAFFIC_SECRET_0!];
      pieces.splice(0, pieces.length,
        [0, record(22, clientHello(CR, [suite]), 0x0301)],
        [1, Buffer.concat([record(22, serverHello(SR, suite)), seal13(suite, S, 0, 22, finished)])],
        [0, seal13(suite, C, 0, 22, finished)],
        [0, seal13(suite, CA, 0, 23, msg(1))],
        [1, seal13(suite, SA, 0, 23, msg(101))],
        [0, Buffer.concat([seal13(suite, CA, 1, 23, msg(2)), seal13(suite, CA, 2, 23, msg(3))])]);
    }
    const r = run(keylog(secrets), pieces);
    assert.deepEqual(r.client, [msg(1), msg(2), msg(3)].map(String), cipherSuite(suite)!.name);
    assert.deepEqual(r.server, [String(msg(101))]);
    assert.equal(r.sum.failed + r.sum.noKey, 0);
    assert.equal(r.sum.version, 0x0304);
    assert.equal(r.sum.clientSide, 0);
  }
});

test('TLS 1.3 split at every offset of each direction gives the same plaintext', () => {
  const pieces = tls13();
  const client = Buffer.concat(pieces.filter(([s]) => s === 0).map(([, b]) => b));
  const server = Buffer.concat(pieces.filter(([s]) => s === 1).map(([, b]) => b));
  const hello = pieces[0]![1].length;
  for (let cut = hello; cut <= client.length; cut++) {
    // The ClientHello, then the server's whole flight, then the rest of the client's bytes in two pieces.
    const r = run(keylog(ALL), [[0, client.subarray(0, hello)], [1, server], [0, client.subarray(hello, cut)], [0, client.subarray(cut)]]);
    assert.equal(r.client.join(''), [msg(1), msg(2), msg(3)].join(''), `cut ${cut}`);
    assert.equal(r.server.join(''), String(msg(101)));
  }
});

test('TLS 1.3 with only the application secrets: the handshake is skipped, the data decrypts', () => {
  const r = run(keylog({ CLIENT_TRAFFIC_SECRET_0: C_AP, SERVER_TRAFFIC_SECRET_0: S_AP }), tls13());
  assert.deepEqual(r.client, [msg(1), msg(2), msg(3)].map(String));
  assert.deepEqual(r.server, [String(msg(101))]);
  assert.equal(r.sum.noKey + r.sum.failed, 0);
  assert.deepEqual(r.sum.missing, []);
});

test('KeyUpdate: the direction moves to the next traffic secret after the record that carries it', () => {
  const next = nextTrafficSecret(cipherSuite(0x1301)!, C_AP);
  const pieces = tls13();
  pieces.push(
    [0, seal13(0x1301, C_AP, 3, 22, handshakeMsg(24, Buffer.of(1)))], // update_requested
    [0, seal13(0x1301, next, 0, 23, msg(4))],
    [1, seal13(0x1301, S_AP, 2, 22, handshakeMsg(24, Buffer.of(0)))],
    [1, seal13(0x1301, nextTrafficSecret(cipherSuite(0x1301)!, S_AP), 0, 23, msg(102))],
  );
  const r = run(keylog(ALL), pieces);
  assert.deepEqual(r.client, [msg(1), msg(2), msg(3), msg(4)].map(String));
  assert.deepEqual(r.server, [msg(101), msg(102)].map(String));
  assert.equal(r.sum.failed, 0);
});

test('HelloRetryRequest: the second ClientHello and the real ServerHello set the keys', () => {
  const pieces = tls13();
  pieces.splice(1, 0,
    [1, Buffer.concat([record(22, serverHello(HRR_RANDOM, 0x1301)), CCS])],
    [0, Buffer.concat([CCS, record(22, clientHello(CR))])]);
  const r = run(keylog(ALL), pieces);
  assert.equal(r.sum.helloRetry, true);
  assert.deepEqual(r.client, [msg(1), msg(2), msg(3)].map(String));
  assert.deepEqual(r.server, [String(msg(101))]);
});

test('no key for this client random: counted, the missing labels named, nothing emitted', () => {
  const r = run(keylog({}), tls13());
  assert.deepEqual(r.client, []);
  assert.equal(r.sum.noKey, 8);
  assert.equal(r.sum.records, 8);
  assert.deepEqual(r.sum.missing.sort(), Object.keys(ALL).sort());
  assert.equal(r.sum.clientRandom?.toString('hex'), CR.toString('hex'));
});

test('a wrong secret in the log: records fail authentication and are counted', () => {
  const r = run(keylog({ ...ALL, CLIENT_TRAFFIC_SECRET_0: sec(9) }), tls13());
  assert.deepEqual(r.client, []);
  assert.deepEqual(r.server, [String(msg(101))]);
  assert.equal(r.sum.failed, 3);
  assert.deepEqual([r.sum.firstFailure?.side, r.sum.firstFailure?.seq], [0, 0]);
});

test('lost bytes: later records decrypt at a skipped sequence number, plaintext marked as after a gap', () => {
  const pieces: Array<[Side, Buffer, boolean?]> = tls13();
  // Replace the client's last flight by: msg 2's record lost in the capture, msg 3 after a gap.
  const last = pieces.pop()!;
  const rec2len = seal13(0x1301, C_AP, 1, 23, msg(2)).length;
  assert.ok(last[1].length > rec2len);
  pieces.push([0, last[1].subarray(10), true]);
  const sum = run(keylog(ALL), pieces);
  // The first bytes after the gap are the tail of record 1; the parser finds record 2 (seq 2).
  assert.deepEqual(sum.client, [msg(1), msg(3)].map(String));
  assert.deepEqual(sum.gaps, [false, false, true]);
  assert.equal(sum.sum.failed, 0);
});

test('a truncated stream: the unfinished record is an issue, what came before is kept', () => {
  const pieces = tls13();
  const last = pieces.pop()!;
  pieces.push([0, last[1].subarray(0, last[1].length - 5)]);
  const r = run(keylog(ALL), pieces);
  assert.deepEqual(r.client, [msg(1), msg(2)].map(String));
  assert.deepEqual(r.sum.issues.map((i) => i.code), ['tls.truncated']);
});

test('TLS 1.2: protected from each side\'s ChangeCipherSpec, keys from CLIENT_RANDOM; EtM and CBC too', () => {
  for (const [suite, etm] of [[0xc02f, false], [0xcca8, false], [0x002f, true], [0x002f, false], [0xc030, false]] as const) {
    const master = Buffer.alloc(48, 0x77);
    const kb = keyBlock(cipherSuite(suite)!, 0x0303, master, CR, SR, etm);
    const r = run(keylog({ CLIENT_RANDOM: master }), [
      [0, record(22, clientHello(CR, [suite]), 0x0301)],
      [1, record(22, Buffer.concat([serverHello(SR, suite, 0x0303, etm), handshakeMsg(11, Buffer.alloc(200)), handshakeMsg(14, Buffer.alloc(0))]))],
      [0, Buffer.concat([record(22, handshakeMsg(16, Buffer.alloc(66))), CCS, seal12(kb.client, 0, 22, handshakeMsg(20, Buffer.alloc(12)))])],
      [1, Buffer.concat([CCS, seal12(kb.server, 0, 22, handshakeMsg(20, Buffer.alloc(12)))])],
      [0, seal12(kb.client, 1, 23, msg(1))],
      [1, seal12(kb.server, 1, 23, msg(101))],
      [0, Buffer.concat([seal12(kb.client, 2, 23, msg(2)), seal12(kb.client, 3, 21, Buffer.of(1, 0))])],
    ]);
    assert.deepEqual(r.client, [msg(1), msg(2)].map(String), `${cipherSuite(suite)!.name} etm=${etm}`);
    assert.deepEqual(r.server, [String(msg(101))]);
    assert.equal(r.sum.failed + r.sum.noKey, 0);
    assert.equal(r.sum.version, 0x0303);
  }
});

test('a suite we cannot decrypt is reported, not guessed at', () => {
  const r = run(keylog({ CLIENT_RANDOM: Buffer.alloc(48) }), [
    [0, record(22, clientHello(CR, [0x0005]), 0x0301)],
    [1, Buffer.concat([record(22, serverHello(SR, 0x0005, 0x0303)), CCS, record(22, Buffer.alloc(40))])],
    [0, Buffer.concat([CCS, record(23, Buffer.alloc(40))])],
  ]);
  assert.equal(r.sum.supported, false);
  assert.equal(r.sum.suite, 0x0005);
  assert.deepEqual(r.client, []);
});

test('capture began after the handshake: records counted, no hello seen', () => {
  const r = run(keylog(ALL), [[0, seal13(0x1301, C_AP, 5, 23, msg(1))], [1, seal13(0x1301, S_AP, 5, 23, msg(2))]]);
  assert.equal(r.sum.sawClientHello, false);
  assert.equal(r.sum.records, 2);
  assert.equal(r.sum.noKey, 2);
});
