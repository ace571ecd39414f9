/**
 * Issue 7 rules: the thesis's trunk cases (Caller-ID 1502 refused with 403, a
 * forwarded call refused for lack of Diversion), Diversion syntax, codec
 * negotiation and one-way media judged from SDP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codes, request, response, run, sdp } from '../build.js';
import { calleridRejected } from '../../../src/diagnose/rules/callerid-rejected.js';
import { diversionMissing } from '../../../src/diagnose/rules/diversion-missing.js';
import { diversionInvalid } from '../../../src/diagnose/rules/diversion-invalid.js';
import { sdpCodecMismatch } from '../../../src/diagnose/rules/sdp-codec-mismatch.js';
import { mediaOneWay } from '../../../src/diagnose/rules/media-one-way.js';
import { RULES } from '../../../src/diagnose/rules/index.js';

const PBX = '203.0.113.50:5060';
const TRUNK = '203.0.113.10:5060';
const out = { at: 0, from: PBX, to: TRUNK };
const back = { at: 0.2, from: TRUNK, to: PBX };

test('thesis case: Caller-ID 1502 (an extension) refused with 403', () => {
  const f = run([request(out, { from: '1502', to: '+4930901820' }), response(back, 403, 'Forbidden', { from: '1502', to: '+4930901820' })], [calleridRejected], { region: 'DE' });
  assert.deepEqual(codes(f), ['callerid.rejected']);
  assert.deepEqual(f[0]!.messages, [0, 1]);
  const n = (f[0]!.evidence['numbers'] as Array<{ header: string; number: string; verdict: string }>)[0]!;
  assert.deepEqual([n.header, n.number, n.verdict], ['From', '1502', 'invalid']);
  assert.match(f[0]!.summary, /1502 in From/);
  // Without --region the 4-digit extension is still no public number.
  assert.deepEqual(codes(run([request(out, { from: '1502' }), response(back, 403, 'Forbidden', { from: '1502' })], [calleridRejected])), ['callerid.rejected']);
});

test('a valid caller refused with 403 is not blamed on the Caller-ID; nor is a 486', () => {
  const ok = [request(out, { from: '+4930901820' }), response(back, 403, 'Forbidden', { from: '+4930901820' })];
  assert.deepEqual(codes(run(ok, [calleridRejected], { region: 'DE' })), []);
  const busy = [request(out, { from: '1502' }), response(back, 486, 'Busy Here', { from: '1502' })];
  assert.deepEqual(codes(run(busy, [calleridRejected], { region: 'DE' })), []);
});

test('From and P-Asserted-Identity disagree on a refused call', () => {
  const pai = ['P-Asserted-Identity: <sip:+4930901820@pbx.example.com>'];
  const f = run([request(out, { from: '+4915112345678', extra: pai }), response(back, 403, 'Forbidden', { from: '+4915112345678' })], [calleridRejected], { region: 'DE' });
  assert.deepEqual(codes(f), ['callerid.rejected']);
  assert.equal(f[0]!.evidence['fromDiffersFromPai'], true);
});

test('thesis case: forwarded call refused, no Diversion naming the forwarder', () => {
  const incoming = request({ at: 0, from: TRUNK, to: PBX }, { callId: 'in', from: '+4915112345678', to: '+4930901820', via: TRUNK });
  const ringing = response({ at: 0.1, from: PBX, to: TRUNK }, 180, 'Ringing', { callId: 'in', from: '+4915112345678', to: '+4930901820', via: TRUNK });
  const fwd = request({ at: 2, from: PBX, to: TRUNK }, { callId: 'fwd', from: '+4915112345678', to: '+4930901821' });
  const refused = response({ at: 2.1, from: TRUNK, to: PBX }, 403, 'Forbidden', { callId: 'fwd', from: '+4915112345678', to: '+4930901821' });
  // The PBX relays the refusal upstream: the incoming leg is still open when the forward starts.
  const relayed = response({ at: 2.2, from: PBX, to: TRUNK }, 403, 'Forbidden', { callId: 'in', from: '+4915112345678', to: '+4930901820', via: TRUNK });
  const f = run([incoming, ringing, fwd, refused, relayed], [diversionMissing]);
  assert.deepEqual(codes(f), ['diversion.missing']);
  assert.equal(f[0]!.callId, 'fwd');
  assert.equal(f[0]!.evidence['forwardingNumber'], '4930901820');
  const withDiv = request({ at: 2, from: PBX, to: TRUNK }, { callId: 'fwd', from: '+4915112345678', to: '+4930901821', extra: ['Diversion: <sip:+4930901820@pbx.example.com>;reason=unconditional;counter=1'] });
  assert.deepEqual(codes(run([incoming, ringing, withDiv, refused, relayed], [diversionMissing])), []);
  // A finished earlier call from the same caller is not a forwarded leg.
  assert.deepEqual(codes(run([incoming, ringing, fwd, refused], [diversionMissing])), []);
  // Refused, but nothing in the capture shows it was forwarded: no guess.
  assert.deepEqual(codes(run([fwd, refused], [diversionMissing])), []);
});

test('Diversion with an extension and counter=0 is invalid; a proper one is not', () => {
  const bad = request(out, { extra: ['Diversion: <sip:1502@pbx.example.com>;reason=unconditional;counter=0'] });
  const f = run([bad], [diversionInvalid], { region: 'DE' });
  assert.deepEqual(codes(f), ['diversion.invalid']);
  assert.equal((f[0]!.evidence['problems'] as string[]).length, 2);
  const good = request(out, { extra: ['Diversion: <sip:+4930901820@pbx.example.com>;reason=unconditional;counter=1'] });
  assert.deepEqual(codes(run([good], [diversionInvalid], { region: 'DE' })), []);
  const broken = request(out, { extra: ['Diversion: "PBX <sip:+4930901820@pbx.example.com>;reason=unconditional'] });
  assert.deepEqual(codes(run([broken], [diversionInvalid], { region: 'DE' })), ['diversion.invalid']);
});

const A = '203.0.113.30:5060';
const B = '203.0.113.40:5060';
const offer = (payloads: string, extra: string[] = [], ip = '203.0.113.30') => request({ at: 0, from: A, to: B }, { via: A, sdp: sdp(ip, 4000, payloads, extra) });
const answer = (status: number, payloads: string, extra: string[] = [], ip = '203.0.113.40') =>
  response({ at: 1, from: B, to: A }, status, status === 200 ? 'OK' : 'Session Progress', { via: A, sdp: sdp(ip, 5000, payloads, extra) });

test('offer and answer share no codec', () => {
  const f = run([offer('8 101', ['a=rtpmap:101 telephone-event/8000']), answer(200, '18 101', ['a=rtpmap:101 telephone-event/8000'])], [sdpCodecMismatch]);
  assert.deepEqual(codes(f), ['sdp.codec-mismatch']);
  assert.deepEqual(f[0]!.evidence['offered'], ['PCMA/8000']);
  assert.deepEqual(f[0]!.evidence['answered'], ['G729/8000']);
});

test('488 after an offer', () => {
  const r = response({ at: 1, from: B, to: A }, 488, 'Not Acceptable Here', { via: A });
  const f = run([offer('18'), r], [sdpCodecMismatch]);
  assert.deepEqual(codes(f), ['sdp.codec-mismatch']);
  assert.equal(f[0]!.evidence['status'], 488);
});

test('dynamic payload types map by name: opus 96 vs opus 111 is a match; a subset answer is fine', () => {
  const f = run([offer('96 0', ['a=rtpmap:96 opus/48000/2']), answer(200, '111', ['a=rtpmap:111 opus/48000/2'])], [sdpCodecMismatch]);
  assert.deepEqual(codes(f), []);
  assert.deepEqual(codes(run([offer('0 8'), answer(200, '8')], [sdpCodecMismatch])), []);
});

test('an answer adding a codec the offer lacked is info', () => {
  const f = run([offer('0 8'), answer(200, '8 18')], [sdpCodecMismatch]);
  assert.deepEqual(f.map((x) => [x.code, x.severity]), [['sdp.codec-mismatch', 'info']]);
});

test('media.one-way: the caller announces a private address from behind NAT, the callee is public', () => {
  const natted = request({ at: 0, from: '198.51.100.7:40000', to: B }, { via: '192.168.20.100:5060', sdp: sdp('192.168.20.100', 4000, '0') });
  const f = run([natted, answer(200, '0')], [mediaOneWay]);
  assert.deepEqual(codes(f), ['media.one-way']);
  assert.match(String((f[0]!.evidence['rtp'])), /SDP only/);
  assert.deepEqual(codes(run([offer('0'), answer(200, '0')], [mediaOneWay])), [], 'both public');
});

test('media.one-way: a new call answered sendonly; a hold re-INVITE is not one-way', () => {
  const f = run([offer('0'), answer(200, '0', ['a=sendonly'])], [mediaOneWay]);
  assert.deepEqual(f.map((x) => [x.code, x.severity]), [['media.one-way', 'error']]);
  // sipp's recvonly test calls (NormB-sipnab-sip-rtp-g711.pcap): the caller chose it.
  const chosen = run([offer('0', ['a=recvonly']), answer(200, '0', ['a=sendonly'])], [mediaOneWay]);
  assert.deepEqual(chosen.map((x) => [x.code, x.severity]), [['media.one-way', 'info']]);
  const reinvite = request({ at: 10, from: A, to: B }, { via: A, cseq: 2, toTag: 't1', branch: 'z9hG4bK-2', sdp: sdp('203.0.113.30', 4000, '0', ['a=sendonly']) });
  const reok = response({ at: 10.1, from: B, to: A }, 200, 'OK', { via: A, cseq: 2, branch: 'z9hG4bK-2', sdp: sdp('203.0.113.40', 5000, '0', ['a=recvonly']) });
  assert.deepEqual(codes(run([offer('0'), answer(200, '0'), reinvite, reok], [mediaOneWay])), []);
});

test('a clean call (public, common codec, answered) produces no finding from any rule', () => {
  const f = run([offer('0 8 101', ['a=rtpmap:101 telephone-event/8000']), answer(200, '8 101', ['a=rtpmap:101 telephone-event/8000'])], [...RULES]);
  assert.deepEqual(f, []);
});

test('ptime and telephone-event differences of an accepted stream are info', () => {
  const dtmf = ['a=rtpmap:101 telephone-event/8000'];
  const ptime = run([offer('8 101', [...dtmf, 'a=ptime:20']), answer(200, '8 101', [...dtmf, 'a=ptime:30'])], [sdpCodecMismatch]);
  assert.deepEqual(ptime.map((x) => [x.code, x.severity]), [['sdp.codec-mismatch', 'info']]);
  assert.deepEqual([ptime[0]!.evidence['mismatch'], ptime[0]!.evidence['offeredPtime'], ptime[0]!.evidence['answeredPtime']], ['ptime', 20, 30]);
  const dropped = run([offer('8 101', dtmf), answer(200, '8')], [sdpCodecMismatch]);
  assert.deepEqual(dropped.map((x) => [x.code, x.severity, x.evidence['mismatch']]), [['sdp.codec-mismatch', 'info', 'telephone-event']]);
  assert.match(dropped[0]!.summary, /offered at 8000 Hz but not in the answer/);
  const rate = run([offer('96 101', ['a=rtpmap:96 opus/48000/2', 'a=rtpmap:101 telephone-event/48000']), answer(200, '96 101', ['a=rtpmap:96 opus/48000/2', ...dtmf])], [sdpCodecMismatch]);
  assert.match(rate[0]!.summary, /no common rate/);
  // Same ptime, DTMF on both sides (payload numbers may differ), or an answer's 101 without
  // rtpmap meaning the offer's telephone-event: nothing.
  assert.deepEqual(codes(run([offer('8 101', [...dtmf, 'a=ptime:20']), answer(200, '8 100', ['a=rtpmap:100 telephone-event/8000', 'a=ptime:20'])], [sdpCodecMismatch])), []);
  assert.deepEqual(codes(run([offer('8 101', dtmf), answer(200, '8 101')], [sdpCodecMismatch])).length, 1, 'only the untyped pt101 as an added codec');
});

test('gen-sip-pcap false positives: an extension refused 403 by its own PBX is no Caller-ID fault', () => {
  const PHONE = '192.168.1.20:5060', OWN_PBX = '203.0.113.25:5060';
  const call = (id: string, from: string, at: number, status: number, reason: string, extra: string[] = []) => [
    request({ at, from: PHONE, to: OWN_PBX }, { callId: id, from, to: '+4930901820', extra }),
    response({ at: at + 0.2, from: OWN_PBX, to: PHONE }, status, reason, { callId: id, from, to: '+4930901820' }),
  ];
  // Alone, an extension refused 403 looks like the thesis case (and is reported).
  assert.deepEqual(codes(run(call('x', '603', 10, 403, 'Forbidden'), [calleridRejected])), ['callerid.rejected']);
  // It authenticated to the PBX as that extension.
  const auth = ['Proxy-Authorization: Digest username="603", realm="pbx.example.net", nonce="n1", uri="sip:+4930901820@example.com", response="00"'];
  assert.deepEqual(codes(run(call('x', '603', 10, 403, 'Forbidden', auth), [calleridRejected])), []);
  // The PBX registers extensions (another phone's REGISTER to it).
  const reg = request({ at: 0, from: '192.168.1.21:5060', to: OWN_PBX }, { method: 'REGISTER', callId: 'r', from: '604', to: '604', branch: 'z9hG4bK-r' });
  assert.deepEqual(codes(run([reg, ...call('x', '603', 10, 403, 'Forbidden')], [calleridRejected])), []);
  // It answered another call from an extension.
  assert.deepEqual(codes(run([...call('y', '605', 0, 200, 'OK'), ...call('x', '603', 10, 403, 'Forbidden')], [calleridRejected])), []);
});

test('gen-sip-pcap false positives: two calls from one extension number are no forward', () => {
  // Extension 236 on two LANs (or one phone with two calls): the "leg" did not arrive at the sender.
  const other = request({ at: 0, from: '192.168.2.20:5060', to: TRUNK }, { callId: 'a', from: '236', to: '+4930901820' });
  const otherOk = response({ at: 0.5, from: TRUNK, to: '192.168.2.20:5060' }, 200, 'OK', { callId: 'a', from: '236', to: '+4930901820' });
  const mine = request({ at: 5, from: PBX, to: TRUNK }, { callId: 'b', from: '236', to: '+4930901821' });
  const refused = response({ at: 5.1, from: TRUNK, to: PBX }, 403, 'Forbidden', { callId: 'b', from: '236', to: '+4930901821' });
  const otherBye = request({ at: 60, from: '192.168.2.20:5060', to: TRUNK }, { callId: 'a', from: '236', to: '+4930901820', method: 'BYE', cseq: 2, toTag: 't1', branch: 'z9hG4bK-bye' });
  assert.deepEqual(codes(run([other, otherOk, otherBye, mine, refused], [diversionMissing])), []);
});
