import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CallStore, scannedTransactionKey, transactionKey } from '../../src/calls/store.js';
import { sipStartLineKind } from '../../src/sip/detect.js';
import { parseSipMessage } from '../../src/sip/parse.js';
import { scanSipMessage } from '../../src/sip/scan.js';
import { captured, request, response } from '../helpers/messages.js';

const A = '10.0.0.1:5060';
const B = '10.0.0.2:5060';

function storeOf(...items: [string, number, string?, string?][]): CallStore {
  const store = new CallStore({ keep: () => true });
  items.forEach(([text, at, from, to], i) => store.add(captured(text, { at, from: from ?? A, to: to ?? B }, i)));
  return store;
}

test('groups by Call-ID in arrival order with from/to numbers and first method', () => {
  const store = storeOf(
    [request('INVITE', { callId: 'x', from: '+49 30 1234', to: '0049301' }), 100],
    [request('OPTIONS', { callId: 'y' }), 100.5],
    [response(200, 'OK', 'INVITE', { callId: 'x' }), 101, B, A],
  );
  const calls = store.calls();
  assert.deepEqual(calls.map((c) => [c.index, c.callId, c.messages, c.firstMethod]), [[0, 'x', 2, 'INVITE'], [1, 'y', 1, 'OPTIONS']]);
  assert.equal(calls[0]!.from, '49301234');
  assert.equal(calls[0]!.to, '49301');
  assert.equal(calls[0]!.finalStatus, 200);
  assert.equal(calls[1]!.finalStatus, null);
  assert.equal(calls[0]!.srcIp, '10.0.0.1');
  assert.equal(calls[0]!.dstIp, '10.0.0.2');
  assert.deepEqual(calls[0]!.end, { sec: 101, nsec: 0 });
});

test('a retransmission (500 ms later) and a duplicate capture (microseconds later) are counted apart', () => {
  const invite = request('INVITE');
  const store = storeOf([invite, 10], [invite, 10.000004], [invite, 10.5], [invite, 11.5]);
  const [call] = store.calls();
  assert.equal(call!.messages, 4);
  assert.equal(call!.duplicates, 1);
  assert.equal(call!.retransmissions, 2);
});

test('a new transaction (new branch, CSeq + 1) is not a retransmission', () => {
  const store = storeOf(
    [request('INVITE'), 1],
    [response(407, 'Proxy Authentication Required', 'INVITE'), 1.01, B, A],
    [request('INVITE', { cseq: 2, branch: 'z9hG4bK-2' }), 1.2],
    [response(200, 'OK', 'INVITE', { cseq: 2, branch: 'z9hG4bK-2' }), 3, B, A],
    [request('BYE', { cseq: 3, branch: 'z9hG4bK-3' }), 9],
    [response(200, 'OK', 'BYE', { cseq: 3, branch: 'z9hG4bK-3' }), 9.1, B, A],
  );
  const [call] = store.calls();
  assert.equal(call!.retransmissions, 0);
  assert.equal(call!.duplicates, 0);
  assert.equal(call!.finalStatus, 200, 'the answer after the challenge is the outcome; the BYE 200 does not count');
});

test('final status: challenge then rejection ends rejected; a later re-INVITE failure does not undo an answer', () => {
  const rejected = storeOf(
    [request('INVITE'), 1],
    [response(407, 'Proxy Authentication Required', 'INVITE'), 1.1, B, A],
    [request('INVITE', { cseq: 2, branch: 'b2' }), 1.2],
    [response(403, 'Forbidden', 'INVITE', { cseq: 2, branch: 'b2' }), 1.3, B, A],
  );
  assert.equal(rejected.calls()[0]!.finalStatus, 403);
  const answered = storeOf(
    [request('INVITE'), 1],
    [response(200, 'OK', 'INVITE'), 2, B, A],
    [request('INVITE', { cseq: 2, branch: 'b2' }), 30],
    [response(491, 'Request Pending', 'INVITE', { cseq: 2, branch: 'b2' }), 30.1, B, A],
  );
  assert.equal(answered.calls()[0]!.finalStatus, 200);
});

test('messages are kept only for the calls asked for, with their own bytes', () => {
  const store = new CallStore({ keep: (_i, id) => id === 'b' });
  const chunk = Buffer.from(request('INVITE', { callId: 'b' }).replace(/\n/g, '\r\n'));
  const m = captured(chunk.toString(), { at: 1 });
  store.add(captured(request('INVITE', { callId: 'a' }), { at: 1 }));
  store.add(m);
  const [a, b] = store.calls();
  assert.equal(a!.kept, null);
  assert.equal(b!.kept!.length, 1);
  m.msg.raw.fill(0x20); // the reader reuses its chunk; the kept copy must not change
  assert.match(b!.kept![0]!.msg.raw.toString(), /^INVITE sip:/);
});

test('messages without a Call-ID are grouped, not dropped, and anomalies are counted', () => {
  const store = storeOf(['OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP 1.2.3.4\nContent-Length: 0\n\n', 1]);
  const [call] = store.calls();
  assert.equal(call!.callId, '');
  assert.equal(call!.messages, 1);
  assert.ok(call!.anomalies >= 1, 'missing Call-ID/CSeq/From/To are parser issues');
});

test('property: the transaction key read from scanned bytes equals the one from the parsed message', () => {
  const viaPiece = fc.constantFrom('SIP/2.0/UDP 10.0.0.1:5060', ';branch=z9hG4bK', ';branch = ', '; BRANCH=', ';rport', ';received=1.2.3.4', ',', ' ', '\t', '"', '<', 'é', 'abc', '=', ';');
  let scannedCount = 0;
  fc.assert(fc.property(fc.array(viaPiece, { maxLength: 10 }), fc.boolean(), fc.nat(5), (pieces, isResponse, cseq) => {
    const via = pieces.join('').trim() || 'SIP/2.0/UDP h';
    const head = isResponse ? 'SIP/2.0 180 Ringing' : 'INVITE sip:b@h SIP/2.0';
    const raw = Buffer.from(`${head}\r\nVia: ${via}\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: k\r\nCSeq: ${cseq} INVITE\r\nContent-Length: 0\r\n\r\n`);
    const scanned = scanSipMessage(raw, sipStartLineKind(raw)!);
    if (scanned === null) return;
    scannedCount++;
    assert.equal(scannedTransactionKey(scanned), transactionKey({ msg: parseSipMessage(raw)! }), via);
  }), { numRuns: 3000 });
  assert.ok(scannedCount > 1000, `${scannedCount} of 3000 scanned`);
});
