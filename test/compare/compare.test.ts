import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareCaptures, compareToJson } from '../../src/compare/compare.js';
import { captured } from '../helpers/messages.js';
import { algRewrite, invite, outbound, PHONE, PUBLIC, REGISTER, SDP, SERVER } from './build.js';

const algOf = (r: ReturnType<typeof compareCaptures>) => r.pairs.flatMap((p) => p.changes.filter((c) => c.kind === 'alg'));

test('plain NAT: only packet addresses change, verdict nat-only, no findings', () => {
  const [b, a] = outbound(REGISTER, REGISTER, 1000);
  const r = compareCaptures([b], [a]);
  assert.equal(r.verdict, 'nat-only');
  assert.deepEqual(r.pairs[0]!.changes, [{ where: 'packet.src', before: PHONE, after: PUBLIC, kind: 'nat' }]);
  assert.equal(r.pairs[0]!.match, 'ids');
  assert.deepEqual(r.findings, []);
});

test('the same capture twice is identical; disjoint captures are unrelated', () => {
  const m = captured(REGISTER, { at: 1, from: PHONE, to: SERVER });
  assert.equal(compareCaptures([m], [m]).verdict, 'identical');
  const other = captured(REGISTER.replace('a84b4c76e66710@192.168.20.100', 'other').replace('1 REGISTER', '7 REGISTER').replace('tag=1928301774', 'tag=zz'), { at: 1 });
  assert.equal(compareCaptures([m], [other]).verdict, 'unrelated');
  assert.equal(compareCaptures([], []).verdict, 'identical');
});

test('kernel-style ALG on INVITE: Via, Contact, Content-Length, sdp.o, sdp.c rewritten; m= untouched', () => {
  const [b, a] = outbound(invite(), algRewrite(invite()), 1000);
  const r = compareCaptures([b], [a]);
  assert.equal(r.verdict, 'alg');
  const where = algOf(r).map((c) => c.where);
  assert.deepEqual(where, ['Via', 'Contact', 'Content-Length', 'sdp.o', 'sdp.c']);
  const c = algOf(r).find((x) => x.where === 'sdp.c')!;
  assert.deepEqual([c.before, c.after], ['IN IP4 192.168.20.100', 'IN IP4 203.0.113.1']);
  assert.equal(algOf(r).find((x) => x.where === 'Content-Length')!.before, String(Buffer.byteLength(SDP)));
  const f = r.findings.find((x) => x.code === 'alg.rewrite')!;
  assert.equal(f.severity, 'warning');
  assert.match(f.summary, /Contact 192\.168\.20\.100:5060 → 203\.0\.113\.1:5060 in INVITE/);
  assert.match(f.advice, /SIP ALG/);
  assert.equal(r.findings.filter((x) => x.code === 'alg.malformed').length, 0);
});

test('an ALG that reorders headers: header-order change, values equal', () => {
  const lines = REGISTER.split('\n');
  const moved = [lines[0], lines[4], lines[1], lines[2], lines[3], ...lines.slice(5)].join('\n');
  const [b, a] = outbound(REGISTER, moved, 1000);
  const r = compareCaptures([b], [a]);
  assert.equal(r.verdict, 'alg');
  const alg = algOf(r);
  assert.equal(alg.length, 1);
  assert.equal(alg[0]!.where, 'header-order');
  assert.equal(alg[0]!.what, 'reordered');
  assert.match(alg[0]!.before, /^Via, Max-Forwards, From, To/);
  assert.match(alg[0]!.after, /^To, Via, Max-Forwards, From/);
});

test('headers added and removed are reported as such (e.g. Warning: 399 added by the ALG)', () => {
  const after = REGISTER.replace('Expires: 3600\n', 'Warning: 399 router "sipalg"\n');
  const [b, a] = outbound(REGISTER, after, 1000);
  const alg = algOf(compareCaptures([b], [a]));
  assert.deepEqual(alg.map((c) => [c.where, c.what]).filter(([w]) => w !== 'header-order'), [['Expires', 'removed'], ['Warning', 'added']]);
});

test('an ALG that rewrites Call-ID, tags and branch: paired by content, alg.callid-rewritten', () => {
  const after = REGISTER.replace('a84b4c76e66710@192.168.20.100', 'ffe3-algcallid').replace('tag=1928301774', 'tag=alg99').replace('z9hG4bK776asdhds', 'z9hG4bKalgbranch');
  const noise = captured(REGISTER.replace('a84b4c76e66710@192.168.20.100', 'unrelated@x').replace('tag=1928301774', 'tag=t2').replace('1 REGISTER', '9 REGISTER'), { at: 1000.5, from: '203.0.113.77:5060', to: '203.0.113.78:5060' }, 1);
  const [b, a] = outbound(REGISTER, after, 1000);
  const r = compareCaptures([b], [a, noise]);
  assert.equal(r.pairs.length, 1);
  assert.equal(r.pairs[0]!.match, 'content');
  assert.deepEqual(r.onlyAfter, [1]);
  const f = r.findings.find((x) => x.code === 'alg.callid-rewritten')!;
  assert.equal(f.severity, 'error');
  assert.match(f.summary, /Call-ID, From tag and Via branch/);
  assert.deepEqual((f.evidence['rewritten'] as { what: string }[]).map((x) => x.what), ['Call-ID', 'From tag', 'Via branch']);
  assert.equal(r.findings.filter((x) => x.code === 'alg.dropped').length, 0, 'unrelated traffic is not a drop');
});

test('an ALG that loses ";" and writes a port > 65535: alg.malformed names the AFTER side', () => {
  const after = algRewrite(REGISTER)
    .replace('5060;branch=z9hG4bK776asdhds;rport', '5060;branch=z9hG4bK776asdhdsrport')
    .replace('<sip:alice@203.0.113.1:5060>', '<sip:alice@203.0.113.1:70000>');
  const [b, a] = outbound(REGISTER, after, 1000);
  const r = compareCaptures([b], [a]);
  const f = r.findings.find((x) => x.code === 'alg.malformed')!;
  assert.equal(f.evidence['side'], 'after');
  const problems = (f.evidence['problems'] as string[]).join(' | ');
  assert.match(problems, /port 70000 > 65535/);
  assert.equal(r.verdict, 'alg');
});

test('a wrong Content-Length after the rewrite is alg.malformed', () => {
  const sdpAfter = SDP.replaceAll('192.168.20.100', '203.0.113.1');
  const after = invite(sdpAfter, 'inv-1@lab', Buffer.byteLength(SDP)).replace(/192\.168\.20\.100:5060/g, '203.0.113.1:5060');
  const [b, a] = outbound(invite(), after, 1000);
  const r = compareCaptures([b], [a]);
  const f = r.findings.find((x) => x.code === 'alg.malformed')!;
  assert.match(String((f.evidence['problems'] as string[])[0]), /Content-Length \d+ but the body has \d+ bytes/);
});

test('a request in before and missing after (same destination as paired traffic) is alg.dropped', () => {
  const [b1, a1] = outbound(REGISTER, REGISTER, 1000);
  const second = captured(invite(), { at: 1001, from: '192.168.20.101:5060', to: SERVER }, 1);
  const r = compareCaptures([b1, second], [a1]);
  assert.deepEqual(r.onlyBefore, [1]);
  const f = r.findings.find((x) => x.code === 'alg.dropped')!;
  assert.deepEqual(f.messages, [1]);
  assert.equal(f.evidence['side'], 'before');
  assert.equal(r.verdict, 'alg');
});

test('requests from outside to the public address never seen inside: nat.binding-timeout, verdict nat-only', () => {
  const [b1, a1] = outbound(REGISTER, REGISTER, 1000);
  const inviteIn = invite().replace('INVITE sip:bob@203.0.113.10', 'INVITE sip:alice@203.0.113.1:5060').replace('inv-1@', 'in-1@');
  const ins = [0, 0.5, 1.5].map((d, i) => captured(inviteIn, { at: 1010 + d, from: SERVER, to: PUBLIC }, i + 1));
  const r = compareCaptures([b1], [a1, ...ins]);
  assert.equal(r.verdict, 'nat-only');
  assert.deepEqual(r.onlyAfter, [1, 2, 3]);
  const f = r.findings.find((x) => x.code === 'nat.binding-timeout')!;
  assert.deepEqual(f.messages, [1, 2, 3]);
  assert.equal(f.evidence['publicAddress'], PUBLIC);
});

test('clock offset between the capture machines does not disturb pairing, and is reported', () => {
  const msgs = [0, 1, 2].map((i) => outbound(REGISTER.replace('1 REGISTER', `${i + 1} REGISTER`), REGISTER.replace('1 REGISTER', `${i + 1} REGISTER`), 1000 + i, 3600.25, i));
  const r = compareCaptures(msgs.map((m) => m[0]), msgs.map((m) => m[1]));
  assert.equal(r.pairs.length, 3);
  assert.ok(Math.abs(r.clockOffsetNs - 3600.2501e9) < 1e6, String(r.clockOffsetNs));
});

test('a retransmission lost on one side: the surviving copy pairs with the nearest sighting', () => {
  const b = [0, 0.5, 1.5].map((d, i) => captured(invite(), { at: 1000 + d, from: PHONE, to: SERVER }, i));
  const a = [captured(invite(), { at: 1001.5001, from: PUBLIC, to: SERVER }, 0)];
  const r = compareCaptures(b, a);
  assert.deepEqual(r.pairs.map((p) => [p.before, p.after]), [[2, 0]]);
  assert.deepEqual(r.onlyBefore, [0, 1]);
  assert.equal(r.findings.find((f) => f.code === 'alg.dropped')!.messages.length, 2);
});

test('JSON follows SPEC.md: verdict, pairs with callId/before/after/changes, onlyBefore, onlyAfter, findings', () => {
  const [b, a] = outbound(REGISTER, algRewrite(REGISTER), 1000);
  const j = JSON.parse(JSON.stringify(compareToJson(compareCaptures([b], [a])))) as Record<string, unknown>;
  assert.deepEqual(Object.keys(j).slice(0, 5), ['verdict', 'pairs', 'onlyBefore', 'onlyAfter', 'findings']);
  const p = (j['pairs'] as Record<string, unknown>[])[0]!;
  assert.equal(p['callId'], 'a84b4c76e66710@192.168.20.100');
  assert.equal(p['before'], 0);
  assert.equal(p['after'], 0);
  for (const c of p['changes'] as Record<string, unknown>[]) {
    assert.equal(typeof c['where'], 'string');
    assert.equal(typeof c['before'], 'string');
    assert.equal(typeof c['after'], 'string');
    assert.ok(c['kind'] === 'nat' || c['kind'] === 'alg');
  }
  for (const f of j['findings'] as Record<string, unknown>[]) {
    assert.deepEqual(Object.keys(f).sort(), ['advice', 'callId', 'code', 'evidence', 'messages', 'severity', 'summary']);
  }
});
