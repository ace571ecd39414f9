/**
 * One HEP packet → one outcome: SIP with the agent's addresses and time,
 * malformed, bad auth, or not SIP; and the collector's counters.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { HepCollector, hepToMessage } from '../../src/ingest/hep-collect.js';
import type { CapturedMessage } from '../../src/calls/captured-message.js';
import { hep2, hep3 } from '../helpers/packet-builders.js';
import { request } from '../helpers/messages.js';

const sip = (id = 'c1@x'): string => request('INVITE', { callId: id }).replace(/\n/g, '\r\n');
const received = { sec: 1800000000, nsec: 5 };

test('HEPv3: the original addresses, ports, protocol, agent time and metadata', () => {
  const out = hepToMessage(hep3({ src: '192.0.2.1', dst: '198.51.100.2', sport: 5062, dport: 5060, ipProto: 6, sec: 1700000001, usec: 250000, captureId: 7, correlationId: 'corr-1' }, sip()), { frame: 3, received });
  assert.equal(out.kind, 'sip');
  if (out.kind !== 'sip') return;
  const { msg, ...m } = out.message;
  assert.deepEqual(m, {
    seq: 0, source: 0, frame: 3, sec: 1700000001, nsec: 250000000, srcIp: '192.0.2.1', srcPort: 5062, dstIp: '198.51.100.2', dstPort: 5060,
    transport: 'tcp', hep: { version: 3, sec: 1700000001, usec: 250000, captureId: 7, correlationId: 'corr-1' },
  });
  assert.equal(msg.kind === 'request' && msg.method, 'INVITE');
  assert.equal(out.payload.payload.toString(), sip());
});

test('compressed payload, IPv6 chunks, HEPv2 and HEPv1 all give SIP', () => {
  const v6 = hepToMessage(hep3({ src: '2001:db8::1', dst: 'fe80::2', compress: true }, sip()), { frame: 1, received });
  assert.equal(v6.kind === 'sip' && `${v6.message.srcIp} ${v6.message.dstIp}`, '2001:db8::1 fe80::2');
  const v2 = hepToMessage(hep2({ sec: 1600000000, usec: 500 }, sip()), { frame: 1, received });
  assert.equal(v2.kind === 'sip' && `${v2.message.srcIp}:${v2.message.srcPort} ${v2.message.sec}.${v2.message.nsec}`, '10.2.2.1:5060 1600000000.500000');
  // HEPv1 carries no time: the receive time dates it.
  const v1 = hepToMessage(hep2({ version: 1 }, sip()), { frame: 1, received });
  assert.equal(v1.kind === 'sip' && `${v1.message.sec}.${v1.message.nsec}`, '1800000000.5');
});

test('auth key: right key accepted, wrong, missing and HEPv2 (no key) rejected; no key required accepts all', () => {
  const o = { frame: 1, received, authKey: 's3cret' };
  assert.equal(hepToMessage(hep3({ authKey: 's3cret' }, sip()), o).kind, 'sip');
  assert.equal(hepToMessage(hep3({ authKey: 's3cret!' }, sip()), o).kind, 'bad-auth');
  assert.equal(hepToMessage(hep3({ authKey: 'S3CRET' }, sip()), o).kind, 'bad-auth');
  assert.equal(hepToMessage(hep3({}, sip()), o).kind, 'bad-auth');
  assert.equal(hepToMessage(hep2({}, sip()), o).kind, 'bad-auth');
  assert.equal(hepToMessage(hep3({ authKey: 'other' }, sip()), { frame: 1, received }).kind, 'sip');
});

test('garbage, truncation and broken compression are malformed; RTCP and non-SIP text are not SIP', () => {
  const o = { frame: 1, received };
  const good = hep3({}, sip());
  assert.equal(hepToMessage(Buffer.from('hello world'), o).kind, 'malformed');
  assert.equal(hepToMessage(Buffer.alloc(0), o).kind, 'malformed');
  for (let cut = 1; cut < good.length; cut++) {
    const k = hepToMessage(good.subarray(0, cut), o).kind;
    assert.ok(k === 'malformed', `cut at ${cut}: ${k}`);
  }
  const bad = hep3({ compress: true }, sip());
  bad[bad.length - 3] ^= 0xff;
  assert.equal(hepToMessage(bad, o).kind, 'malformed');
  assert.equal(hepToMessage(hep3({ protoType: 5 }, Buffer.from([0x80, 0xc8, 0, 6])), o).kind, 'not-sip');
  assert.equal(hepToMessage(hep3({}, 'just a log line'), o).kind, 'not-sip');
});

test('the collector counts every outcome and forwards only SIP', () => {
  const got: CapturedMessage[] = [];
  const c = new HepCollector({ authKey: 'k', onMessage: (m) => got.push(m) });
  for (const b of [hep3({ authKey: 'k' }, sip('1')), hep3({ authKey: 'x' }, sip('2')), Buffer.from('zz'), hep3({ authKey: 'k', protoType: 100 }, 'log')]) c.push(b, received);
  c.junk(2);
  assert.deepEqual(c.stats, { packets: 6, sipMessages: 1, malformed: 3, badAuth: 1, notSip: 1 });
  assert.deepEqual(got.map((m) => m.frame), [1]);
});
