/**
 * The ladder model and its terminal drawing. A call through a proxy built from
 * intent: SDP offer/answer, a retransmission, a duplicate capture, a hostile
 * Server header; drawn at 80 and 160 columns, Unicode and ASCII, against
 * snapshots in test/report/snapshots (UPDATE_SNAPSHOTS=1 rewrites them).
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CapturedMessage } from '../../src/calls/captured-message.js';
import { buildLadder, type Ladder } from '../../src/report/ladder.js';
import { renderLadderText } from '../../src/report/ladder-text.js';
import { captured, request, response } from '../helpers/messages.js';
import { REPO } from '../helpers/paths.js';

const SNAPSHOTS = join(REPO, 'test', 'report', 'snapshots');
const PHONE = '10.0.0.1:5060';
const PROXY = '192.0.2.10:5060';
const CALLEE = '[2001:db8::20]:5080';
const CALLEE_IP = '2001:db8::20';
const SDP = ['Content-Type: application/sdp'];
const sdpBody = (ip: string): string => `v=0\no=- 1 1 IN IP4 ${ip}\ns=-\nc=IN IP4 ${ip}\nt=0 0\nm=audio 4000 RTP/AVP 0\n`;

function withBody(text: string, body: string): string {
  return text.replace('Content-Length: 0\n\n', `Content-Length: ${body.replace(/\n/g, '\r\n').length}\n\n${body}`);
}

/** The IPv6 callee (the shared helper splits `ip:port` at the first colon). */
function toCallee(m: CapturedMessage): CapturedMessage {
  return { ...m, dstIp: CALLEE_IP, dstPort: 5080 };
}
function fromCallee(m: CapturedMessage): CapturedMessage {
  return { ...m, srcIp: CALLEE_IP, srcPort: 5080 };
}

/** Phone → proxy → callee; the phone's INVITE is retransmitted, the 180 captured twice. */
export function proxyCall(): Ladder {
  const t0 = 1_700_000_000;
  const ua = ['User-Agent: Linphone/5.2 (belle-sip)'];
  const hostile = ['Server: Evil\u001b[2J<script>alert(1)</script>'];
  const inv = withBody(request('INVITE', { extra: [...ua, ...SDP] }), sdpBody('10.0.0.1'));
  const inv2 = withBody(request('INVITE', { branch: 'z9hG4bK-2', extra: SDP }), sdpBody('10.0.0.1'));
  const messages = [
    captured(inv, { at: t0, from: PHONE, to: PROXY }),
    captured(inv, { at: t0 + 0.5, from: PHONE, to: PROXY }),
    captured(response(100, 'Trying', 'INVITE'), { at: t0 + 0.501, from: PROXY, to: PHONE }),
    toCallee(captured(inv2, { at: t0 + 0.502, from: PROXY })),
    fromCallee(captured(response(180, 'Ringing', 'INVITE', { branch: 'z9hG4bK-2', extra: hostile }), { at: t0 + 1.2, to: PROXY })),
    fromCallee(captured(response(180, 'Ringing', 'INVITE', { branch: 'z9hG4bK-2', extra: hostile }), { at: t0 + 1.2001, to: PROXY })),
    fromCallee(captured(withBody(response(200, 'OK', 'INVITE', { branch: 'z9hG4bK-2', extra: SDP }), sdpBody('10.0.0.20')), { at: t0 + 3, to: PROXY })),
    captured(withBody(response(200, 'OK', 'INVITE', { extra: SDP }), sdpBody('10.0.0.20')), { at: t0 + 3.001, from: PROXY, to: PHONE }),
    captured(request('ACK', { branch: 'z9hG4bK-3' }), { at: t0 + 3.05, from: PHONE, to: PROXY }),
    captured(request('OPTIONS', { branch: 'z9hG4bK-4' }), { at: t0 + 4, from: PROXY, to: PROXY }),
    captured(request('BYE', { cseq: 2, branch: 'z9hG4bK-5' }), { at: t0 + 63.25, from: PHONE, to: PROXY }),
    captured(response(200, 'OK', 'BYE', { cseq: 2, branch: 'z9hG4bK-5' }), { at: t0 + 63.3, from: PROXY, to: PHONE }),
  ];
  return buildLadder('call-1@10.0.0.1', messages);
}

test('model: columns in order of appearance, names from User-Agent/Server', () => {
  const l = proxyCall();
  assert.deepEqual(l.endpoints.map((e) => e.address), [PHONE, PROXY, CALLEE]);
  assert.equal(l.endpoints[0]!.name, 'Linphone/5.2');
  assert.equal(l.endpoints[1]!.name, null);
  assert.equal(l.endpoints[2]!.name, 'Evil\u001b[2J<script>alert(1)</script>');
  assert.equal(l.arrows.length, 12);
  assert.deepEqual(l.arrows.map((a) => [a.from, a.to]), [[0, 1], [0, 1], [1, 0], [1, 2], [2, 1], [2, 1], [2, 1], [1, 0], [0, 1], [1, 1], [0, 1], [1, 0]]);
});

test('model: retransmission and duplicate marks follow the store (5 ms window)', () => {
  const l = proxyCall();
  assert.deepEqual(l.arrows.map((a) => a.repeat), [null, 'retransmission', null, null, null, 'duplicate', null, null, null, null, null, null]);
});

test('model: SDP offer/answer per leg order, repeats inherit the role', () => {
  const l = proxyCall();
  // Each side of the proxy runs its own exchange: INVITE offers, 200 answers.
  assert.deepEqual(l.arrows.map((a) => a.sdp), ['offer', 'offer', null, 'offer', null, null, 'answer', 'answer', null, null, null, null]);
});

test('model: relative times and labels', () => {
  const l = proxyCall();
  assert.equal(l.arrows[0]!.at, 0);
  assert.ok(Math.abs(l.arrows[10]!.at - 63.25) < 1e-6);
  assert.equal(l.arrows[4]!.label, '180 Ringing');
  assert.equal(l.start, '2023-11-14T22:13:20.000000Z');
});

for (const width of [80, 160]) {
  for (const unicode of [true, false]) {
    const name = `proxy-call.${width}.${unicode ? 'unicode' : 'ascii'}.txt`;
    test(`text ladder snapshot ${name}`, () => {
      const text = renderLadderText(proxyCall(), { width, unicode });
      for (const line of text.split('\n')) assert.ok([...line].length <= width, `line wider than ${width}: ${line}`);
      assert.ok(!text.includes('\u001b'), 'escape sequence from a payload reached the terminal');
      if (!unicode) assert.match(text, /^[\x20-\x7e\n]*$/, 'ASCII mode printed a non-ASCII character');
      checkSnapshot(name, text);
    });
  }
}

test('too narrow for lifelines: one line per message with a legend', () => {
  const text = renderLadderText(proxyCall(), { width: 24, unicode: false });
  assert.match(text, /^A 10\.0\.0\.1:5060 Linphone\/5\.2$/m);
  assert.match(text, /^ +0\.500 A -> B  INVITE \(SDP offer\) \[rtx\]$/m);
  assert.equal(text.split('\n').filter((l) => / -> /.test(l)).length, 12);
});

test('colours only when asked', () => {
  const plain = renderLadderText(proxyCall(), { width: 160 });
  const coloured = renderLadderText(proxyCall(), { width: 160, color: true });
  assert.ok(!plain.includes('\u001b['));
  assert.ok(coloured.includes('\u001b[32m'), 'a 200 OK is green');
  assert.equal(coloured.replace(/\u001b\[\d+m/g, ''), plain);
});

function checkSnapshot(name: string, text: string): void {
  const path = join(SNAPSHOTS, name);
  if (process.env['UPDATE_SNAPSHOTS'] === '1') {
    mkdirSync(SNAPSHOTS, { recursive: true });
    writeFileSync(path, text);
  }
  assert.ok(existsSync(path), `no snapshot ${path}: run with UPDATE_SNAPSHOTS=1 and review it`);
  assert.equal(text, readFileSync(path, 'utf8'));
}
