import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocketParser, startsWithHttp, type WebSocketOptions } from '../../src/net/websocket.js';
import { sipRequest, wsFrame } from '../helpers/packet-builders.js';

const upgradeReq = 'GET / HTTP/1.1\r\nHost: sip.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: sip\r\n\r\n';
const upgradeRes = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: sip\r\n\r\n';
const sip = sipRequest('ws@test');

function parse(chunks: Buffer[], opts: Partial<WebSocketOptions> = {}) {
  const p = new WebSocketParser(opts);
  const msgs: { text: string; binary: boolean }[] = [];
  for (const c of chunks) p.push(c, (m, binary) => msgs.push({ text: m.toString(), binary }));
  p.end();
  return { p, msgs };
}

test('ws: client stream — Upgrade request skipped, masked text frames decoded', () => {
  const stream = Buffer.concat([Buffer.from(upgradeReq), wsFrame({ mask: true }, sip), wsFrame({ mask: true }, sip)]);
  assert.ok(startsWithHttp(stream));
  const { msgs, p } = parse([stream]);
  assert.deepEqual(msgs, [{ text: sip, binary: false }, { text: sip, binary: false }]);
  assert.deepEqual(p.issues, []);
});

test('ws: split at every offset gives the same messages', () => {
  const stream = Buffer.concat([Buffer.from(upgradeRes), wsFrame({}, sip), wsFrame({ opcode: 2, mask: true }, 'bin')]);
  for (let i = 1; i < stream.length; i++) {
    const { msgs, p } = parse([stream.subarray(0, i), stream.subarray(i)]);
    assert.deepEqual(msgs.map((m) => m.text), [sip, 'bin'], `split at ${i}`);
    assert.equal(msgs[1].binary, true);
    assert.deepEqual(p.issues, []);
  }
});

test('ws: 16-bit and 64-bit lengths', () => {
  const mid = 'a'.repeat(300);
  const big = 'b'.repeat(70000);
  const { msgs } = parse([wsFrame({ mask: true }, mid), wsFrame({}, big)]);
  assert.deepEqual(msgs.map((m) => m.text.length), [300, 70000]);
});

test('ws: fragmented message with a ping between the fragments', () => {
  const stream = Buffer.concat([
    wsFrame({ fin: false, mask: true }, sip.slice(0, 10)),
    wsFrame({ opcode: 9, mask: true }, 'ping'),
    wsFrame({ opcode: 0, fin: false, mask: true }, sip.slice(10, 30)),
    wsFrame({ opcode: 0, mask: true }, sip.slice(30)),
    wsFrame({ opcode: 8 }, Buffer.from([3, 232])),
  ]);
  const { msgs, p } = parse([stream]);
  assert.deepEqual(msgs.map((m) => m.text), [sip]);
  assert.equal(p.stats.controlFrames, 2);
});

test('ws: a message over maxPayload is dropped with an issue; the next one survives', () => {
  const stream = Buffer.concat([wsFrame({}, 'x'.repeat(1000)), wsFrame({}, sip)]);
  for (const chunks of [[stream], [stream.subarray(0, 50), stream.subarray(50, 1010), stream.subarray(1010)]]) {
    const { msgs, p } = parse(chunks, { maxPayload: sip.length });
    assert.deepEqual(msgs.map((m) => m.text), [sip]);
    assert.equal(p.issues[0].code, 'ws.max-payload');
    assert.equal(p.stats.dropped, 1);
  }
});

test('ws: stray continuation, compressed frames and truncation are issues', () => {
  const { p, msgs } = parse([wsFrame({ opcode: 0 }, 'orphan'), wsFrame({ rsv1: true }, 'zz'), wsFrame({}, sip).subarray(0, 10)]);
  assert.equal(msgs.length, 0);
  assert.deepEqual(p.issues.map((i) => i.code), ['ws.bad-opcode', 'ws.compressed', 'ws.truncated']);
});

test('ws: an endless handshake is bounded', () => {
  const { p } = parse([Buffer.from('GET / HTTP/1.1\r\n' + 'X: y\r\n'.repeat(100))], { maxHandshake: 200 });
  assert.equal(p.issues[0].code, 'ws.bad-handshake');
});
