/**
 * The three field cases of the thesis behind SIPvestigator, as captures built
 * here (real pcap bytes: Ethernet/IPv4/UDP) and run through the built
 * `sipv diagnose --json`: each yields exactly the findings the thesis's author
 * had to work out by eye, and nothing else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BIN_MISSING, sipv } from '../helpers/run-cli.js';
import { sipPcap, writeTemp, type SipPacket } from '../helpers/sip-pcap.js';

interface F { code: string; severity: string; callId: string; messages: number[]; summary: string; evidence: Record<string, unknown> }

function diagnoseJson(packets: SipPacket[], ...args: string[]): F[] {
  const t = writeTemp({ 'case.pcap': sipPcap(packets) });
  const r = sipv(['diagnose', t['case.pcap']!, '--json', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as F[];
}
const lines = (fs: F[]): string[] => fs.map((f) => `${f.code}(${f.severity}) ${f.callId} [${f.messages.join(',')}]`);

const T0 = 1_700_000_000;
const SERVER = '203.0.113.10:5060', NAT = '198.51.100.7:5060', PHONE = '192.168.1.20:5060';

test('thesis case 1, NAT timeout: INVITE to the registered phone retransmitted 7 times (each captured twice), never answered', { skip: BIN_MISSING }, () => {
  const register = `REGISTER sip:example.com SIP/2.0
Via: SIP/2.0/UDP ${PHONE};branch=z9hG4bK-reg1;rport
Max-Forwards: 70
From: <sip:2001@example.com>;tag=r1
To: <sip:2001@example.com>
Call-ID: reg-2001@192.168.1.20
CSeq: 1 REGISTER
Contact: <sip:2001@${PHONE}>
Expires: 3600
Content-Length: 0

`;
  const ok = `SIP/2.0 200 OK
Via: SIP/2.0/UDP ${PHONE};branch=z9hG4bK-reg1;rport=5060;received=198.51.100.7
From: <sip:2001@example.com>;tag=r1
To: <sip:2001@example.com>;tag=s1
Call-ID: reg-2001@192.168.1.20
CSeq: 1 REGISTER
Contact: <sip:2001@${PHONE}>;expires=3600
Content-Length: 0

`;
  const invite = `INVITE sip:2001@${NAT} SIP/2.0
Via: SIP/2.0/UDP ${SERVER};branch=z9hG4bK-inv1
Max-Forwards: 70
From: <sip:+4930901820@example.com>;tag=c1
To: <sip:2001@example.com>
Call-ID: incoming-1@203.0.113.10
CSeq: 1 INVITE
Contact: <sip:+4930901820@${SERVER}>
Content-Length: 0

`;
  // Timer A from 0.5 s doubling until timer B (32 s): sends at 0, .5, 1.5, 3.5, 7.5, 15.5, 31.5 s,
  // ten minutes after the REGISTER; each copy captured twice 30 µs apart (tcpdump -i any).
  const schedule = [0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5];
  const sends = schedule.flatMap((s) => [0, 0.00003].map((d) => ({ at: T0 + 600 + s + d, from: SERVER, to: NAT, text: invite })));
  const f = diagnoseJson([{ at: T0, from: NAT, to: SERVER, text: register }, { at: T0 + 0.01, from: SERVER, to: NAT, text: ok }, ...sends]);
  assert.deepEqual(lines(f), [
    'nat.contact-private(warning) reg-2001@192.168.1.20 [0]',
    'nat.via-mismatch(info) reg-2001@192.168.1.20 [0]',
    'nat.binding-timeout(error) incoming-1@203.0.113.10 [0,1,2,3,4,5,6,7,8,9,10,11,12,13]',
    'capture.duplicate(info) incoming-1@203.0.113.10 [0,1,2,3,4,5,6,7,8,9,10,11,12,13]',
  ]);
  const b = f[2]!;
  assert.deepEqual(b.evidence['retransmissionSchedule'], schedule);
  assert.equal(b.evidence['idleGapSeconds'], 600);
  assert.equal(b.evidence['endpoint'], NAT);
  assert.equal(b.evidence['expiresRequested'], 3600);
});

const PBX = '203.0.113.50:5060', TRUNK = '203.0.113.60:5060';
function invite(callId: string, from: string, to: string, extra = ''): string {
  return `INVITE sip:${to}@trunk.example.net SIP/2.0
Via: SIP/2.0/UDP ${PBX};branch=z9hG4bK-${callId};rport
Max-Forwards: 70
From: <sip:${from}@pbx.example.com>;tag=p-${callId}
To: <sip:${to}@trunk.example.net>
Call-ID: ${callId}
CSeq: 1 INVITE
Contact: <sip:${from}@${PBX}>
${extra}Content-Length: 0

`;
}
function reply(req: string, status: string, via = PBX): string {
  const h = (n: string) => new RegExp(`^${n}: .*$`, 'm').exec(req)![0];
  return `SIP/2.0 ${status}
${h('Via').replace(PBX, via)}
${h('From')}
${h('To')};tag=t-1
${h('Call-ID')}
${h('CSeq')}
Content-Length: 0

`;
}

test('thesis case 2, improper Caller-ID: INVITE from extension 1502 refused 403 by the trunk', { skip: BIN_MISSING }, () => {
  const req = invite('cid-1502', '1502', '+4930901821');
  const f = diagnoseJson([
    { at: T0, from: PBX, to: TRUNK, text: req },
    { at: T0 + 0.02, from: TRUNK, to: PBX, text: reply(req, '100 Trying') },
    { at: T0 + 0.05, from: TRUNK, to: PBX, text: reply(req, '403 Forbidden') },
  ], '--region', 'DE');
  assert.deepEqual(lines(f), ['callerid.rejected(error) cid-1502 [0,2]']);
  assert.match(f[0]!.summary, /1502 in From/);
});

test('thesis case 3, Diversion: forwarded call refused without Diversion; with a wrong one, diversion.invalid', { skip: BIN_MISSING }, () => {
  // A mobile caller reaches the PBX on +4930901820; the PBX forwards to +4930901821 over the trunk.
  const caller = '+4915112345678';
  const incoming = `INVITE sip:+4930901820@pbx.example.com SIP/2.0
Via: SIP/2.0/UDP ${TRUNK};branch=z9hG4bK-in1
Max-Forwards: 70
From: <sip:${caller}@trunk.example.net>;tag=m1
To: <sip:+4930901820@pbx.example.com>
Call-ID: in-1
CSeq: 1 INVITE
Contact: <sip:${caller}@${TRUNK}>
Content-Length: 0

`;
  const run = (extra: string): F[] => {
    const fwd = invite('fwd-1', caller, '+4930901821', extra);
    return diagnoseJson([
      { at: T0, from: TRUNK, to: PBX, text: incoming },
      { at: T0 + 0.1, from: PBX, to: TRUNK, text: reply(incoming, '180 Ringing', TRUNK) },
      { at: T0 + 2, from: PBX, to: TRUNK, text: fwd },
      { at: T0 + 2.1, from: TRUNK, to: PBX, text: reply(fwd, '403 Forbidden') },
      { at: T0 + 2.2, from: PBX, to: TRUNK, text: reply(incoming, '403 Forbidden', TRUNK) },
    ], '--region', 'DE');
  };
  const missing = run('');
  assert.deepEqual(lines(missing), ['diversion.missing(error) fwd-1 [0,1]']);
  assert.equal(missing[0]!.evidence['forwardingNumber'], '4930901820');
  const wrong = run('Diversion: <sip:1502@pbx.example.com>;reason=unconditional;counter=0\n');
  assert.deepEqual(lines(wrong), ['diversion.invalid(warning) fwd-1 [0]']);
});
