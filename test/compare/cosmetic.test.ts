/**
 * Issue 5: an ALG that re-writes header lines without changing what they mean
 * — name case (`Via` → `VIA`), compact form (`Call-ID` → `i`), whitespace
 * after the colon or around `;`, a list split into lines. Decided: that is
 * still an ALG at work (only a device that parses and re-emits SIP does it),
 * so `kind: alg` and verdict `alg`, but each change says `what: cosmetic` with
 * a note, the finding says "only the spelling … (cosmetic, same meaning)" at
 * severity info, and no real rewrite is ever reported as cosmetic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareCaptures } from '../../src/compare/compare.js';
import { renderCompare } from '../../src/report/compare-text.js';
import { algRewrite, invite, outbound, REGISTER } from './build.js';

const algOf = (r: ReturnType<typeof compareCaptures>) => r.pairs.flatMap((p) => p.changes.filter((c) => c.kind === 'alg'));
const run = (before: string, after: string) => {
  const [b, a] = outbound(before, after, 1000);
  return compareCaptures([b], [a]);
};

test('header name case only: one cosmetic alg change naming both spellings; verdict alg, finding info', () => {
  const r = run(REGISTER, REGISTER.replace('Via: ', 'VIA: ').replace('Max-Forwards:', 'max-forwards:'));
  assert.equal(r.verdict, 'alg');
  assert.deepEqual(algOf(r).map((c) => [c.where, c.what, c.note]), [
    ['Via', 'cosmetic', 'header name Via → VIA'],
    ['Max-Forwards', 'cosmetic', 'header name Max-Forwards → max-forwards'],
  ]);
  const via = algOf(r)[0]!;
  assert.match(via.before, /^Via: SIP\/2\.0\/UDP 192\.168\.20\.100:5060;/);
  assert.match(via.after, /^VIA: SIP\/2\.0\/UDP 192\.168\.20\.100:5060;/);
  assert.deepEqual(r.findings.map((f) => [f.code, f.severity]), [['alg.rewrite', 'info']]);
  assert.match(r.findings[0]!.summary, /only the spelling of SIP headers \(cosmetic, same meaning\): Via: header name Via → VIA \(cosmetic\) in REGISTER/);
  assert.equal(r.findings[0]!.evidence['cosmetic'], true);
});

test('compact form and whitespace after the colon are cosmetic too', () => {
  const r = run(REGISTER, REGISTER.replace('Call-ID: ', 'i:').replace('Expires: 3600', 'Expires:    3600'));
  assert.deepEqual(algOf(r).map((c) => [c.where, c.note]), [['Call-ID', 'header name Call-ID → i'], ['Expires', 'whitespace']]);
  assert.ok(!r.findings.some((f) => f.code === 'alg.callid-rewritten'), 'the Call-ID value is the same');
});

test('whitespace inside a value around ; and = is cosmetic; case inside a value is not', () => {
  const spaced = run(REGISTER, REGISTER.replace(';branch=z9hG4bK776asdhds;rport', ' ; branch = z9hG4bK776asdhds ;rport'));
  assert.deepEqual(algOf(spaced).map((c) => [c.where, c.what, c.note]), [['Via', 'cosmetic', 'whitespace']]);
  const cased = run(REGISTER, REGISTER.replace('<sip:alice@192.168.20.100:5060>', '<sip:ALICE@192.168.20.100:5060>'));
  assert.deepEqual(algOf(cased).map((c) => [c.where, c.what]), [['Contact', undefined]]);
  assert.equal(cased.findings[0]!.severity, 'warning');
});

test('a list written as two lines vs one comma-joined line: cosmetic, values equal', () => {
  const two = REGISTER.replace('Contact: <sip:alice@192.168.20.100:5060>', 'Contact: <sip:alice@192.168.20.100:5060>\nContact: <sip:alice@192.168.20.100:5062>');
  const one = REGISTER.replace('Contact: <sip:alice@192.168.20.100:5060>', 'Contact: <sip:alice@192.168.20.100:5060>, <sip:alice@192.168.20.100:5062>');
  const r = run(two, one);
  assert.deepEqual(algOf(r).map((c) => [c.where, c.what, c.note]), [['Contact', 'cosmetic', '2 lines → 1']]);
});

test('a real rewrite next to a cosmetic one: both reported, the finding is a warning and not called cosmetic', () => {
  const after = algRewrite(invite()).replace('Max-Forwards: 70', 'MAX-FORWARDS: 70');
  const r = run(invite(), after);
  assert.deepEqual(algOf(r).map((c) => c.where), ['Via', 'Contact', 'Content-Length', 'Max-Forwards', 'sdp.o', 'sdp.c']);
  assert.deepEqual(algOf(r).filter((c) => c.what === 'cosmetic').map((c) => c.where), ['Max-Forwards']);
  const f = r.findings.find((x) => x.code === 'alg.rewrite')!;
  assert.equal(f.severity, 'warning');
  assert.doesNotMatch(f.summary, /only the spelling/);
  assert.match(f.summary, /Contact 192\.168\.20\.100:5060 → 203\.0\.113\.1:5060 in INVITE/);
});

test('a byte-identical message through plain NAT stays nat-only (no false cosmetic change)', () => {
  const r = run(invite(), invite());
  assert.equal(r.verdict, 'nat-only');
  assert.deepEqual(algOf(r), []);
});

test('the text report says cosmetic and shows both spellings', () => {
  const r = run(REGISTER, REGISTER.replace('Via: ', 'VIA: '));
  const text = renderCompare(r, { color: false, beforeName: 'lan.pcap', afterName: 'wan.pcap' });
  assert.match(text, /alg Via: cosmetic \(header name Via → VIA\): "Via: SIP\/2\.0\/UDP .*" → "VIA: SIP\/2\.0\/UDP .*"/);
  assert.match(text, /^INFO alg\.rewrite/m);
});
