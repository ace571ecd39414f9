import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { parseNameAddr } from '../../src/sip/name-addr.js';

const codes = (x: { issues: { code: string }[] }) => x.issues.map((i) => i.code);

test('quoted display name with escapes, <uri>, header params', () => {
  const a = parseNameAddr('"Bob \\"the\\" Builder \\\\ 2" <sip:bob@biloxi.com;transport=tcp>;tag=a6c85cf;expires=60');
  assert.equal(a.displayName, 'Bob "the" Builder \\ 2');
  assert.equal(a.bracketed, true);
  assert.equal(a.uri.user, 'bob');
  assert.equal(a.uri.params.transport, 'tcp');
  assert.deepEqual({ ...a.params }, { tag: 'a6c85cf', expires: '60' });
  assert.deepEqual(a.issues, []);
});

test('token display name and no display name', () => {
  assert.equal(parseNameAddr('Alice Smith <sip:alice@atlanta.com>').displayName, 'Alice Smith');
  const n = parseNameAddr('<sip:carol@chicago.com>');
  assert.equal(n.displayName, undefined);
  assert.equal(n.uri.host, 'chicago.com');
});

test('addr-spec without brackets: params belong to the header (RFC 3261 §20.10)', () => {
  const a = parseNameAddr('sip:alice@atlanta.com;tag=88sja8x');
  assert.equal(a.bracketed, false);
  assert.equal(a.uri.host, 'atlanta.com');
  assert.deepEqual({ ...a.uri.params }, {});
  assert.deepEqual({ ...a.params }, { tag: '88sja8x' });
});

test('Contact: *', () => {
  const s = parseNameAddr(' * ');
  assert.equal(s.star, true);
  assert.deepEqual(s.issues, []);
});

test('quoted name containing <, > and , is not misread', () => {
  const a = parseNameAddr('"A <weird>, name" <tel:+15551234>');
  assert.equal(a.displayName, 'A <weird>, name');
  assert.equal(a.uri.scheme, 'tel');
  assert.equal(a.uri.user, '+15551234');
});

test('malformed: unclosed quote, unclosed angle, junk after >', () => {
  const q = parseNameAddr('"Unclosed <sip:a@b>');
  assert.deepEqual(codes(q), ['sip.name-addr-unclosed-quote']);
  assert.equal(q.displayName, 'Unclosed');
  assert.equal(q.uri.host, 'b');
  const l = parseNameAddr('Bob <sip:bob@biloxi.com;tag=1');
  assert.deepEqual(codes(l), ['sip.name-addr-unclosed-angle']);
  assert.equal(l.uri.user, 'bob');
  const j = parseNameAddr('<sip:a@b> garbage;tag=1');
  assert.deepEqual(codes(j), ['sip.name-addr-junk']);
  assert.equal(j.uri.host, 'b');
});

test('URI issues surface with offsets into the header value', () => {
  const a = parseNameAddr('"X" <sip:x@10.0.0.1:99999>;tag=1');
  assert.deepEqual(codes(a), ['sip.uri-bad-port']);
  assert.equal(a.issues[0]!.offset, '"X" <sip:x@10.0.0.1:'.length);
  assert.equal(a.params.tag, '1');
});
