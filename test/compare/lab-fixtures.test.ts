/**
 * `sipv compare` (the built binary) on the committed lab captures — the same
 * bytes the kernel SIP ALG produced in test/lab, so this runs without root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FIXTURES } from '../helpers/paths.js';
import { BIN_MISSING, sipv } from '../helpers/run-cli.js';

const LAB = join(FIXTURES, 'lab');
const skip = BIN_MISSING;

function compare(s: string, ...more: string[]) {
  return sipv(['compare', join(LAB, `${s}-lan.pcap`), join(LAB, `${s}-wan.pcap`), ...more]);
}
function json(s: string) {
  const r = compare(s, '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { verdict: string; pairs: { label: string; changes: { where: string; kind: string; before: string; after: string }[] }[]; findings: { code: string; callId: string }[]; onlyBefore: number[]; onlyAfter: number[] };
}

const VERDICTS: [string, string, string[]][] = [
  ['register-off', 'nat-only', []],
  ['invite-off', 'nat-only', []],
  ['norport-off', 'nat-only', []],
  ['register-on', 'alg', ['alg.rewrite']],
  ['invite-on', 'alg', ['alg.rewrite']],
  ['norport-on', 'alg', ['alg.rewrite']],
  ['callid-on', 'alg', ['alg.rewrite']],
  ['timeout-off', 'nat-only', ['nat.binding-timeout']],
  ['samemedia-on', 'alg', ['alg.rewrite', 'alg.rewrite', 'alg.dropped']],
  ['onecall-on', 'alg', ['alg.rewrite']],
];

for (const [s, verdict, codes] of VERDICTS) {
  test(`lab fixture ${s}: verdict ${verdict}, findings ${codes.join(', ') || 'none'}`, { skip }, () => {
    const r = json(s);
    assert.equal(r.verdict, verdict);
    assert.deepEqual(r.findings.map((f) => f.code), codes);
  });
}

test('lab fixture invite-on: exactly the fields the kernel rewrote in the INVITE', { skip }, () => {
  const inv = json('invite-on').pairs.find((p) => p.label === 'INVITE')!;
  assert.deepEqual(inv.changes.map((c) => `${c.kind} ${c.where}`), ['nat packet.src', 'alg Via', 'alg Contact', 'alg Content-Length', 'alg sdp.o', 'alg sdp.c']);
  assert.deepEqual(inv.changes.find((c) => c.where === 'Content-Length')!, { where: 'Content-Length', before: '232', after: '226', kind: 'alg' });
});

test('exit codes: --fail-on is 1 only with an ALG; a missing file is 2', { skip }, () => {
  assert.equal(compare('register-on', '--fail-on').code, 1);
  assert.equal(compare('register-off', '--fail-on').code, 0);
  assert.equal(compare('timeout-off', '--fail-on', 'error').code, 1);
  assert.equal(compare('register-on', '--fail-on', 'bogus').code, 2);
  const missing = sipv(['compare', join(LAB, 'nope.pcap'), join(LAB, 'register-on-wan.pcap')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^sipv: .*nope\.pcap/m);
});

test('text output has no escape codes when stdout is not a TTY', { skip }, () => {
  const r = compare('invite-on');
  assert.equal(r.code, 0);
  assert.doesNotMatch(r.stdout, /\x1b\[/);
  assert.match(r.stdout, /^verdict: ALG/m);
  assert.match(r.stdout, /alg sdp\.c: IN IP4 192\.168\.20\.100 → IN IP4 203\.0\.113\.1/);
});

test('lab fixture onecall-on: REGISTER and INVITE on one Call-ID, both transactions rewritten, paired by identity', { skip }, () => {
  const r = json('onecall-on');
  const where = (label: string) => r.pairs.find((p) => p.label === label)!.changes.filter((c) => c.kind === 'alg').map((c) => c.where);
  assert.deepEqual(where('REGISTER'), ['Via', 'Contact']);
  assert.deepEqual(where('INVITE'), ['Via', 'Contact', 'Content-Length', 'sdp.o', 'sdp.c']);
  assert.equal(r.pairs.length, 9);
  assert.deepEqual(r.findings.map((f) => f.callId), ['one-lab-1']);
});
