/**
 * The kernel NAT/SIP-ALG lab (test/lab/netns-lab.sh, fixtures in
 * test/fixtures/lab, README there) diagnosed one capture at a time: the
 * findings are exactly these and nothing else. Each line was checked against
 * the capture (`tcpdump -nn -A -r`): what the router really did, not what a
 * textbook says it should.
 *
 * What one side alone can show:
 * - WAN, ALG off: the phone's private Via/Contact arrive from the router's
 *   public address — nat.contact-private + nat.via-mismatch (+ nat.sdp-private
 *   and media.one-way for the INVITE, + nat.no-rport without rport).
 * - WAN, ALG on: nf_nat_sip rewrites Via, Contact, o=, c= and Content-Length
 *   consistently, so the message looks like a STUN-aware phone's — nothing to
 *   flag, and nothing proves the rewrite (even a Call-ID naming 192.168.20.100
 *   is what STUN phones send too). LAN, ALG on: the ALG rewrites received= and
 *   rport= back as well, so it looks like no NAT at all. No single-side signal
 *   is reliable, so none is asserted; the rewrite (and that it hid the NAT) is
 *   shown when both sides are in one capture (last table, `tcpdump -i any` on
 *   the router) or by `sipv compare`.
 * - The lab's masquerade keeps port 5060, so Kamailio's answer to the Via port
 *   of an rport-less REGISTER reaches the phone: nat.no-rport, but no
 *   nat.response-misrouted (that needs a NAT that changes the port).
 * - LAN sides yield nothing: the phone sends from its Via address. (The ALG-off
 *   200 OK's received=203.0.113.1 tells the phone it is NATed; rules judge the
 *   packet addresses they see, so this is not a finding.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CallStore } from '../../src/calls/store.js';
import { loadInputs } from '../../src/ingest/load.js';
import { diagnose } from '../../src/diagnose/engine.js';
import type { Finding } from '../../src/diagnose/finding.js';
import { FIXTURES } from '../helpers/paths.js';

const LAB = join(FIXTURES, 'lab');

async function findings(...files: string[]): Promise<Finding[]> {
  const store = new CallStore({ keep: () => true });
  await loadInputs(files.map((f) => join(LAB, f)), store);
  return diagnose({ calls: store.calls() });
}

/** code(severity) callId [messages] — one line per finding, in report order. */
const lines = (fs: Finding[]): string[] => fs.map((f) => `${f.code}(${f.severity}) ${f.callId} [${f.messages.join(',')}]`);

const SINGLE: Record<string, string[]> = {
  'register-off-wan.pcap': ['nat.contact-private(warning) reg-lab-1 [0]', 'nat.via-mismatch(info) reg-lab-1 [0]'],
  'register-off-lan.pcap': [],
  'register-on-wan.pcap': [],
  'register-on-lan.pcap': [],
  'invite-off-wan.pcap': [
    'nat.contact-private(warning) inv-lab-1 [0]',
    // INVITE, ACK, BYE: every request of the phone carries the private Via.
    'nat.via-mismatch(info) inv-lab-1 [0,4,5]',
    'nat.sdp-private(warning) inv-lab-1 [0]',
    // c=192.168.20.100 in the offer, bob's answer public: bob's RTP goes nowhere.
    'media.one-way(error) inv-lab-1 [0,3]',
  ],
  'invite-off-lan.pcap': [],
  'invite-on-wan.pcap': [],
  'invite-on-lan.pcap': [],
  'norport-off-wan.pcap': [
    'nat.contact-private(warning) norport-lab-1 [0]', 'nat.via-mismatch(info) norport-lab-1 [0]', 'nat.no-rport(warning) norport-lab-1 [0]',
  ],
  'norport-off-lan.pcap': [],
  'norport-on-wan.pcap': [],
  'norport-on-lan.pcap': [],
  'callid-on-wan.pcap': [],
  'callid-on-lan.pcap': [],
  // The REGISTER's Via stays private (only the Contact is public, as after STUN): via-mismatch.
  'timeout-off-wan.pcap': ['nat.via-mismatch(info) timeout-lab-1 [0]', 'nat.binding-timeout(error) timeout-lab-call [0,1,2,3]'],
  // Kamailio's INVITE never crossed the router: the LAN side saw only the REGISTER.
  'timeout-off-lan.pcap': [],
  // Carol's first two INVITEs, dropped by the ALG, were retransmissions of one transaction that
  // was answered on the third: on the LAN side that is an INVITE sent 3 times over 1.52 s before
  // its 100 (timing.no-provisional, warning). The WAN side saw one INVITE, answered at once.
  'samemedia-on-wan.pcap': [],
  'samemedia-on-lan.pcap': ['timing.no-provisional(warning) same-lab-2 [0,1,2,3]'],
};

for (const [file, want] of Object.entries(SINGLE)) {
  test(`lab ${file}: exactly the expected findings`, async () => {
    assert.deepEqual(lines(await findings(file)), want);
  });
}

test('lab register-off-wan: the evidence names the private Contact/Via and the router address', async () => {
  const [contact, via] = await findings('register-off-wan.pcap');
  assert.match(contact!.summary, /192\.168\.20\.100:5060.*203\.0\.113\.1:5060/);
  assert.equal(via!.evidence['sentBy'], '192.168.20.100:5060');
  assert.equal(via!.evidence['packetSource'], '203.0.113.1:5060');
});

test('lab norport-off-wan: no rport, and the 200 OK still reached the source (port kept by masquerade)', async () => {
  const f = (await findings('norport-off-wan.pcap')).find((x) => x.code === 'nat.no-rport')!;
  assert.deepEqual(f.evidence['packetSources'], ['203.0.113.1:5060']);
  assert.match(String((f.evidence['via'] as string[])[0]), /^SIP\/2\.0\/UDP 192\.168\.20\.100:5060;branch=[^;]+$/);
});

test('lab timeout-off-wan: binding-timeout reports the measured retransmission schedule', async () => {
  const f = (await findings('timeout-off-wan.pcap')).find((x) => x.code === 'nat.binding-timeout')!;
  // tcpdump: 15:38:35.547405, 36.028912, 37.028887, 39.028871 (timer A 0.5 s, 1 s, 2 s).
  assert.deepEqual(f.evidence['retransmissionSchedule'], [0, 0.482, 1.481, 3.481]);
  assert.equal(f.evidence['endpoint'], '203.0.113.1:5060');
  // REGISTER at 15:38:32.249491, first INVITE 3.298 s later; the router's UDP timeout was 2 s.
  assert.equal(f.evidence['idleGapSeconds'], 3.298);
  assert.equal(f.evidence['expiresRequested'], 3600);
  assert.match(String(f.evidence['behindNat']), /192\.168\.20\.100:5060.*arrived from 203\.0\.113\.1:5060/);
  assert.equal(f.evidence['finalResponse'], null); // the 408 went to dave on the server, not captured
});

/**
 * Both sides in one capture: each message seen before and after the router.
 * With the ALG on every pair differs only by the NAT's translation written
 * into the text — the ALG hid the NAT (info). With it off the SIP bytes are
 * identical (no alg.rewrite) and the WAN copy shows the NAT as above. No
 * nat.response-misrouted: the response goes to the hop the server heard.
 */
const BOTH: Record<string, string[]> = {
  'register-off': ['nat.contact-private(warning) reg-lab-1 [2]', 'nat.via-mismatch(info) reg-lab-1 [2]'],
  'register-on': ['alg.rewrite(info) reg-lab-1 [0,2]', 'alg.rewrite(info) reg-lab-1 [1,3]'],
  'norport-on': ['alg.rewrite(info) norport-lab-1 [0,2]', 'alg.rewrite(info) norport-lab-1 [1,3]'],
  // Call-ID a84b4c76e66710@192.168.20.100 left alone, foreign Contact 198.51.100.7 too.
  'callid-on': ['alg.rewrite(info) a84b4c76e66710@192.168.20.100 [0,2]', 'alg.rewrite(info) a84b4c76e66710@192.168.20.100 [1,3]'],
  'invite-on': [0, 1, 2, 3, 4, 5, 6].map((i) => `alg.rewrite(info) inv-lab-1 [${i},${i + 7}]`),
};

for (const [scenario, want] of Object.entries(BOTH)) {
  test(`lab ${scenario} LAN+WAN in one capture: exactly the expected findings`, async () => {
    assert.deepEqual(lines(await findings(`${scenario}-lan.pcap`, `${scenario}-wan.pcap`)), want);
  });
}

test('lab invite-on LAN+WAN: the INVITE rewrite says the ALG hid the NAT and lists Via, Contact and body', async () => {
  const [inv] = await findings('invite-on-lan.pcap', 'invite-on-wan.pcap');
  assert.match(inv!.summary, /replaced 192\.168\.20\.100:5060 by 203\.0\.113\.1:5060 in via, contact, body — it hid the NAT/);
  assert.equal(inv!.evidence['hidesNat'], true);
});

test('lab samemedia-on LAN+WAN: carol\'s NAT port 57042 is the translation the ALG wrote', async () => {
  const fs = (await findings('samemedia-on-lan.pcap', 'samemedia-on-wan.pcap')).filter((f) => f.callId === 'same-lab-2');
  // …and the LAN side's late answer (three sends before the 100) as in samemedia-on-lan alone.
  assert.deepEqual(fs.map((f) => `${f.code}(${f.severity})`), [...Array<string>(7).fill('alg.rewrite(info)'), 'timing.no-provisional(warning)']);
  assert.match(fs[0]!.summary, /^INVITE: a SIP ALG replaced 192\.168\.20\.101:5060 by 203\.0\.113\.1:57042/);
  // The two LAN transmissions the ALG dropped (no WAN twin) are no pair.
  assert.deepEqual(fs[0]!.messages, [2, 9]);
});
