/**
 * RTP header check (RFC 3550 §5.1), stream statistics (§6.4.1, A.1, A.8) and
 * media.one-way from RTP, on packets built from intent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRtp } from '../../src/media/rtp.js';
import { RtpStreams, streamStats } from '../../src/media/streams.js';
import { MediaIndex } from '../../src/media/index.js';
import type { TransportPayload } from '../../src/net/packet.js';
import { mediaOneWay } from '../../src/diagnose/rules/media-one-way.js';
import { CallStore } from '../../src/calls/store.js';
import { diagnose } from '../../src/diagnose/engine.js';
import { request, response, sdp } from '../diagnose/build.js';
import type { CapturedMessage } from '../../src/calls/captured-message.js';

function rtp(o: { seq: number; ts: number; ssrc?: number; pt?: number; marker?: boolean; cc?: number; ext?: number; pad?: number; bytes?: number }): Buffer {
  const csrc = o.cc ?? 0, ext = o.ext === undefined ? 0 : 4 + o.ext * 4, pad = o.pad ?? 0;
  const b = Buffer.alloc(12 + csrc * 4 + ext + (o.bytes ?? 160) + pad);
  b[0] = 0x80 | (pad ? 0x20 : 0) | (o.ext !== undefined ? 0x10 : 0) | csrc;
  b[1] = (o.marker ? 0x80 : 0) | (o.pt ?? 0);
  b.writeUInt16BE(o.seq & 0xffff, 2);
  b.writeUInt32BE(o.ts >>> 0, 4);
  b.writeUInt32BE(o.ssrc ?? 0x1234, 8);
  if (o.ext !== undefined) b.writeUInt16BE(o.ext, 12 + csrc * 4 + 2);
  if (pad) b[b.length - 1] = pad;
  return b;
}

const udp = (from: string, to: string, at: number, payload: Buffer): TransportPayload => {
  const [si, sp] = from.split(':'), [di, dp] = to.split(':');
  const sec = Math.floor(at);
  return { frame: 0, sec, nsec: Math.round((at - sec) * 1e9), srcIp: si!, srcPort: Number(sp), dstIp: di!, dstPort: Number(dp), transport: 'udp', payload };
};

test('RTP header: version 2, CSRCs, extension and padding accounted; SIP, RTCP and short datagrams are not RTP', () => {
  assert.deepEqual(parseRtp(rtp({ seq: 7, ts: 160, pt: 8, marker: true })), { payloadType: 8, marker: true, seq: 7, timestamp: 160, ssrc: 0x1234, payloadBytes: 160 });
  assert.equal(parseRtp(rtp({ seq: 1, ts: 0, cc: 2, ext: 1, pad: 4, bytes: 20 }))!.payloadBytes, 20);
  assert.equal(parseRtp(Buffer.from('INVITE sip:bob@example.com SIP/2.0\r\n')), undefined);
  const rr = rtp({ seq: 0, ts: 0 }); rr[1] = 201; // RTCP RR on a muxed port (RFC 5761 §4)
  assert.equal(parseRtp(rr), undefined);
  assert.equal(parseRtp(Buffer.alloc(11, 0x80)), undefined);
  const badPad = rtp({ seq: 0, ts: 0, bytes: 4, pad: 1 }); badPad[badPad.length - 1] = 200;
  assert.equal(parseRtp(badPad), undefined, 'padding longer than the packet');
});

test('stream stats: loss across a sequence wrap, duplicates count negative, RFC 3550 jitter in ms', () => {
  const s = new RtpStreams();
  // 20 ms G.711 packets from seq 65530, wrapping at 65535; 65533 and 2 lost; arrival jitter ±1 ms.
  let at = 100;
  for (let i = 0; i < 12; i++) {
    const seq = (65530 + i) & 0xffff;
    at += 0.02;
    if (i === 3 || i === 8) continue;
    s.push(udp('10.0.0.1:4000', '10.0.0.2:5000', at + (i % 2 ? 0.001 : 0), rtp({ seq, ts: i * 160 })));
  }
  const [st] = s.all().map((x) => streamStats(x));
  assert.equal(st!.packets, 10);
  assert.equal(st!.expected, 12);
  assert.equal(st!.lost, 2);
  assert.equal(st!.clockRate, 8000);
  assert.ok(st!.maxJitterMs! > 0 && st!.maxJitterMs! < 1, `jitter ${st!.maxJitterMs}`);
  const d = new RtpStreams();
  for (const seq of [1, 2, 2, 3]) d.push(udp('10.0.0.1:4000', '10.0.0.2:5000', 100 + seq * 0.02, rtp({ seq, ts: seq * 160 })));
  assert.equal(streamStats(d.all()[0]!).lost, -1);
});

test('only datagrams to or from an announced endpoint are examined', () => {
  const s = new RtpStreams(new Set(['10.0.0.2:5000']));
  s.push(udp('10.0.0.1:4000', '10.0.0.2:5000', 1, rtp({ seq: 1, ts: 0 })));
  s.push(udp('10.0.0.1:4000', '10.0.0.9:5000', 1, rtp({ seq: 1, ts: 0 })));
  s.push(udp('10.0.0.1:4000', '10.0.0.2:5000', 1, Buffer.from('\x00\x01\x00\x00STUN-ish')));
  assert.equal(s.all().length, 1);
  assert.equal(s.notRtp, 1);
});

const CALLER = '198.51.100.20:5060', PROXY = '203.0.113.10:5060';
function answeredCall(): CapturedMessage[] {
  const d = { callId: 'rtp1@x' };
  return [
    request({ at: 0, from: CALLER, to: PROXY }, { ...d, sdp: sdp('198.51.100.20', 4000, '0 8') }),
    response({ at: 0.5, from: PROXY, to: CALLER }, 200, 'OK', { ...d, sdp: sdp('203.0.113.10', 5000, '0') }),
    request({ at: 0.6, from: CALLER, to: PROXY }, { ...d, method: 'ACK', toTag: 't1', branch: 'z9hG4bK-ack' }),
    request({ at: 10, from: CALLER, to: PROXY }, { ...d, method: 'BYE', cseq: 2, toTag: 't1', branch: 'z9hG4bK-bye' }),
  ];
}

function runWith(messages: CapturedMessage[], packets: TransportPayload[]) {
  const store = new CallStore({ keep: () => true });
  for (const m of messages) store.add({ ...m, seq: store.messagesSeen });
  const s = new RtpStreams();
  for (const p of packets) s.push(p);
  return diagnose({ calls: store.calls(), rules: [mediaOneWay], media: new MediaIndex(s.all()) });
}

const flow = (from: string, to: string, n: number, ssrc: number) =>
  Array.from({ length: n }, (_, i) => udp(from, to, 1 + i * 0.02, rtp({ seq: i, ts: i * 160, ssrc })));

test('media.one-way from RTP: 200 packets caller → callee, none back: error with per-direction evidence', () => {
  const [f, ...rest] = runWith(answeredCall(), flow('198.51.100.20:4000', '203.0.113.10:5000', 200, 1));
  assert.equal(rest.length, 0);
  assert.equal(f!.code, 'media.one-way');
  assert.equal(f!.severity, 'error');
  assert.match(f!.summary, /RTP flowed caller → callee only: 200 packets 198\.51\.100\.20:4000 → 203\.0\.113\.10:5000, 0 /);
  const ev = f!.evidence as { callerToCallee: { packets: number; lost: number }; calleeToCaller: { packets: number }; silentDirection: string };
  assert.equal(ev.callerToCallee.packets, 200);
  assert.equal(ev.callerToCallee.lost, 0);
  assert.equal(ev.calleeToCaller.packets, 0);
  assert.equal(ev.silentDirection, 'callee → caller');
});

test('media.one-way from RTP: a NATed caller\'s RTP arriving from its public port still counts; two-way → nothing', () => {
  const both = [...flow('192.0.2.99:61000', '203.0.113.10:5000', 150, 1), ...flow('203.0.113.10:5000', '198.51.100.20:4000', 150, 2)];
  assert.deepEqual(runWith(answeredCall(), both), []);
});

test('media.one-way from RTP: a handful against a steady stream is a warning; no RTP at all is no finding', () => {
  const few = [...flow('198.51.100.20:4000', '203.0.113.10:5000', 150, 1), ...flow('203.0.113.10:5000', '198.51.100.20:4000', 3, 2)];
  assert.deepEqual(runWith(answeredCall(), few).map((f) => f.severity), ['warning']);
  assert.deepEqual(runWith(answeredCall(), []), []);
});
