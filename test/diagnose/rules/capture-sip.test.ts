/** capture.duplicate and sip.malformed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codes, request, run, sip } from '../build.js';
import { captureDuplicate } from '../../../src/diagnose/rules/capture-duplicate.js';
import { sipMalformed } from '../../../src/diagnose/rules/sip-malformed.js';

const A = '203.0.113.30:5060';
const B = '203.0.113.10:5060';

test('the same packet twice within a millisecond is a duplicate capture', () => {
  const m = request({ at: 0, from: A, to: B });
  const f = run([m, { ...m, nsec: m.nsec + 20_000 }], [captureDuplicate]);
  assert.deepEqual(codes(f), ['capture.duplicate']);
  assert.deepEqual(f[0]!.evidence['pairs'], [[0, 1]]);
});

test('a retransmission 500 ms later, or the copy on the other side of a NAT, is not', () => {
  const m = request({ at: 0, from: A, to: B });
  assert.deepEqual(codes(run([m, request({ at: 0.5, from: A, to: B })], [captureDuplicate])), []);
  assert.deepEqual(codes(run([m, { ...m, srcIp: '198.51.100.7', nsec: m.nsec + 20_000 }], [captureDuplicate])), []);
});

test('sip.malformed names the parser issue and the message', () => {
  const bad = sip({ at: 0, from: A, to: B }, 'INVITE sip:bob@example.com SIP/2.0', [
    'Via: SIP/2.0/UDP 203.0.113.30:5060;branch=z9hG4bK-1', 'From: <sip:a@example.com>;tag=1', 'To: <sip:b@example.com>',
    'Call-ID: m1', 'CSeq: 1 INVITE', 'Content-Length: bad',
  ]);
  const f = run([bad], [sipMalformed]);
  assert.deepEqual(codes(f), ['sip.malformed']);
  const issues = f[0]!.evidence['issues'] as Array<{ code: string; message: number }>;
  assert.ok(issues.some((i) => i.code === 'sip.bad-content-length' && i.message === 0), JSON.stringify(issues));
});

test('a clean message is not malformed', () => {
  assert.deepEqual(codes(run([request({ at: 0, from: A, to: B })], [sipMalformed])), []);
});
