import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TcpInfo, TransportPayload } from '../../src/net/packet.js';
import { TcpReassembler, type TcpStreamOptions } from '../../src/net/tcp-stream.js';
import { sipRequest } from '../helpers/packet-builders.js';

let frameNo = 0;
function seg(seq: number, data: string | Buffer = '', flags: Partial<TcpInfo> = {}, sport = 40000): TransportPayload {
  frameNo++;
  return {
    frame: frameNo, sec: 1000 + frameNo, nsec: 0, srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: sport, dstPort: 5060,
    transport: 'tcp', payload: typeof data === 'string' ? Buffer.from(data) : data,
    tcp: { seq: seq >>> 0, ack: 0, syn: false, fin: false, rst: false, ...flags },
  };
}

function run(segments: TransportPayload[], opts: Partial<TcpStreamOptions> = {}) {
  const r = new TcpReassembler(opts);
  const out: { data: string; frame: number; gap: boolean; key: string }[] = [];
  const emit = (key: string, data: Buffer, p: TransportPayload, gap: boolean) => out.push({ key, data: data.toString(), frame: p.frame, gap });
  for (const s of segments) r.push(s, emit);
  r.end(emit);
  return { r, out, text: out.map((o) => o.data).join('') };
}

const msg = sipRequest('tcp@test', 'v=0\r\n');

test('tcp: a message split over 3 segments is delivered in order', () => {
  const a = msg.slice(0, 20), b = msg.slice(20, 60), c = msg.slice(60);
  const { out, text, r } = run([seg(100, '', { syn: true }), seg(101, a), seg(121, b), seg(161, c)]);
  assert.equal(text, msg);
  assert.deepEqual(out.map((o) => o.gap), [false, false, false]);
  assert.equal(out[0].key, 'tcp|10.0.0.1|40000|10.0.0.2|5060');
  assert.deepEqual(r.issues, []);
});

test('tcp: 3 messages in one segment arrive as one delivery', () => {
  const three = msg + msg + msg;
  const { out } = run([seg(500, three)]);
  assert.equal(out.length, 1);
  assert.equal(out[0].data, three);
});

test('tcp: a mid-stream capture starts at the first segment seen', () => {
  const { text, out } = run([seg(777777, 'abc'), seg(777780, 'def')]);
  assert.equal(text, 'abcdef');
  assert.equal(out[0].gap, false);
});

test('tcp: out-of-order segments wait for the hole to fill; the segment that delivered is reported', () => {
  const { out, r } = run([seg(1, 'AAAA'), seg(9, 'CCCC'), seg(13, 'DDDD'), seg(5, 'BBBB')]);
  assert.deepEqual(out.map((o) => o.data), ['AAAA', 'BBBB', 'CCCC', 'DDDD']);
  assert.deepEqual(out.map((o) => o.frame - out[0].frame), [0, 3, 1, 2]);
  assert.equal(r.stats.outOfOrder, 2);
});

test('tcp: a retransmitted segment is delivered once and counted', () => {
  const { text, r } = run([seg(1, 'hello '), seg(1, 'hello '), seg(7, 'world'), seg(7, 'world')]);
  assert.equal(text, 'hello world');
  assert.equal(r.stats.retransmissions, 2);
});

test('tcp: overlapping segments deliver each byte once', () => {
  const { text, r } = run([seg(1, 'abcdef'), seg(4, 'defghi'), seg(12, 'lm'), seg(8, 'hijkl')]);
  assert.equal(text, 'abcdefghijklm');
  assert.ok(r.stats.overlaps >= 2);
});

test('tcp: sequence numbers wrap around 2^32', () => {
  const start = 0xfffffffa;
  const { text, out } = run([seg(start - 1, '', { syn: true }), seg(start, 'ABCD'), seg(start + 8, 'IJKL'), seg(start + 4, 'EFGH')]);
  assert.equal(text, 'ABCDEFGHIJKL');
  assert.ok(out.every((o) => !o.gap));
});

test('tcp: a hole that never fills is skipped at the end with gap=true and an issue', () => {
  const { out, r } = run([seg(1, 'AAAA'), seg(9, 'CCCC')]);
  assert.deepEqual(out.map((o) => [o.data, o.gap]), [['AAAA', false], ['CCCC', true]]);
  assert.equal(r.issues[0].code, 'tcp.gap');
  assert.equal(r.stats.gapBytes, 4);
});

test('tcp: buffer overflow skips the hole instead of growing', () => {
  const { out, r } = run([seg(1, 'AAAA'), seg(100, 'x'.repeat(10)), seg(110, 'y'.repeat(10))], { maxBufferedBytes: 15 });
  assert.deepEqual(out.map((o) => [o.data.slice(0, 1), o.gap]), [['A', false], ['x', true], ['y', false]]);
  assert.equal(r.stats.gaps, 1);
  assert.equal(r.issues[0].code, 'tcp.gap');
  assert.match(r.issues[0].detail, /95 bytes never captured/);
});

test('tcp: FIN closes and frees the direction; late retransmissions are recognised', () => {
  const { text, r } = run([seg(1, 'abc'), seg(4, '', { fin: true }), seg(1, 'abc')]);
  assert.equal(text, 'abc');
  assert.equal(r.stats.closed, 1);
  assert.equal(r.stats.retransmissions, 1);
  assert.equal(r.flowCount, 0);
});

test('tcp: FIN waits for missing data before closing', () => {
  const { text, r } = run([seg(1, 'abc'), seg(7, 'ghi', { fin: true }), seg(4, 'def')]);
  assert.equal(text, 'abcdefghi');
  assert.equal(r.stats.closed, 1);
  assert.deepEqual(r.issues, []);
});

test('tcp: RST closes; buffered bytes after a hole are flushed with gap', () => {
  const { out, r } = run([seg(1, 'abc'), seg(10, 'xyz'), seg(4, '', { rst: true })]);
  assert.deepEqual(out.map((o) => [o.data, o.gap]), [['abc', false], ['xyz', true]]);
  assert.equal(r.flowCount, 0);
});

test('tcp: a new SYN on the same ports starts a new stream flagged gap', () => {
  const { out } = run([seg(100, '', { syn: true }), seg(101, 'one'), seg(5000, '', { syn: true }), seg(5001, 'two')]);
  assert.deepEqual(out.map((o) => [o.data, o.gap]), [['one', false], ['two', true]]);
});

test('tcp: SYN retransmission does not reset; data in the SYN counts', () => {
  const { text } = run([seg(100, '', { syn: true }), seg(100, '', { syn: true }), seg(101, 'abc')]);
  assert.equal(text, 'abc');
  assert.equal(run([seg(50, 'tfo', { syn: true }), seg(54, '!')]).text, 'tfo!');
});

test('tcp: directions are independent', () => {
  const { out } = run([seg(1, 'a', {}, 1111), seg(900, 'b', {}, 2222), seg(2, 'c', {}, 1111)]);
  assert.deepEqual(out.map((o) => o.key.split('|')[2] + o.data), ['1111a', '2222b', '1111c']);
});

test('tcp: the number of directions is bounded (least recently active evicted, reported)', () => {
  const { r, out } = run([seg(1, 'a', {}, 1), seg(1, 'b', {}, 2), seg(1, 'c', {}, 3), seg(2, 'd', {}, 1)], { maxFlows: 2 });
  assert.equal(out.length, 4);
  assert.equal(r.stats.evicted, 2);
  assert.equal(r.issues[0].code, 'tcp.flow-evicted');
});

test('tcp: idle directions are forgotten after the timeout', () => {
  const { r } = run([seg(1, 'a', {}, 1), seg(1, 'b', {}, 2)], { idleTimeoutSec: 0.5 });
  assert.equal(r.stats.idleClosed, 1);
});

test('tcp: payloads without TCP info (from HEP) pass through with gap=true', () => {
  const p = seg(0, msg);
  delete p.tcp;
  const { out } = run([p]);
  assert.deepEqual(out.map((o) => [o.data, o.gap]), [[msg, true]]);
});

test('tcp: buffered segments are copied (frame buffers may be reused)', () => {
  const r = new TcpReassembler();
  const got: string[] = [];
  const emit = (_k: string, d: Buffer) => got.push(d.toString());
  const late = Buffer.from('later');
  r.push(seg(1, 'first'), emit);
  r.push(seg(11, late), emit);
  late.fill(0x2a);
  r.push(seg(6, 'then '), emit);
  assert.deepEqual(got, ['first', 'then ', 'later']);
});
