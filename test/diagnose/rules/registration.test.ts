/**
 * Registration faults (issue 7): credentials rejected in a 401 loop, 403 to
 * REGISTER, 423 Interval Too Brief, and bindings that run out. Each scenario
 * is built message by message and must yield exactly the expected findings
 * from all rules together; the normal flows (challenge, refresh with a stale
 * nonce, refresh before expiry) yield none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request, response, run } from '../build.js';
import type { CapturedMessage } from '../../../src/calls/captured-message.js';
import type { Finding } from '../../../src/diagnose/finding.js';
import { RULES } from '../../../src/diagnose/rules/index.js';

const PHONE = '203.0.113.20:5060';
const REGISTRAR = '203.0.113.5:5060';
const CONTACT = 'sip:2001@203.0.113.20:5060';

function reg(at: number, cseq: number, extra: string[] = [], callId = 'reg-1'): CapturedMessage {
  return request({ at, from: PHONE, to: REGISTRAR }, { method: 'REGISTER', callId, cseq, branch: `z9hG4bK-r${callId}${cseq}`, from: '2001', to: '2001', contact: CONTACT, extra });
}
function ans(at: number, cseq: number, status: number, reason: string, extra: string[] = [], callId = 'reg-1'): CapturedMessage {
  return response({ at, from: REGISTRAR, to: PHONE }, status, reason, { method: 'REGISTER', callId, cseq, branch: `z9hG4bK-r${callId}${cseq}`, from: '2001', to: '2001', via: PHONE, extra });
}
const challenge = (nonce: string, stale = false): string => `WWW-Authenticate: Digest realm="example.com", nonce="${nonce}", algorithm=MD5, qop="auth"${stale ? ', stale=true' : ''}`;
const creds = (nonce: string, user = '2001'): string => `Authorization: Digest username="${user}", realm="example.com", nonce="${nonce}", uri="sip:example.com", response="0123456789abcdef0123456789abcdef", algorithm=MD5, qop=auth, nc=00000001, cnonce="c1"`;
const lines = (fs: Finding[]): string[] => fs.map((f) => `${f.code}(${f.severity}) [${f.messages.join(',')}]`);
/** Something else going on until `at`, so the capture continues past a binding's expiry. */
const laterTraffic = (at: number): CapturedMessage[] => [
  request({ at, from: '203.0.113.30:5060', to: REGISTRAR }, { method: 'OPTIONS', callId: 'ping', from: 'monitor', to: 'monitor', branch: 'z9hG4bK-ping' }),
  response({ at: at + 0.01, from: REGISTRAR, to: '203.0.113.30:5060' }, 200, 'OK', { method: 'OPTIONS', callId: 'ping', from: 'monitor', to: 'monitor', branch: 'z9hG4bK-ping', via: '203.0.113.30:5060' }),
];

test('register.auth-failed: credentials on the latest nonce challenged again, twice', () => {
  const f = run([
    reg(0, 1), ans(0.02, 1, 401, 'Unauthorized', [challenge('n1')]),
    reg(0.05, 2, [creds('n1')]), ans(0.07, 2, 401, 'Unauthorized', [challenge('n2')]),
    reg(0.1, 3, [creds('n2')]), ans(0.12, 3, 401, 'Unauthorized', [challenge('n3')]),
  ], [...RULES]);
  assert.deepEqual(lines(f), ['register.auth-failed(error) [2,3,4,5]']);
  assert.equal(f[0]!.evidence['failedAttempts'], 2);
  assert.equal(f[0]!.evidence['username'], '2001');
  assert.match(f[0]!.summary, /2001@example\.com.*challenged again 2 times \(401\)/);
});

test('register.auth-failed: not for the normal challenge, a stale nonce, or a refresh reusing an accepted nonce', () => {
  const normal = [reg(0, 1), ans(0.02, 1, 401, 'Unauthorized', [challenge('n1')]), reg(0.05, 2, [creds('n1')]), ans(0.07, 2, 200, 'OK', [`Contact: <${CONTACT}>;expires=3600`])];
  assert.deepEqual(lines(run(normal, [...RULES])), []);
  const stale = [
    reg(0, 1, [creds('old')]), ans(0.02, 1, 401, 'Unauthorized', [challenge('n1')]),
    reg(0.05, 2, [creds('n1')]), ans(0.07, 2, 401, 'Unauthorized', [challenge('n2', true)]),
    reg(0.1, 3, [creds('n2')]), ans(0.12, 3, 200, 'OK', [`Contact: <${CONTACT}>;expires=3600`]),
  ];
  assert.deepEqual(lines(run(stale, [...RULES])), []);
  // eyeBeam (gprshome-wireshark-sip.pcap): the refresh reuses the first, accepted nonce; the server
  // answers with a fresh challenge without stale=true, and the next REGISTER is accepted.
  const reuse = [...normal, reg(1800, 3, [creds('n1')]), ans(1800.02, 3, 407, 'Proxy Authentication Required', [challenge('n9')]),
    reg(1800.05, 4, [creds('n9')]), ans(1800.07, 4, 200, 'OK', [`Contact: <${CONTACT}>;expires=3600`])];
  assert.deepEqual(lines(run(reuse, [...RULES])), []);
});

test('register.forbidden: 403 to the credentialed REGISTER', () => {
  const f = run([reg(0, 1), ans(0.02, 1, 401, 'Unauthorized', [challenge('n1')]), reg(0.05, 2, [creds('n1', 'wrong-user')]), ans(0.07, 2, 403, 'Forbidden', ['Warning: 399 203.0.113.5 "Bad credentials"'])], [...RULES]);
  assert.deepEqual(lines(f), ['register.forbidden(error) [2,3]']);
  assert.equal(f[0]!.evidence['credentialsSent'], true);
  assert.equal(f[0]!.evidence['username'], 'wrong-user');
  assert.match(f[0]!.summary, /403 Forbidden.*"wrong-user".*Bad credentials/);
});

test('register.interval-too-brief: 423 then a retry with Min-Expires accepted (info); no retry (warning)', () => {
  const brief = [reg(0, 1, ['Expires: 30']), ans(0.02, 1, 423, 'Interval Too Brief', ['Min-Expires: 300'])];
  const fixed = run([...brief, reg(0.05, 2, ['Expires: 300']), ans(0.07, 2, 200, 'OK', [`Contact: <${CONTACT}>;expires=300`])], [...RULES]);
  assert.deepEqual(lines(fixed), ['register.interval-too-brief(info) [0,1,2,3]']);
  assert.deepEqual([fixed[0]!.evidence['expiresRequested'], fixed[0]!.evidence['minExpires'], fixed[0]!.evidence['retriedWith']], [30, 300, 300]);
  const stuck = run([...brief, reg(0.05, 2, ['Expires: 30']), ans(0.07, 2, 423, 'Interval Too Brief', ['Min-Expires: 300'])], [...RULES]);
  assert.deepEqual(lines(stuck), ['register.interval-too-brief(warning) [0,1,2,3]']);
  assert.equal(stuck[0]!.evidence['times'], 2);
});

const ok = (at: number, cseq: number, expires = 60, callId = 'reg-1'): CapturedMessage[] =>
  [reg(at, cseq, [], callId), ans(at + 0.02, cseq, 200, 'OK', [`Contact: <${CONTACT}>;expires=${expires}`], callId)];

test('register.lapsed: refreshed in time, on this Call-ID or another, is no finding', () => {
  assert.deepEqual(lines(run([...ok(0, 1), ...ok(50, 2), ...laterTraffic(100)], [...RULES])), []);
  assert.deepEqual(lines(run([...ok(0, 1), ...ok(50, 1, 60, 'reg-2'), ...laterTraffic(100)], [...RULES])), []);
  // The capture ends before the expiry: nothing to judge.
  assert.deepEqual(lines(run([...ok(0, 1), ...laterTraffic(40)], [...RULES])), []);
  // A de-registration ends the binding on purpose.
  const unregister = [reg(30, 2, ['Expires: 0']), ans(30.02, 2, 200, 'OK')];
  assert.deepEqual(lines(run([...ok(0, 1), ...unregister, ...laterTraffic(100)], [...RULES])), []);
});

test('register.lapsed: the phone went quiet (info); its refresh failed or came late (warning)', () => {
  const quiet = run([...ok(0, 1), ...laterTraffic(100)], [...RULES]);
  assert.deepEqual(lines(quiet), ['register.lapsed(info) [0,1]']);
  assert.equal(quiet[0]!.evidence['grantedSeconds'], 60);
  assert.match(quiet[0]!.summary, /accepted for 60 s expired and the capture went on 39\.99 s.*nothing more was heard/);

  const failed = run([...ok(0, 1), reg(50, 2), ans(50.02, 2, 403, 'Forbidden'), ...laterTraffic(100)], [...RULES]);
  assert.deepEqual(lines(failed), ['register.forbidden(error) [2,3]', 'register.lapsed(warning) [0,1,2,3]']);

  const late = run([...ok(0, 1), ...ok(90, 2), ...laterTraffic(100)], [...RULES]);
  assert.deepEqual(lines(late), ['register.lapsed(warning) [0,1,2]']);
  assert.deepEqual((late[0]!.evidence['nextRegistration'] as { sameCallId: boolean }).sameCallId, true);
  assert.match(late[0]!.summary, /came 29\.98 s after the expiry on the same Call-ID/);

  // A new Call-ID long after: a restarted phone (info), reported on the lapsed binding's Call-ID.
  const restarted = run([...ok(0, 1), ...ok(90, 1, 60, 'reg-2'), ...laterTraffic(100)], [...RULES]);
  assert.deepEqual(restarted.map((x) => `${x.code}(${x.severity}) ${x.callId}`), ['register.lapsed(info) reg-1']);
});
