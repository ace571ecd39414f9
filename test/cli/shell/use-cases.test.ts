/**
 * The thesis' use cases, replayed on generated captures of the same traffic
 * shape; each asserts the whole screen a user sees.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { sipPcap, writeTemp } from '../../helpers/sip-pcap.js';
import { improperCallerId, natTimeout, wrongDiversion } from './scenarios.js';
import { play } from './transcript.js';

const files = writeTemp({ 'nat.pcap': sipPcap(natTimeout()), 'cid.pcap': sipPcap(improperCallerId()), 'div.pcap': sipPcap(wrongDiversion()) });

test('NAT timeout: one INVITE sent 7 times, each captured twice, never answered', async () => {
  const t = await play([`load ${files['nat.pcap']}`, 'show conversations', 'show conversation 0']);
  const sends = ['30.333525', '30.833525', '31.833525', '33.833525', '37.833525', '45.833525', '50:01.833525'];
  const lines = sends.flatMap((s, i) => {
    const at = s.includes(':') ? `15:${s}` : `15:49:${s}`;
    const again = at.replace(/525$/, '565');
    return [
      `[${2 * i}] 2018-04-16 ${at} INVITE (10.11.12.13:5060->192.0.2.50:5060)`,
      `[${2 * i + 1}] 2018-04-16 ${again} INVITE (203.0.113.1:5060->192.0.2.50:5060)`,
    ];
  });
  assert.equal(t.screen, [
    `SipInv: load ${files['nat.pcap']}`,
    '1 conversations (14 SIP messages) extracted',
    'SipInv: show conversations',
    '[0] 2018-04-16 15:49:30.333525: INVITE 4151509->8969669',
    'SipInv: show conversation 0',
    ...lines,
    '',
  ].join('\n'));
  const call = t.session.store.calls()[0]!;
  assert.equal(call.finalStatus, null, 'no answer');
  assert.equal(call.duplicates, 7, 'each send captured twice');
  assert.equal(call.retransmissions, 6, 'six retransmissions after the first send');
});

test('improper Caller-ID: INVITE from 1502, 100, 403, ACK — and the 403 in full', async () => {
  const t = await play([`load ${files['cid.pcap']}`, 'show conversations', 'show conversation 0', 'show conversation callerid-1502@10.20.0.22 message 2']);
  assert.equal(t.errors, 0);
  assert.equal(t.screen, [
    `SipInv: load ${files['cid.pcap']}`,
    '1 conversations (4 SIP messages) extracted',
    'SipInv: show conversations',
    '[0] 2018-04-16 15:49:30.100000: INVITE 1502->8969669',
    'SipInv: show conversation 0',
    '[0] 2018-04-16 15:49:30.100000 INVITE (10.20.0.22:5060->10.11.12.13:5060)',
    '[1] 2018-04-16 15:49:30.120000 100 Trying (10.11.12.13:5060->10.20.0.22:5060)',
    '[2] 2018-04-16 15:49:30.200000 403 Forbidden (10.11.12.13:5060->10.20.0.22:5060)',
    '[3] 2018-04-16 15:49:30.210000 ACK (10.20.0.22:5060->10.11.12.13:5060)',
    'SipInv: show conversation callerid-1502@10.20.0.22 message 2',
    '2018-04-16 15:49:30.200000 IP 10.11.12.13.5060 > 10.20.0.22.5060: SIP, length: 226',
    'SIP/2.0 403 Forbidden',
    'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-cid;rport=5060',
    'From: <sip:1502@10.0.0.1>;tag=a1',
    'To: <sip:8969669@10.0.0.2>;tag=b2',
    'Call-ID: callerid-1502@10.20.0.22',
    'CSeq: 1 INVITE',
    'Content-Length: 0',
    '',
    '',
  ].join('\n'));
});

test('wrong Diversion: has diversion + dstnum under "and" narrows 16 calls to 1', async () => {
  const t = await play([
    `load ${files['div.pcap']}`, 'filter', 'add has diversion', 'add dstnum 5660066', 'set condition and', 'show', 'exit',
    'show conversations', 'conversation div-14@10.20.0.22', 'show', 'exit',
  ]);
  assert.equal(t.screen, [
    `SipInv: load ${files['div.pcap']}`,
    '16 conversations (32 SIP messages) extracted',
    'SipInv: filter',
    'SipInv[filter]: add has diversion',
    '5 conversations',
    'SipInv[filter]*: add dstnum 5660066',
    '7 conversations',
    'SipInv[filter]*: set condition and',
    '1 conversations',
    'SipInv[filter]*: show',
    'has diversion and dstnum 5660066',
    'SipInv[filter]*: exit',
    'SipInv*: show conversations',
    '[14] 2018-04-16 15:49:58.000000: INVITE 4151514->5660066',
    'SipInv*: conversation div-14@10.20.0.22',
    '[14] 2018-04-16 15:49:58.000000: INVITE 4151514->5660066',
    'SipInv[conv 14]*: show',
    '[0] 2018-04-16 15:49:58.000000 INVITE (10.20.0.22:5060->10.11.12.13:5060)',
    '[1] 2018-04-16 15:49:58.500000 403 Forbidden (10.11.12.13:5060->10.20.0.22:5060)',
    'SipInv[conv 14]*: exit',
    '',
  ].join('\n'));
});

test('the filter context edits conditions: del values, del a type, reset', async () => {
  const t = await play([`load ${files['div.pcap']}`, 'filter', 'add dstnum 5660066 5550000', 'del dstnum 5550000', 'del dstnum', 'add srcip 10.20.0.0/16', 'add dstip 10.11.12.13/32', 'set condition and', 'reset', 'exit']);
  assert.equal(t.errors, 0);
  assert.match(t.screen, /add dstnum 5660066 5550000\n4 conversations\n/);
  assert.match(t.screen, /del dstnum 5550000\n3 conversations\n/);
  assert.match(t.screen, /\*: del dstnum\n16 conversations\nSipInv\[filter\]: add srcip/);
  assert.match(t.screen, /add srcip 10.20.0.0\/16\n16 conversations\n/);
  assert.match(t.screen, /reset\n16 conversations\nSipInv\[filter\]: exit\n$/);
});

test('diagnose in the shell: the filtered calls, one call, or the conversation entered', async () => {
  const t = await play([`load ${files['cid.pcap']}`, 'diagnose 0', 'conversation 0', 'diagnose', 'exit', 'diagnose 9']);
  assert.equal(t.errors, 1, t.screen);
  assert.match(t.screen, /SipInv: diagnose 0\n[\s\S]*callerid\.rejected[\s\S]*in 1 of 1 calls\n/);
  assert.match(t.screen, /SipInv\[conv 0\]: diagnose\n[\s\S]*callerid\.rejected/);
  assert.match(t.screen, /% no conversation '9'/);
});
