import { CAPTURES } from '../helpers/paths.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeHep, HEP_MAX_INFLATED } from '../../src/net/hep.js';
import { decodeFrames, eth, frame, hep2, hep3, ipv4, sipRequest, udp } from '../helpers/packet-builders.js';
import { readFrames } from './pcap-walk.js';

const sip = sipRequest('hep@test');

test('hep3: plain payload with every generic chunk', () => {
  const h = decodeHep(hep3({ src: '10.1.1.1', dst: '10.1.1.2', sport: 5062, dport: 5060, ipProto: 17, sec: 1700000001, usec: 42, captureId: 99, correlationId: 'corr-1' }, sip));
  assert.ok(h);
  assert.deepEqual(
    { ...h, payload: h.payload.toString() },
    {
      version: 3, srcIp: '10.1.1.1', dstIp: '10.1.1.2', srcPort: 5062, dstPort: 5060, ipProto: 17, sec: 1700000001, usec: 42,
      protoType: 1, captureId: 99, correlationId: 'corr-1', payload: sip, issues: [],
    },
  );
});

test('hep3: compressed payload, IPv6 addresses and auth key', () => {
  const h = decodeHep(hep3({ src: '2001:db8::5', dst: 'fd00::1', authKey: 'secret', compress: true, ipProto: 6 }, sip));
  assert.ok(h);
  assert.equal(h.payload.toString(), sip);
  assert.equal(h.srcIp, '2001:db8::5');
  assert.equal(h.dstIp, 'fd00::1');
  assert.equal(h.authKey, 'secret');
  assert.equal(h.ipProto, 6);
  assert.deepEqual(h.issues, []);
});

test('hep3: bad lengths and bad compression are issues, not exceptions', () => {
  const good = hep3({}, sip);
  const cut = good.subarray(0, good.length - 10);
  assert.equal(decodeHep(cut)?.issues[0].code, 'hep.bad-length');
  const badChunk = Buffer.from(good);
  badChunk.writeUInt16BE(3, 10); // first chunk length below 6
  assert.equal(decodeHep(badChunk)?.issues[0].code, 'hep.bad-chunk');
  const bomb = hep3({ compress: true }, Buffer.alloc(HEP_MAX_INFLATED + 10));
  assert.equal(decodeHep(bomb)?.issues.map((i) => i.code).includes('hep.bad-compressed-payload'), true);
  const notZlib = Buffer.from(hep3({ compress: true }, sip));
  notZlib[notZlib.length - 5] ^= 0xff;
  notZlib[notZlib.length - 20] ^= 0xff;
  assert.ok(decodeHep(notZlib)?.issues.some((i) => i.code === 'hep.bad-compressed-payload'));
});

test('hep: bytes that are not HEP give null', () => {
  assert.equal(decodeHep(Buffer.from(sip)), null);
  assert.equal(decodeHep(Buffer.from([2, 16, 99, 17, 0, 0, 0, 0])), null); // family 99
  assert.equal(decodeHep(Buffer.alloc(0)), null);
});

test('hep2 and hep1: fixed header, little-endian time header', () => {
  const h = decodeHep(hep2({ src: '10.2.2.1', dst: '10.2.2.2', sport: 5060, dport: 5080, sec: 1600000000, usec: 500, captureId: 7 }, sip));
  assert.ok(h);
  assert.deepEqual([h.version, h.srcIp, h.dstIp, h.srcPort, h.dstPort, h.ipProto, h.sec, h.usec, h.captureId, h.protoType], [2, '10.2.2.1', '10.2.2.2', 5060, 5080, 17, 1600000000, 500, 7, 1]);
  assert.equal(h.payload.toString(), sip);
  const v1 = decodeHep(hep2({ version: 1 }, sip));
  assert.equal(v1?.version, 1);
  assert.equal(v1?.payload.toString(), sip);
});

test('hep: PacketDecoder unwraps HEP found in UDP, keeping frame time', async () => {
  const f = frame(eth(ipv4({ src: '192.0.2.9', dst: '192.0.2.10' }, udp({ sport: 9999, dport: 9060 }, hep3({ src: '10.1.1.1', dst: '10.1.1.2', ipProto: 17 }, sip)))), 1, 5, 1234);
  const { payloads, decoder } = await decodeFrames([f]);
  assert.equal(payloads.length, 1);
  assert.deepEqual([payloads[0].srcIp, payloads[0].dstIp, payloads[0].transport, payloads[0].frame, payloads[0].sec], ['10.1.1.1', '10.1.1.2', 'udp', 5, 1234]);
  assert.deepEqual(payloads[0].tunnels, ['hep']);
  assert.deepEqual(payloads[0].hep, { version: 3, sec: 1700000000, usec: 123456, captureId: 2001 });
  assert.equal(decoder.stats.hep, 1);
  const off = await decodeFrames([f], { decodeHep: false });
  assert.equal(off.payloads[0].srcIp, '192.0.2.9');
});

test('hep: HEP that is not SIP (RTCP report, protoType 5) is skipped', async () => {
  const f = frame(eth(ipv4({}, udp({ dport: 9060 }, hep3({ protoType: 5 }, '{}')))));
  const { payloads, decoder } = await decodeFrames([f]);
  assert.equal(payloads.length, 0);
  assert.equal(decoder.stats.other, 1);
});

test('hep3: the compressed capture matches its inner ground truth', async () => {
  const dir = `${CAPTURES}/`;
  const name = 'sipcapture-hep-wireshark-hep3_compressed.pcap.pcapng';
  const rows = readFileSync(`${dir}groundtruth/${name}.hep-inner.tsv`, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  const { payloads, decoder } = await decodeFrames(readFrames(dir + name));
  assert.deepEqual(decoder.issues, []);
  assert.equal(payloads.length, rows.length);
  for (const [i, p] of payloads.entries()) {
    const [frameNo, , src4, src6, dst4, dst6, sport, dport, proto, , , callId] = rows[i];
    assert.equal(p.frame, Number(frameNo));
    assert.equal(p.srcIp, src4 || src6);
    assert.equal(p.dstIp, dst4 || dst6);
    assert.equal(p.srcPort, Number(sport));
    assert.equal(p.dstPort, Number(dport));
    assert.equal(p.transport, proto.toLowerCase());
    assert.match(p.payload.toString(), new RegExp(`\\r\\nCall-ID: ${callId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\r\\n`, 'i'));
  }
});
