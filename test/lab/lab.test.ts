/**
 * The real thing: builds the network-namespace lab (test/lab/netns-lab.sh),
 * drives every scenario with ALG off and on through the Linux kernel's SIP ALG
 * (nf_conntrack_sip + nf_nat_sip) and a real Kamailio, captures both router
 * sides, and checks that `sipv compare LAN WAN --json` (the built binary)
 * reports exactly what the kernel did. The expectations were read off the
 * captures by hand with tshark/tcpdump -A first (see test/fixtures/lab/README.md).
 *
 * Skips, saying why, only when the machine cannot run the lab at all: not
 * root, no network namespaces, no SIP conntrack helper, or kamailio/nft/
 * conntrack/ethtool/tcpdump missing (.ci/run installs them).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../helpers/paths.js';
import { BIN_MISSING, sipv } from '../helpers/run-cli.js';

const SCRIPT = join(REPO, 'test', 'lab', 'netns-lab.sh');
const env = { ...process.env, LAB_NS: `sipvt${process.pid % 10000}` };

function why(): string | false {
  if (BIN_MISSING) return BIN_MISSING;
  if (process.getuid?.() !== 0) return 'the NAT/ALG lab needs root (network namespaces, nftables)';
  const r = spawnSync('bash', [SCRIPT, 'check'], { env, encoding: 'utf8' });
  return r.status === 0 ? false : `the NAT/ALG lab cannot run here: ${(r.stdout + r.stderr).trim()}`;
}
const skip = why();
let dir = '';
let built = false;

interface Change { where: string; before: string; after: string; kind: 'nat' | 'alg'; what?: string }
interface Pair { callId: string; before: number; after: number; label: string; match: string; changes: Change[] }
interface Result { verdict: string; pairs: Pair[]; onlyBefore: number[]; onlyAfter: number[]; findings: { code: string; callId: string; messages: number[]; evidence: Record<string, unknown> }[] }

function compare(s: string): Result {
  const r = sipv(['compare', join(dir, `${s}-lan.pcap`), join(dir, `${s}-wan.pcap`), '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Result;
}
const alg = (p: Pair) => p.changes.filter((c) => c.kind === 'alg');
const pairOf = (r: Result, label: string, callId?: string) => {
  const p = r.pairs.find((x) => x.label === label && (callId === undefined || x.callId === callId));
  assert.ok(p, `no pair ${label} in ${r.pairs.map((x) => x.label).join(', ')}`);
  return p;
};
const change = (p: Pair, where: string) => {
  const c = p.changes.find((x) => x.where === where);
  assert.ok(c, `${p.label}: no change at ${where}; have ${p.changes.map((x) => x.where).join(', ')}`);
  return c;
};

before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'sipv-lab-'));
  const r = spawnSync('bash', [SCRIPT, 'all', dir], { env, encoding: 'utf8', timeout: 150_000 });
  assert.equal(r.status, 0, `lab failed:\n${r.stdout}\n${r.stderr}`);
  built = true;
});

after(() => {
  spawnSync('bash', [SCRIPT, 'down'], { env });
  if (dir && !process.env['SIPV_KEEP_LAB']) rmSync(dir, { recursive: true, force: true });
});

for (const s of ['register-off', 'invite-off', 'norport-off', 'callid-off']) {
  test(`ALG off, ${s}: nat-only, every message crosses, SIP byte-identical`, { skip }, () => {
    assert.ok(built);
    const r = compare(s);
    assert.equal(r.verdict, 'nat-only');
    assert.deepEqual(r.onlyBefore, []);
    assert.deepEqual(r.onlyAfter, []);
    assert.deepEqual(r.findings, []);
    assert.ok(r.pairs.length >= 2);
    for (const p of r.pairs) {
      assert.deepEqual(alg(p), [], p.label);
      assert.ok(p.changes.some((c) => c.where === 'packet.src' || c.where === 'packet.dst'), p.label);
    }
  });
}

test('ALG on, REGISTER: Via and Contact rewritten out, Via (received too) and Contact rewritten back in the 200', { skip }, () => {
  const r = compare('register-on');
  assert.equal(r.verdict, 'alg');
  const reg = pairOf(r, 'REGISTER');
  assert.deepEqual(alg(reg).map((c) => c.where), ['Via', 'Contact']);
  assert.match(change(reg, 'Via').before, /^SIP\/2\.0\/UDP 192\.168\.20\.100:5060;branch=/);
  assert.match(change(reg, 'Via').after, /^SIP\/2\.0\/UDP 203\.0\.113\.1:5060;branch=/);
  assert.deepEqual([change(reg, 'Contact').before, change(reg, 'Contact').after], ['<sip:alice-register-on@192.168.20.100:5060>', '<sip:alice-register-on@203.0.113.1:5060>']);
  const ok = pairOf(r, '200 OK (REGISTER)');
  assert.deepEqual(alg(ok).map((c) => c.where), ['Via', 'Contact']);
  assert.match(change(ok, 'Via').before, /192\.168\.20\.100:5060;.*received=192\.168\.20\.100/);
  assert.match(change(ok, 'Via').after, /203\.0\.113\.1:5060;.*received=203\.0\.113\.1/);
  assert.match(change(ok, 'Contact').after, /^<sip:alice-register-on@203\.0\.113\.1:5060>;expires=/);
  assert.deepEqual(r.findings.map((f) => f.code), ['alg.rewrite']);
});

test('ALG on, INVITE with SDP: Via, Contact, Content-Length -6, SDP o= and c=; never m= or a=rtcp', { skip }, () => {
  const r = compare('invite-on');
  assert.equal(r.verdict, 'alg');
  const inv = pairOf(r, 'INVITE');
  assert.deepEqual(alg(inv).map((c) => c.where), ['Via', 'Contact', 'Content-Length', 'sdp.o', 'sdp.c']);
  const cl = change(inv, 'Content-Length');
  assert.equal(Number(cl.before) - Number(cl.after), 2 * ('192.168.20.100'.length - '203.0.113.1'.length));
  assert.deepEqual([change(inv, 'sdp.c').before, change(inv, 'sdp.c').after], ['IN IP4 192.168.20.100', 'IN IP4 203.0.113.1']);
  assert.match(change(inv, 'sdp.o').after, / IN IP4 203\.0\.113\.1$/);
  for (const label of ['ACK', 'BYE']) assert.deepEqual(alg(pairOf(r, label)).map((c) => c.where), ['Via'], label);
  for (const label of ['180 Ringing (INVITE)', '200 OK (INVITE)', '200 OK (BYE)']) assert.deepEqual(alg(pairOf(r, label)).map((c) => c.where), ['Via'], label);
  assert.deepEqual(r.onlyBefore, []);
  assert.deepEqual(r.onlyAfter, []);
});

test('ALG on, phone without rport: Via and Contact still rewritten both ways', { skip }, () => {
  const r = compare('norport-on');
  assert.equal(r.verdict, 'alg');
  const reg = pairOf(r, 'REGISTER');
  assert.doesNotMatch(change(reg, 'Via').before, /rport/);
  assert.match(change(reg, 'Via').after, /^SIP\/2\.0\/UDP 203\.0\.113\.1:5060;branch=z9hG4bK[0-9a-f]+$/);
  assert.deepEqual(alg(pairOf(r, '200 OK (REGISTER)')).map((c) => c.where), ['Via', 'Contact']);
});

test('ALG on, IP-literal Call-ID and three Contacts: Call-ID untouched, both phone Contacts rewritten, the foreign one not', { skip }, () => {
  const r = compare('callid-on');
  const reg = pairOf(r, 'REGISTER');
  assert.deepEqual(alg(reg).map((c) => c.where), ['Via', 'Contact', 'Contact[2]']);
  assert.equal(reg.callId, 'a84b4c76e66710@192.168.20.100');
  assert.equal(reg.match, 'ids');
  assert.match(change(reg, 'Contact[2]').after, /^<sip:alice-callid-on@203\.0\.113\.1:5060;transport=udp>;q=0\.5$/);
  assert.ok(!r.findings.some((f) => f.code === 'alg.callid-rewritten'));
});

test('binding expired (ALG off, public Contact): the INVITE retransmissions are nat.binding-timeout, verdict nat-only', { skip }, () => {
  const r = compare('timeout-off');
  assert.equal(r.verdict, 'nat-only');
  const f = r.findings.find((x) => x.code === 'nat.binding-timeout');
  assert.ok(f, JSON.stringify(r.findings));
  assert.equal(f.callId, 'timeout-lab-call');
  // Kamailio: INVITE at 0, 0.5, 1.5, 3.5 s, then 408 at fr_timer 4 s; one per Contact binding.
  assert.ok(f.messages.length >= 4, String(f.messages.length));
  assert.deepEqual(f.messages, r.onlyAfter);
  assert.equal(f.evidence['publicAddress'], '203.0.113.1:5060');
});

test('ALG on, two phones offering RTP port 4000: the kernel drops the second INVITE while the first call holds the port', { skip }, () => {
  const r = compare('samemedia-on');
  assert.equal(r.verdict, 'alg');
  const drop = r.findings.find((x) => x.code === 'alg.dropped');
  assert.ok(drop, JSON.stringify(r.findings.map((x) => x.code)));
  assert.equal(drop.callId, 'same-lab-2');
  assert.equal(drop.evidence['side'], 'before');
  assert.ok(drop.messages.length >= 1);
  assert.ok(drop.messages.every((i) => r.onlyBefore.includes(i)));
  // The first call went through untouched except the usual rewrites.
  assert.deepEqual(alg(pairOf(r, 'INVITE', 'same-lab-1')).map((c) => c.where), ['Via', 'Contact', 'Content-Length', 'sdp.o', 'sdp.c']);
  // When phone 2's INVITE finally passes, masquerade gave it another source port, and the ALG writes that port into Via/Contact.
  // Alice hangs up after 1 s; phone 2's next retransmission then passes. Masquerade gave it
  // another source port, and the ALG writes that port into Via and Contact.
  const second = pairOf(r, 'INVITE', 'same-lab-2');
  const port = change(second, 'packet.src').after.split(':')[1];
  assert.notEqual(port, '5060');
  assert.match(change(second, 'Via').after, new RegExp(`203\\.0\\.113\\.1:${port};`));
  assert.match(change(second, 'Contact').after, new RegExp(`203\\.0\\.113\\.1:${port}>`));
  assert.ok(!second.changes.some((c) => c.where === 'sdp.m'), 'm= port is not rewritten');
});

test('text report and --fail-on exit codes on the real captures', { skip }, () => {
  const on = sipv(['compare', join(dir, 'invite-on-lan.pcap'), join(dir, 'invite-on-wan.pcap'), '--fail-on']);
  assert.equal(on.code, 1);
  assert.match(on.stdout, /^verdict: ALG/m);
  assert.match(on.stdout, /Contact 192\.168\.20\.100:5060 → 203\.0\.113\.1:5060 in INVITE/);
  const off = sipv(['compare', join(dir, 'invite-off-lan.pcap'), join(dir, 'invite-off-wan.pcap'), '--fail-on']);
  assert.equal(off.code, 0);
  assert.match(off.stdout, /^verdict: NAT only/m);
});

test('REGISTER then INVITE on one Call-ID: ALG off nat-only; ALG on both transactions rewritten, one call, one finding', { skip }, () => {
  const off = compare('onecall-off');
  assert.equal(off.verdict, 'nat-only');
  assert.deepEqual([off.onlyBefore, off.onlyAfter, off.findings], [[], [], []]);
  const r = compare('onecall-on');
  assert.equal(r.verdict, 'alg');
  assert.ok(r.pairs.every((p) => p.callId === 'one-lab-1' && p.match === 'ids'), 'every pair by identity, one Call-ID');
  assert.deepEqual(alg(pairOf(r, 'REGISTER')).map((c) => c.where), ['Via', 'Contact']);
  assert.deepEqual(alg(pairOf(r, 'INVITE')).map((c) => c.where), ['Via', 'Contact', 'Content-Length', 'sdp.o', 'sdp.c']);
  for (const label of ['200 OK (REGISTER)', '200 OK (INVITE)']) assert.ok(alg(pairOf(r, label)).some((c) => c.where === 'Via'), label);
  assert.deepEqual(alg(pairOf(r, 'BYE')).map((c) => c.where), ['Via']);
  assert.deepEqual(r.findings.map((f) => [f.code, f.callId]), [['alg.rewrite', 'one-lab-1']]);
  assert.deepEqual([r.onlyBefore, r.onlyAfter], [[], []]);
  // sipv calls sees one conversation holding both transactions.
  const calls = JSON.parse(sipv(['calls', join(dir, 'onecall-on-lan.pcap'), '--json']).stdout) as { callId: string; firstMethod: string; messages: number }[];
  assert.deepEqual(calls.map((c) => [c.callId, c.firstMethod]), [['one-lab-1', 'REGISTER']]);
  assert.ok(calls[0]!.messages >= 8, String(calls[0]!.messages));
});
