/**
 * One test per fault of the original SIPvestigator (issue 4). Each would fail
 * on the original's behaviour: a crash, all calls shown for an empty match,
 * PRACK read as ACK, a lost Call-ID, wrong order across midnight, quadratic
 * insertion.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { request, response, captured } from '../../helpers/messages.js';
import { sipPcap, writeTemp, type SipPacket } from '../../helpers/sip-pcap.js';
import { Session } from '../../../src/cli/shell/session.js';
import { T0, improperCallerId, wrongDiversion } from './scenarios.js';
import { play } from './transcript.js';

const A = '10.0.0.1:5060';
const B = '10.0.0.2:5060';

test('ppi: a P-Preferred-Identity filter works (the original crashed)', async () => {
  const d = { callId: 'ppi@x', from: 'anonymous', extra: ['P-Preferred-Identity: <sip:+1502@pbx>'] };
  const f = writeTemp({ 'ppi.pcap': sipPcap([...improperCallerId(), { at: T0 + 5, from: A, to: B, text: request('INVITE', d) }]) });
  const t = await play([`load ${f['ppi.pcap']}`, 'filter add ppi 1502', 'show conversations']);
  assert.equal(t.errors, 0);
  assert.match(t.screen, /filter add ppi 1502\n1 conversations\nSipInv\*: show conversations\n\[1\] [^\n]*: INVITE anonymous->8969669\n$/);
});

test('a filter matching nothing shows no conversations (the original showed all)', async () => {
  const f = writeTemp({ 'div.pcap': sipPcap(wrongDiversion()) });
  const t = await play([`load ${f['div.pcap']}`, 'filter add srcnum 999999', 'show conversations', 'show conversations sorted']);
  assert.equal(t.errors, 0);
  assert.ok(t.screen.endsWith('filter add srcnum 999999\n0 conversations\nSipInv*: show conversations\nSipInv*: show conversations sorted\n'), t.screen);
});

test('PRACK is PRACK, not ACK', async () => {
  const d = { callId: 'prack@x' };
  const f = writeTemp({
    'prack.pcap': sipPcap([
      { at: T0, from: A, to: B, text: request('INVITE', d) },
      { at: T0 + 0.1, from: B, to: A, text: response(183, 'Session Progress', 'INVITE', { ...d, extra: ['RSeq: 1', 'Require: 100rel'] }) },
      { at: T0 + 0.2, from: A, to: B, text: request('PRACK', { ...d, cseq: 2, branch: 'z9hG4bK-2', extra: ['RAck: 1 1 INVITE'] }) },
      { at: T0 + 0.3, from: B, to: A, text: response(200, 'OK', 'PRACK', { ...d, cseq: 2, branch: 'z9hG4bK-2' }) },
    ]),
  });
  const t = await play([`load ${f['prack.pcap']}`, 'show conversation 0']);
  const methods = t.screen.split('\n').filter((l) => /^\[\d\]/.test(l)).map((l) => l.split(' ').slice(3, -1).join(' '));
  assert.deepEqual(methods, ['INVITE', '183 Session Progress', 'PRACK', '200 OK']);
});

test('compact headers keep the Call-ID (i:), and Call-ID:abc without a space keeps every character', async () => {
  const compact = ['INVITE sip:8969669@10.0.0.2 SIP/2.0', 'v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-c', 'f: <sip:4151509@10.0.0.1>;tag=a1',
    't: <sip:8969669@10.0.0.2>', 'i: compact-callid@10.0.0.1', 'CSeq: 1 INVITE', 'l: 0', '', ''].join('\n');
  const tight = request('OPTIONS', { callId: 'x' }).replace('Call-ID: x', 'Call-ID:abc');
  const f = writeTemp({ 'c.pcap': sipPcap([{ at: T0, from: A, to: B, text: compact }, { at: T0 + 1, from: A, to: B, text: tight }]) });
  const t = await play([`load ${f['c.pcap']}`, 'show conversations', 'show conversation compact-callid@10.0.0.1', 'show conversation abc']);
  assert.equal(t.errors, 0, t.screen);
  assert.deepEqual(t.session.store.calls().map((c) => c.callId), ['compact-callid@10.0.0.1', 'abc']);
  assert.match(t.screen, /show conversation abc\n\[0\] [^\n]* OPTIONS /);
});

test("'show conversation 0 message abc' and other bad numbers are errors, and the shell goes on", async () => {
  const f = writeTemp({ 'cid.pcap': sipPcap(improperCallerId()) });
  const t = await play([
    `load ${f['cid.pcap']}`, 'show conversation 0 message abc', 'show conversation 0 message 4', 'show conversation 0 message',
    'show conversation 0 message -1', 'show conversation 7', 'show conversation nosuch@x', 'conversation 0', 'show message abc', 'exit', 'show conversations',
  ]);
  assert.equal(t.errors, 7);
  assert.match(t.screen, /% message takes a message number 0\.\.3 \(conversation 0 has 4\), not 'abc'\n/);
  assert.match(t.screen, /% message takes a message number 0\.\.3 \(conversation 0 has 4\), not '4'\n/);
  assert.match(t.screen, /% message takes a message number 0\.\.3 \(conversation 0 has 4\), not nothing\n/);
  assert.match(t.screen, /% no conversation '7' \(1 loaded: give an index 0\.\.0 or a Call-ID\)\n/);
  assert.match(t.screen, /SipInv: show conversations\n\[0\] /, 'still running after the errors');
});

test("'capture stop' with no capture running is an error, not a crash", async () => {
  const t = await play(['capture stop', 'capture', 'capture strat', 'show conversations']);
  assert.equal(t.errors, 3);
  assert.match(t.screen, /% no capture is running \(a capture runs until Ctrl-C\)\n/);
  assert.match(t.screen, /% unknown capture command 'capture strat' — did you mean 'capture start'\?\n/);
});

test('a bad file is reported in one line and the shell goes on (the original crashed)', async () => {
  const f = writeTemp({ 'junk.pcap': 'this is not a capture at all\n'.repeat(10), 'cid.pcap': sipPcap(improperCallerId()) });
  const t = await play([`load ${f.dir}/missing.pcap`, `load ${f['junk.pcap']}`, `load ${f.dir}`, `load ${f['cid.pcap']}`, 'show conversations']);
  assert.equal(t.errors, 3);
  assert.match(t.screen, /sipv: [^\n]*missing\.pcap[^\n]*does not exist\n0 conversations \(0 SIP messages\) extracted\n/);
  assert.match(t.screen, /sipv: [^\n]*junk\.pcap[^\n]*not a pcap, pcapng or tcpdump text capture\n/);
  assert.match(t.screen, /is a directory/);
  assert.match(t.screen, /1 conversations \(4 SIP messages\) extracted\nSipInv: show conversations\n\[0\] /);
});

test('across midnight, sorted order follows absolute time, not the time of day', async () => {
  const midnight = Date.UTC(2018, 3, 17) / 1000;
  const late: SipPacket[] = [
    { at: midnight - 0.5, from: A, to: B, text: request('INVITE', { callId: 'before-midnight' }) },
    { at: midnight + 0.25, from: B, to: A, text: response(200, 'OK', 'INVITE', { callId: 'before-midnight' }) },
  ];
  const early: SipPacket[] = [{ at: midnight + 60, from: A, to: B, text: request('INVITE', { callId: 'after-midnight' }) }];
  // The later capture is loaded first: arrival in the store is not time order.
  const f = writeTemp({ 'a.pcap': sipPcap(early), 'b.pcap': sipPcap(late) });
  const t = await play([`load ${f['a.pcap']} ${f['b.pcap']}`, 'show conversations sorted', 'show conversation before-midnight']);
  assert.match(t.screen, /sorted\n\[1\] 2018-04-16 23:59:59\.500000: INVITE [^\n]*\n\[0\] 2018-04-17 00:01:00\.000000: INVITE/);
  assert.match(t.screen, /\[0\] 2018-04-16 23:59:59\.500000 INVITE [^\n]*\n\[1\] 2018-04-17 00:00:00\.250000 200 OK/);
});

test('one huge conversation loads in linear time (the original inserted quadratically)', () => {
  const s = new Session();
  const text = request('OPTIONS', { callId: 'huge@x' });
  const one = captured(text, { at: T0 });
  const add = (n: number): number => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) s.store.add({ ...one, seq: s.store.messagesSeen, sec: T0 + i });
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  add(2000); // warm up
  const small = add(10_000);
  const big = add(40_000);
  assert.equal(s.store.calls()[0]!.kept!.length, 52_000);
  // Quadratic would make 4× the messages take ~16× as long (plus the 12 000 already there).
  assert.ok(big < small * 10 + 200, `10k took ${small.toFixed(0)} ms, 40k took ${big.toFixed(0)} ms`);
});
