/**
 * Transaction timing (issue 7) against RFC 3261's timers: an INVITE left
 * without a provisional response past T1, retransmission schedules off
 * timer A/E, and a call that only ever got 100 Trying. Each scenario runs all
 * rules and must yield exactly the expected findings; a call answered at once
 * and a textbook retransmission schedule yield none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request, response, run, type Dialog } from '../build.js';
import type { CapturedMessage } from '../../../src/calls/captured-message.js';
import type { Finding } from '../../../src/diagnose/finding.js';
import { RULES } from '../../../src/diagnose/rules/index.js';

const A = '203.0.113.30:5060';
const B = '203.0.113.40:5060';
const lines = (fs: Finding[]): string[] => fs.map((f) => `${f.code}(${f.severity}) [${f.messages.join(',')}]`);
const sends = (times: number[], d: Dialog = {}): CapturedMessage[] => times.map((at) => request({ at, from: A, to: B }, { via: A, ...d }));
const back = (at: number, status: number, reason: string, d: Dialog = {}): CapturedMessage => response({ at, from: B, to: A }, status, reason, { via: A, ...d });
/** Unrelated traffic at `at`, so the capture goes on. */
const later = (at: number): CapturedMessage[] => [
  request({ at, from: '203.0.113.50:5060', to: B }, { method: 'OPTIONS', callId: 'ping', branch: 'z9hG4bK-ping' }),
  response({ at: at + 0.01, from: B, to: '203.0.113.50:5060' }, 200, 'OK', { method: 'OPTIONS', callId: 'ping', branch: 'z9hG4bK-ping', via: '203.0.113.50:5060' }),
];

test('a call answered at once and a textbook timer A schedule before a 200 produce no timing finding', () => {
  assert.deepEqual(lines(run([...sends([0]), back(0.05, 100, 'Trying'), back(1, 180, 'Ringing'), back(3, 200, 'OK')], [...RULES])), []);
  // Retransmitted while the far end was slow, but 100 within T1 of the last send: no deviation, and
  // timer A's schedule (0.5 s doubling) is right — only the late answer shows.
  const f = run([...sends([0, 0.5, 1.5]), back(1.6, 100, 'Trying'), back(2, 200, 'OK')], [...RULES]);
  assert.deepEqual(lines(f), ['timing.no-provisional(warning) [0,1,2,3]']);
});

test('timing.no-provisional: nothing back (error), a 408 (error), one retransmission then 180 (info)', () => {
  const silent = run([...sends([0, 0.5, 1.5, 3.5]), ...later(40)], [...RULES]);
  assert.deepEqual(lines(silent), ['timing.no-provisional(error) [0,1,2,3]']);
  assert.match(silent[0]!.summary, /sent 4 times over 3\.5 s.*nothing came back/);
  // gen-sip-pcap's "timeout" calls: INVITE + 4 retransmissions, then the server's 408.
  const timeout = run([...sends([0, 0.5, 1.5, 3.5, 7.5]), back(9, 408, 'Request Timeout')], [...RULES]);
  assert.deepEqual(lines(timeout), ['timing.no-provisional(error) [0,1,2,3,4,5]']);
  assert.deepEqual(timeout[0]!.evidence['firstResponse'], { status: 408, afterSeconds: 9 });
  const slow = run([...sends([0, 0.5]), back(0.7, 180, 'Ringing'), back(2, 200, 'OK')], [...RULES]);
  assert.deepEqual(lines(slow), ['timing.no-provisional(info) [0,1,2]']);
  // A slow final answer nobody retransmitted for is no transaction failure.
  assert.deepEqual(lines(run([...sends([0]), back(2, 486, 'Busy Here')], [...RULES])), []);
});

test('timing.no-provisional leaves an unanswered INVITE to a NATed registered phone to nat.binding-timeout', () => {
  const PHONE_NAT = '198.51.100.7:5060';
  const reg = request({ at: 0, from: PHONE_NAT, to: B }, { method: 'REGISTER', callId: 'reg', branch: 'z9hG4bK-reg', via: '192.168.1.20:5060', contact: 'sip:2001@192.168.1.20:5060', extra: ['Expires: 3600'] });
  const regOk = response({ at: 0.01, from: B, to: PHONE_NAT }, 200, 'OK', { method: 'REGISTER', callId: 'reg', branch: 'z9hG4bK-reg', via: '192.168.1.20:5060', extra: ['Contact: <sip:2001@192.168.1.20:5060>;expires=3600'] });
  const invites = [0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5].map((s) => request({ at: 600 + s, from: B, to: PHONE_NAT }, { callId: 'in', via: B, branch: 'z9hG4bK-in' }));
  const codes = run([reg, regOk, ...invites], [...RULES]).map((f) => f.code);
  assert.ok(codes.includes('nat.binding-timeout'), codes.join());
  assert.ok(!codes.includes('timing.no-provisional'), codes.join());
});

test('timing.retransmission: T1 of 200 ms with the right doubling is info', () => {
  const f = run([...sends([0, 0.2, 0.6, 1.4]), back(1.5, 180, 'Ringing'), back(3, 200, 'OK')], [...RULES]);
  assert.deepEqual(lines(f), ['timing.no-provisional(warning) [0,1,2,3,4]', 'timing.retransmission(info) [0,1,2,3]']);
  assert.equal(f[1]!.evidence['t1Seconds'], 0.2);
});

test('timing.retransmission: timer E not capped at T2, and a fixed 1 s interval, are warnings', () => {
  const register = { method: 'REGISTER', from: '2001', to: '2001', contact: 'sip:2001@203.0.113.30:5060' };
  const uncapped = run([...later(0), ...sends([10, 10.5, 11.5, 13.5, 17.5, 25.5], register), back(26, 200, 'OK', { ...register, extra: ['Contact: <sip:2001@203.0.113.30:5060>;expires=3600'] })], [...RULES]);
  assert.deepEqual(lines(uncapped), ['timing.retransmission(warning) [0,1,2,3,4,5]']);
  assert.deepEqual(uncapped[0]!.evidence['intervals'], [0.5, 1, 2, 4, 8]);
  assert.deepEqual(uncapped[0]!.evidence['expectedIntervals'], [0.5, 1, 2, 4, 4]);
  const bye = { method: 'BYE', cseq: 2, toTag: 't1' };
  const fixed = run([...later(0), ...sends([40, 41, 42, 43, 44], bye), back(44.1, 200, 'OK', bye)], [...RULES]);
  assert.deepEqual(lines(fixed), ['timing.retransmission(warning) [0,1,2,3,4]']);
  assert.match(fixed[0]!.summary, /intervals 1, 1, 1, 1 s; RFC 3261 gives 0\.5, 1, 2, 4 s/);
});

test('timing.retransmission: a CANCEL seen every 4 s from the capture\'s start is timer E\'s capped phase', () => {
  const cancel = { method: 'CANCEL' };
  assert.deepEqual(lines(run([...sends([0, 4, 8, 12, 16], cancel), back(16.1, 200, 'OK', cancel)], [...RULES])), []);
});

test('timing.retransmission: INVITE retransmitted long after its 100 Trying went back', () => {
  const f = run([...sends([0, 0.5, 1.5, 3.5]), back(0.05, 100, 'Trying'), back(5, 200, 'OK')], [...RULES]);
  assert.deepEqual(lines(f), ['timing.retransmission(warning) [0,1,2,3,4]']);
  assert.equal(f[0]!.evidence['retransmissionsAfter'], 2);
  assert.match(f[0]!.advice, /response is lost/);
});

test('timing.no-answer: 100 Trying, then 408; or then nothing for longer than timer C', () => {
  const f = run([...sends([0]), back(0.05, 100, 'Trying'), back(32, 408, 'Request Timeout')], [...RULES]);
  assert.deepEqual(lines(f), ['timing.no-answer(error) [0,1,2]']);
  assert.match(f[0]!.summary, /100 Trying from 203\.0\.113\.40:5060 after 0\.05 s, then no ringing and 408 after 32 s/);
  const silent = run([...sends([0]), back(0.05, 100, 'Trying'), ...later(250)], [...RULES]);
  assert.deepEqual(lines(silent), ['timing.no-answer(error) [0,1]']);
});

test('timing.no-answer: not when it rang, when the caller cancelled, or when the capture ended soon', () => {
  assert.deepEqual(lines(run([...sends([0]), back(0.05, 100, 'Trying'), back(1, 180, 'Ringing'), back(60, 408, 'Request Timeout')], [...RULES])), []);
  const cancel = request({ at: 20, from: A, to: B }, { via: A, method: 'CANCEL' });
  const cancelled = [...sends([0]), back(0.05, 100, 'Trying'), cancel, back(20.05, 200, 'OK', { method: 'CANCEL' }), back(20.1, 487, 'Request Terminated')];
  assert.deepEqual(lines(run(cancelled, [...RULES])), []);
  assert.deepEqual(lines(run([...sends([0]), back(0.05, 100, 'Trying'), ...later(60)], [...RULES])), []);
});
