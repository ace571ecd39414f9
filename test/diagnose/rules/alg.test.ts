/**
 * SIP-ALG signatures from the field, each as a positive and a negative case:
 * Warning 399, a router answering itself, header reordering across the
 * router, rewritten tags/branch, the IP inside the Call-ID replaced, a lost
 * ';', port 70000 and a Content-Length the ALG did not fix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codes, request, response, run, sdp, sip } from '../build.js';
import { algWarning } from '../../../src/diagnose/rules/alg-warning.js';
import { algRewrite } from '../../../src/diagnose/rules/alg-rewrite.js';
import { algCallidRewritten } from '../../../src/diagnose/rules/alg-callid-rewritten.js';
import { algMalformed } from '../../../src/diagnose/rules/alg-malformed.js';
import { sipMalformed } from '../../../src/diagnose/rules/sip-malformed.js';

const PHONE = '192.168.20.100:5060';
const GW = '192.168.20.1:5060';
const WAN = '198.51.100.7:40000';
const SERVER = '203.0.113.10:5060';

test('Warning 399 naming the ALG', () => {
  const r = response({ at: 1, from: SERVER, to: PHONE }, 200, 'OK', { extra: ['Warning: 399 198.51.100.7 "SIP ALG: Contact rewritten"'] });
  const f = run([r], [algWarning]);
  assert.deepEqual(codes(f), ['alg.warning']);
  assert.equal(f[0]!.evidence['warnCode'], 399);
  assert.equal(f[0]!.evidence['agent'], '198.51.100.7');
});

test('a server\'s ordinary Warning is not an ALG', () => {
  const r = response({ at: 1, from: SERVER, to: PHONE }, 404, 'Not Found', { extra: ['Warning: 399 pbx.example.com "Dialplan has no route"'] });
  assert.deepEqual(codes(run([r], [algWarning])), []);
});

test('500 answered by the router instead of the server', () => {
  const inv = request({ at: 0, from: PHONE, to: SERVER });
  const r500 = response({ at: 0.01, from: GW, to: PHONE }, 500, 'Server Internal Error', { toTag: 'gw' });
  const f = run([inv, r500], [algWarning]);
  assert.deepEqual(codes(f), ['alg.warning']);
  assert.deepEqual(f[0]!.messages, [0, 1]);
  assert.equal(f[0]!.evidence['requestDestination'], '203.0.113.10');
  const fromServer = response({ at: 0.01, from: SERVER, to: PHONE }, 500, 'Server Internal Error');
  assert.deepEqual(codes(run([inv, fromServer], [algWarning])), []);
});

const lanInvite = (at: number, headers: string[]) => sip({ at, from: PHONE, to: SERVER }, 'INVITE sip:bob@example.com SIP/2.0', headers);
const HEADERS = [
  `Via: SIP/2.0/UDP ${PHONE};branch=z9hG4bK-1;rport`, 'Max-Forwards: 70', 'From: <sip:alice@example.com>;tag=f1',
  'To: <sip:bob@example.com>', 'Call-ID: c1@example.com', 'CSeq: 1 INVITE',
];

test('header reordering across the router (same INVITE seen on LAN and WAN)', () => {
  const before = lanInvite(0, HEADERS);
  const after = { ...sip({ at: 0.0004, from: WAN, to: SERVER }, 'INVITE sip:bob@example.com SIP/2.0', [HEADERS[0]!, HEADERS[2]!, HEADERS[1]!, ...HEADERS.slice(3)]) };
  const f = run([before, after], [algRewrite]);
  assert.deepEqual(codes(f), ['alg.rewrite']);
  const changes = f[0]!.evidence['changes'] as Array<{ where: string }>;
  assert.deepEqual(changes.map((c) => c.where), ['header order']);
});

test('plain NAT (same SIP bytes, other addresses) is not a rewrite; a retransmission is not a hop', () => {
  const before = lanInvite(0, HEADERS);
  const after = { ...before, srcIp: '198.51.100.7', srcPort: 40000, nsec: before.nsec + 300_000 };
  assert.deepEqual(codes(run([before, after], [algRewrite])), []);
  const again = { ...lanInvite(0.5, HEADERS) };
  assert.deepEqual(codes(run([before, again], [algRewrite])), []);
});

test('Via branch rewritten in the response', () => {
  const inv = request({ at: 0, from: PHONE, to: SERVER }, { branch: 'z9hG4bK-orig' });
  const ok = response({ at: 0.1, from: SERVER, to: PHONE }, 200, 'OK', { branch: 'z9hG4bK-alg' });
  const f = run([inv, ok], [algCallidRewritten]);
  assert.deepEqual(codes(f), ['alg.callid-rewritten']);
  assert.deepEqual(f[0]!.evidence['requestBranches'], ['z9hG4bK-orig']);
});

test('From tag rewritten in the response; To tag rewritten before the ACK', () => {
  const inv = request({ at: 0, from: PHONE, to: SERVER });
  const ok = response({ at: 0.1, from: SERVER, to: PHONE }, 200, 'OK', { fromTag: 'alg-f' });
  assert.deepEqual(codes(run([inv, ok], [algCallidRewritten])), ['alg.callid-rewritten']);
  const ok2 = response({ at: 0.1, from: SERVER, to: PHONE }, 200, 'OK', { toTag: 't1' });
  const ack = request({ at: 0.2, from: PHONE, to: SERVER }, { method: 'ACK', branch: 'z9hG4bK-2', toTag: 'alg-t' });
  const f = run([inv, ok2, ack], [algCallidRewritten]);
  assert.deepEqual(codes(f), ['alg.callid-rewritten']);
  assert.deepEqual(f[0]!.messages, [2]);
});

test('a clean dialog with a fork (two To tags) is not a rewrite', () => {
  const inv = request({ at: 0, from: PHONE, to: SERVER });
  const r1 = response({ at: 0.1, from: SERVER, to: PHONE }, 180, 'Ringing', { toTag: 'a' });
  const r2 = response({ at: 0.1, from: SERVER, to: PHONE }, 180, 'Ringing', { toTag: 'b' });
  const ok = response({ at: 0.3, from: SERVER, to: PHONE }, 200, 'OK', { toTag: 'b' });
  const ack = request({ at: 0.4, from: PHONE, to: SERVER }, { method: 'ACK', branch: 'z9hG4bK-2', toTag: 'b' });
  const bye = request({ at: 5, from: SERVER, to: PHONE }, { method: 'BYE', branch: 'z9hG4bK-3', via: SERVER, from: 'bob', fromTag: 'b', to: 'alice', toTag: 'f1', cseq: 7 });
  assert.deepEqual(codes(run([inv, r1, r2, ok, ack, bye], [algCallidRewritten])), []);
});

test('IP inside the Call-ID replaced: one call split in two', () => {
  const inv = request({ at: 0, from: WAN, to: SERVER }, { callId: '3c26b9@192.168.20.100', via: WAN });
  const ok = response({ at: 0.1, from: SERVER, to: WAN }, 200, 'OK', { callId: '3c26b9@198.51.100.7', via: WAN });
  const f = run([inv, ok], [algCallidRewritten]);
  assert.deepEqual(codes(f), ['alg.callid-rewritten']);
  assert.equal(f[0]!.callId, '3c26b9@192.168.20.100');
  assert.equal(f[0]!.evidence['rewritten'], '3c26b9@198.51.100.7');
  const other = request({ at: 0, from: WAN, to: SERVER }, { callId: 'zzzz@198.51.100.7', via: WAN });
  assert.deepEqual(codes(run([inv, other], [algCallidRewritten])), []);
});

test('lost ";" in Via and Contact, port 70000: alg.malformed, not sip.malformed', () => {
  const m = sip({ at: 0, from: WAN, to: SERVER }, 'REGISTER sip:example.com SIP/2.0', [
    'Via: SIP/2.0/UDP 198.51.100.7:5060branch=z9hG4bK-1;rport',
    'From: <sip:alice@example.com>;tag=1', 'To: <sip:alice@example.com>', 'Call-ID: r1', 'CSeq: 1 REGISTER',
    'Contact: <sip:alice@198.51.100.7:70000>expires=60',
  ]);
  const f = run([m], [algMalformed, sipMalformed]);
  assert.deepEqual(codes(f), ['alg.malformed']);
  const problems = (f[0]!.evidence['defects'] as Array<{ header: string; problem: string }>).map((d) => `${d.header}: ${d.problem}`);
  assert.equal(problems.length, 3, problems.join('\n'));
  assert.ok(problems.some((p) => /^Via: missing ";"/.test(p)));
  assert.ok(problems.some((p) => /^Contact: port 70000/.test(p)));
  assert.ok(problems.some((p) => /^Contact: missing ";"/.test(p)));
});

test('Via port 70000 alone', () => {
  const m = request({ at: 0, from: WAN, to: SERVER }, { via: '198.51.100.7:70000' });
  assert.deepEqual(codes(run([m], [algMalformed])), ['alg.malformed']);
});

test('Content-Length not matching a UDP body is the ALG\'s; CR/LF padding is not', () => {
  const body = sdp('198.51.100.7', 4000, '0');
  const wrong = sip({ at: 0, from: WAN, to: SERVER }, 'INVITE sip:bob@example.com SIP/2.0', [...HEADERS, 'Content-Type: application/sdp', `Content-Length: ${body.length - 4}`], body);
  const f = run([wrong], [algMalformed, sipMalformed]);
  assert.deepEqual(codes(f), ['alg.malformed']);
  const padded = sip({ at: 0, from: WAN, to: SERVER }, 'INVITE sip:bob@example.com SIP/2.0', [...HEADERS, 'Content-Type: application/sdp', `Content-Length: ${body.length}`], body + '\r\n');
  assert.deepEqual(codes(run([padded], [algMalformed])), []);
});

test('clean messages carry no ALG damage', () => {
  const inv = request({ at: 0, from: PHONE, to: SERVER }, { contact: `sip:alice@${PHONE};transport=udp`, sdp: sdp('192.168.20.100', 4000, '0 8 101', ['a=rtpmap:101 telephone-event/8000']) });
  assert.deepEqual(codes(run([inv], [algMalformed, sipMalformed])), []);
});
