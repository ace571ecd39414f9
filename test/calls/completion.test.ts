/**
 * When a live call counts as complete (calls/completion.ts), and the rolling
 * view's lines (report/live-view.ts): a store fed message by message, the
 * tracker watching, the clock passed in.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { CallStore } from '../../src/calls/store.js';
import { CompletionTracker, type CompletionReason } from '../../src/calls/completion.js';
import { parseSipMessage } from '../../src/sip/parse.js';
import type { CapturedMessage } from '../../src/calls/captured-message.js';
import { fitWidth, renderLiveRows } from '../../src/report/live-view.js';
import { request, response } from '../helpers/messages.js';

const crlf = (s: string): string => s.replace(/\n/g, '\r\n');

function captured(text: string, sec: number): CapturedMessage {
  return {
    seq: 0, source: 0, frame: 0, sec, nsec: 0, srcIp: '10.0.0.1', srcPort: 5060, dstIp: '10.0.0.2', dstPort: 5060,
    transport: 'udp', msg: parseSipMessage(Buffer.from(crlf(text)))!,
  } as CapturedMessage;
}

function harness(idleMs = 5000): { feed: (text: string, now: number) => void; done: [string, CompletionReason][]; tracker: CompletionTracker } {
  const store = new CallStore();
  const done: [string, CompletionReason][] = [];
  const tracker = new CompletionTracker({ find: (id) => store.find(id), onComplete: (c, r) => done.push([c.callId, r]), idleMs, recent: 3 });
  return {
    done, tracker,
    feed: (text, now) => {
      const m = captured(text, 1_700_000_000 + now / 1000);
      store.add(m);
      tracker.observe(m, now);
    },
  };
}

test('INVITE answered: complete at the 200 to BYE, not at the 200 to INVITE; later messages do not repeat it', () => {
  const h = harness();
  const p = { callId: 'ok' };
  const bye = { ...p, cseq: 2, branch: 'z9hG4bK-2' };
  h.feed(request('INVITE', p), 0);
  h.feed(response(100, 'Trying', 'INVITE', p), 10);
  h.feed(response(200, 'OK', 'INVITE', p), 20);
  h.feed(request('ACK', p), 30);
  assert.deepEqual(h.done, []);
  assert.equal(h.tracker.state(h.tracker.recent()[0]!), 'answered');
  h.feed(request('BYE', bye), 40);
  h.feed(response(200, 'OK', 'BYE', bye), 50);
  assert.deepEqual(h.done, [['ok', 'bye']]);
  h.feed(response(200, 'OK', 'BYE', bye), 60);
  assert.deepEqual(h.done, [['ok', 'bye']]);
  assert.equal(h.tracker.state(h.tracker.recent()[0]!), 'done');
});

test('INVITE rejected: complete at the final response; a 407 challenge and a re-INVITE 491 do not complete', () => {
  const h = harness();
  h.feed(request('INVITE', { callId: 'busy' }), 0);
  h.feed(response(407, 'Proxy Authentication Required', 'INVITE', { callId: 'busy' }), 1);
  assert.deepEqual(h.done, []);
  h.feed(response(486, 'Busy Here', 'INVITE', { callId: 'busy', cseq: 2 }), 2);
  assert.deepEqual(h.done, [['busy', 'final']]);
  h.feed(request('INVITE', { callId: 'reinv' }), 3);
  h.feed(response(200, 'OK', 'INVITE', { callId: 'reinv' }), 4);
  h.feed(response(491, 'Request Pending', 'INVITE', { callId: 'reinv', cseq: 2 }), 5);
  assert.deepEqual(h.done, [['busy', 'final']]);
});

test('non-INVITE: REGISTER 401 then 200 completes at the 200; OPTIONS completes at its answer', () => {
  const h = harness();
  h.feed(request('REGISTER', { callId: 'reg' }), 0);
  h.feed(response(401, 'Unauthorized', 'REGISTER', { callId: 'reg' }), 1);
  h.feed(request('REGISTER', { callId: 'reg', cseq: 2 }), 2);
  assert.deepEqual(h.done, []);
  h.feed(response(200, 'OK', 'REGISTER', { callId: 'reg', cseq: 2 }), 3);
  h.feed(request('OPTIONS', { callId: 'opt' }), 4);
  h.feed(response(404, 'Not Found', 'OPTIONS', { callId: 'opt' }), 5);
  assert.deepEqual(h.done, [['reg', 'final'], ['opt', 'final']]);
});

test('idle: no message for the idle time completes; the end flushes the rest in arrival order', () => {
  const h = harness(5000);
  h.feed(request('INVITE', { callId: 'quiet' }), 0);
  h.feed(request('INVITE', { callId: 'b' }), 3000);
  h.feed(request('INVITE', { callId: 'a' }), 4000);
  h.tracker.sweep(4999);
  assert.deepEqual(h.done, []);
  h.tracker.sweep(5000);
  assert.deepEqual(h.done, [['quiet', 'idle']]);
  h.tracker.flush();
  assert.deepEqual(h.done, [['quiet', 'idle'], ['b', 'end'], ['a', 'end']]);
  assert.equal(h.tracker.completed, 3);
});

test('the rolling view: most recently active calls, sanitised, cut to the width', () => {
  const h = harness();
  for (const id of ['c0', 'c1', 'c2', 'c3']) h.feed(request('INVITE', { callId: id }), 0);
  h.feed(request('INVITE', { callId: 'c1' }), 1);
  h.feed(request('OPTIONS', { callId: 'evil\x1b[2Jid' }), 2);
  const rows = renderLiveRows(h.tracker.recent(), (c) => h.tracker.state(c), 200);
  assert.deepEqual(rows.map((r) => r.split(/\s+/).pop()), ['c3', 'c1', 'evil\\x1b[2Jid']);
  assert.ok(rows.every((r) => !r.includes('\x1b')));
  assert.match(rows[0]!, /^ {3}3 {2}22:13:20\.000 {2}INVITE {3}4151509 -> 8969669 {2}active +1 msgs {2}c3$/);
  for (const width of [10, 40]) assert.ok(renderLiveRows(h.tracker.recent(), () => 'active', width).every((r) => [...r].length <= width && r.endsWith('…')));
  assert.equal(fitWidth('short', 10), 'short');
});

test('maxTracked (the calls cap): the oldest open call completes as it stands, and finished Call-IDs are forgotten', () => {
  const store = new CallStore({ maxCalls: 2 });
  const done: [string, CompletionReason][] = [];
  const tracker = new CompletionTracker({ find: (id) => store.find(id), onComplete: (c, r) => done.push([c.callId, r]), maxTracked: 2 });
  const feed = (text: string, now: number): void => {
    const m = captured(text, 1_700_000_000 + now);
    store.add(m);
    tracker.observe(m, now);
  };
  // Three unanswered INVITEs: the third opens past the cap, the first completes then ('cap').
  for (const [i, id] of ['a', 'b', 'c'].entries()) feed(request('INVITE', { callId: id }), i);
  assert.deepEqual(done, [['a', 'cap']]);
  // Finished Call-IDs are remembered at most 2: 'a', then 'b' and 'c' completing push 'a' out.
  feed(response(486, 'Busy Here', 'INVITE', { callId: 'b' }), 3);
  feed(response(486, 'Busy Here', 'INVITE', { callId: 'c' }), 4);
  assert.deepEqual(done, [['a', 'cap'], ['b', 'final'], ['c', 'final']]);
  // A late message of 'c' (still remembered) completes nothing again.
  feed(request('ACK', { callId: 'c' }), 5);
  assert.equal(done.length, 3);
});
