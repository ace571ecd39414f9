import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { Issue } from '../../src/core/issue.js';
import { SipStreamFramer } from '../../src/sip/framer.js';
import { parseSipMessage } from '../../src/sip/parse.js';
import { sdpOffer, sipRequest, sipResponse } from '../helpers/sip-builders.js';

interface Out { raw: string; codes: string[]; offsets: Array<number | undefined> }

/** Run the framer over `chunks` (then end()) and collect what it emitted. */
function frame(chunks: Buffer[], opts?: ConstructorParameters<typeof SipStreamFramer>[0], gapsBefore: number[] = []): Out[] {
  const out: Out[] = [];
  const emit = (raw: Buffer, issues: Issue[]) =>
    out.push({ raw: raw.toString('latin1'), codes: issues.map((i) => i.code), offsets: issues.map((i) => i.offset) });
  const f = new SipStreamFramer(opts);
  chunks.forEach((c, i) => {
    if (gapsBefore.includes(i)) f.gap();
    f.push(c, emit);
  });
  f.end(emit);
  return out;
}

const invite = sipRequest({ body: sdpOffer() });
const ok = sipResponse({ body: 'v=0\r\n', headers: [['Via', 'SIP/2.0/TCP h'], ['CSeq', '1 INVITE'], ['Call-ID', 'x'], ['From', '<sip:a@b>'], ['To', '<sip:c@d>'], ['Content-Type', 'application/sdp']] });
const bye = sipRequest({ method: 'BYE', eol: '\n' });

test('one message split at every byte offset frames identically', () => {
  const whole = frame([invite]);
  assert.deepEqual(whole, [{ raw: invite.toString('latin1'), codes: [], offsets: [] }]);
  for (let i = 1; i < invite.length; i++) {
    assert.deepEqual(frame([invite.subarray(0, i), invite.subarray(i)]), whole, `split at ${i}`);
  }
  assert.deepEqual(frame([...invite].map((b) => Buffer.from([b]))), whole, 'byte by byte');
});

test('three messages in one chunk', () => {
  const out = frame([Buffer.concat([invite, ok, bye])]);
  assert.deepEqual(out.map((o) => o.raw), [invite, ok, bye].map((b) => b.toString('latin1')));
  assert.ok(out.every((o) => o.codes.length === 0));
});

test('one message over three chunks, and a chunk that ends one message and starts the next', () => {
  const a = Math.floor(invite.length / 3);
  const out = frame([invite.subarray(0, a), invite.subarray(a, 2 * a), Buffer.concat([invite.subarray(2 * a), ok.subarray(0, 10)]), ok.subarray(10)]);
  assert.deepEqual(out.map((o) => o.raw), [invite, ok].map((b) => b.toString('latin1')));
});

test('CRLF keep-alives (RFC 5626 ping/pong) are skipped silently', () => {
  const out = frame([Buffer.from('\r\n\r\n'), invite, Buffer.from('\r\n'), Buffer.from('\r\n\r\n'), ok, Buffer.from('\r\n\r\n')]);
  assert.deepEqual(out, [
    { raw: invite.toString('latin1'), codes: [], offsets: [] },
    { raw: ok.toString('latin1'), codes: [], offsets: [] },
  ]);
});

test('junk before a start line is skipped with an issue, and resync finds the message', () => {
  const junk = Buffer.from('\x16\x03\x01garbage bytes\r\nmore: junk\nINVITE is not a start line\r\n');
  const out = frame([Buffer.concat([junk, invite, Buffer.from('tail junk'), Buffer.from('\r\n'), bye])]);
  assert.equal(out.length, 2);
  assert.deepEqual(out[0], { raw: invite.toString('latin1'), codes: ['sip.stream-junk'], offsets: [0] });
  assert.deepEqual(out[1], { raw: bye.toString('latin1'), codes: ['sip.stream-junk'], offsets: [junk.length + invite.length] });
});

test('a start line in the middle of a junk line is not a message (resync only at line starts)', () => {
  const stream = Buffer.concat([Buffer.from('xx OPTIONS sip:a SIP/2.0\r\n'), ok]);
  const out = frame([stream]);
  assert.equal(out.length, 1);
  assert.deepEqual(out[0]!.codes, ['sip.stream-junk']);
  assert.equal(out[0]!.raw, ok.toString('latin1'));
});

test('a stream of junk, keep-alives and messages frames the same at every split', () => {
  const stream = Buffer.concat([Buffer.from('junk\r\n\r\n\r\n'), invite, Buffer.from('\r\n\r\n'), bye, Buffer.from('junk line without end'), Buffer.from('\n'), ok]);
  const whole = frame([stream]);
  assert.deepEqual(whole.map((o) => o.codes), [['sip.stream-junk'], [], ['sip.stream-junk']]);
  for (let i = 1; i < stream.length; i++) {
    assert.deepEqual(frame([stream.subarray(0, i), stream.subarray(i)]), whole, `split at ${i}`);
  }
});

test('missing Content-Length on a stream: body runs to the next start line, with an issue', () => {
  const noCl = sipRequest({ method: 'OPTIONS', contentLength: null });
  const withBody = sipRequest({ method: 'MESSAGE', contentLength: null, body: 'hello\r\n' });
  const out = frame([Buffer.concat([noCl, withBody, bye])]);
  assert.deepEqual(out.map((o) => o.raw), [noCl, withBody, bye].map((b) => b.toString('latin1')));
  assert.deepEqual(out.map((o) => o.codes), [['sip.stream-no-content-length'], ['sip.stream-no-content-length'], []]);
  // At the end of the stream the body runs to the end.
  const last = frame([withBody]);
  assert.deepEqual(last, [{ raw: withBody.toString('latin1'), codes: ['sip.stream-no-content-length'], offsets: [0] }]);
  const bad = frame([Buffer.concat([sipRequest({ contentLength: 'bad' }), bye])]);
  assert.deepEqual(bad.map((o) => o.codes), [['sip.stream-no-content-length'], []]);
});

test('end of stream inside a message: emitted with sip.stream-truncated', () => {
  const cut = invite.subarray(0, invite.length - 20);
  assert.deepEqual(frame([cut]), [{ raw: cut.toString('latin1'), codes: ['sip.stream-truncated'], offsets: [0] }]);
  const head = invite.subarray(0, 60);
  assert.deepEqual(frame([head]).map((o) => o.codes), [['sip.stream-truncated']]);
});

test('gap(): the cut message is emitted with sip.stream-gap, then resync', () => {
  const part = invite.subarray(0, 100);
  const lostTail = invite.subarray(150); // arrives after the gap: junk until the next start line
  const out = frame([part, Buffer.concat([lostTail, bye])], undefined, [1]);
  assert.deepEqual(out.map((o) => o.codes), [['sip.stream-gap'], ['sip.stream-junk']]);
  assert.equal(out[0]!.raw, part.toString('latin1'));
  assert.equal(out[1]!.raw, bye.toString('latin1'));
  // A gap on a message boundary loses nothing.
  assert.deepEqual(frame([invite, bye], undefined, [1]).map((o) => o.codes), [[], []]);
});

test('maxMessageBytes: oversized body skipped, headers reported, next message intact', () => {
  const big = sipRequest({ method: 'MESSAGE', body: 'x'.repeat(5000) });
  const out = frame([Buffer.concat([big, bye])], { maxMessageBytes: 1000 });
  assert.deepEqual(out.map((o) => o.codes), [['sip.message-too-large'], []]);
  assert.equal(out[0]!.raw, big.subarray(0, big.length - 5000).toString('latin1'));
  assert.equal(out[1]!.raw, bye.toString('latin1'));
  const endless = Buffer.from(`OPTIONS sip:a SIP/2.0\r\n${'X-Pad: yyyyyyyyyy\r\n'.repeat(200)}`);
  const o2 = frame([endless, Buffer.from('\r\n'), bye], { maxMessageBytes: 1000 });
  assert.equal(o2[0]!.codes[0], 'sip.message-too-large');
  assert.equal(o2[0]!.raw.length, 1000);
  assert.equal(o2.at(-1)!.raw, bye.toString('latin1'));
});

test('only junk: end() emits a zero-length raw carrying the issue', () => {
  assert.deepEqual(frame([Buffer.from('\x00\x01\x02 no sip here')]), [{ raw: '', codes: ['sip.stream-junk'], offsets: [0] }]);
  assert.deepEqual(frame([Buffer.from('\r\n\r\n')]), []);
  assert.deepEqual(frame([]), []);
});

test('emitted raw is a standalone copy; the framer keeps no reference to pushed chunks', () => {
  const chunk1 = Buffer.from(invite.subarray(0, 50));
  const chunk2 = Buffer.from(invite.subarray(50));
  const got: Buffer[] = [];
  const f = new SipStreamFramer();
  f.push(chunk1, (r) => got.push(r));
  chunk1.fill(0x41); // the caller reuses its buffer
  f.push(chunk2, (r) => got.push(r));
  chunk2.fill(0x42);
  f.end((r) => got.push(r));
  assert.equal(got.length, 1);
  assert.ok(got[0]!.equals(invite));
  const m = parseSipMessage(got[0]!);
  assert.ok(m && m.kind === 'request' && m.method === 'INVITE');
});

test('many messages through small chunks stay linear and in order', () => {
  const msgs = Array.from({ length: 300 }, (_, i) => sipRequest({ method: 'OPTIONS', headers: [['Call-ID', `c${i}`]] }));
  const stream = Buffer.concat(msgs);
  const chunks: Buffer[] = [];
  for (let p = 0; p < stream.length; p += 37) chunks.push(stream.subarray(p, p + 37));
  const out = frame(chunks);
  assert.equal(out.length, 300);
  assert.deepEqual(out.map((o) => o.raw), msgs.map((m) => m.toString('latin1')));
});
