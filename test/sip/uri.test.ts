import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { parseUri } from '../../src/sip/uri.js';

const codes = (x: { issues: { code: string }[] }) => x.issues.map((i) => i.code);

test('sip URI with every part', () => {
  const u = parseUri('sip:alice:secret@atlanta.com:5061;transport=TCP;lr?subject=project%20x&priority=urgent');
  assert.equal(u.scheme, 'sip');
  assert.equal(u.user, 'alice');
  assert.equal(u.password, 'secret');
  assert.equal(u.host, 'atlanta.com');
  assert.equal(u.port, 5061);
  assert.deepEqual({ ...u.params }, { transport: 'TCP', lr: null });
  assert.deepEqual({ ...u.headers }, { subject: 'project%20x', priority: 'urgent' });
  assert.deepEqual(u.issues, []);
});

test('sips, no user, no port, upper-case scheme', () => {
  const u = parseUri('SIPS:registrar.example.com');
  assert.equal(u.scheme, 'sips');
  assert.equal(u.user, undefined);
  assert.equal(u.host, 'registrar.example.com');
  assert.equal(u.port, undefined);
  assert.deepEqual(u.issues, []);
});

test('user with telephone-subscriber parameters and user=phone', () => {
  const u = parseUri('sip:+1-212-555-1212;npdi;rn=+12125550000@gateway.com;user=phone');
  assert.equal(u.user, '+1-212-555-1212;npdi;rn=+12125550000');
  assert.equal(u.host, 'gateway.com');
  assert.deepEqual({ ...u.params }, { user: 'phone' });
});

test('bracketed IPv6 host with port', () => {
  const u = parseUri('<sip:bob@[2001:db8::10]:5070;transport=udp>');
  assert.equal(u.host, '2001:db8::10');
  assert.equal(u.ipv6, true);
  assert.equal(u.port, 5070);
  assert.equal(u.params.transport, 'udp');
  assert.deepEqual(u.issues, []);
});

test('unbracketed IPv6 and unclosed bracket are issues', () => {
  const a = parseUri('sip:bob@2001:db8::10');
  assert.deepEqual(codes(a), ['sip.uri-unbracketed-ipv6']);
  assert.equal(a.host, '2001:db8::10');
  const b = parseUri('sip:bob@[2001:db8::10;transport=udp');
  assert.deepEqual(codes(b), ['sip.uri-unclosed-bracket']);
  assert.equal(b.user, 'bob');
  assert.equal(b.params.transport, 'udp');
});

test('port above 65535 is kept and reported (a SIP-ALG fault)', () => {
  const u = parseUri('sip:alice@203.0.113.5:75060;transport=udp');
  assert.deepEqual(codes(u), ['sip.uri-bad-port']);
  assert.equal(u.port, 75060);
  assert.equal(u.host, '203.0.113.5');
  assert.equal(u.params.transport, 'udp');
  const n = parseUri('sip:alice@host:50x0');
  assert.deepEqual(codes(n), ['sip.uri-bad-port']);
  assert.equal(n.port, undefined);
  assert.equal(n.host, 'host');
});

test('tel URIs (RFC 3966)', () => {
  const g = parseUri('tel:+1-201-555-0123');
  assert.equal(g.scheme, 'tel');
  assert.equal(g.user, '+1-201-555-0123');
  assert.equal(g.host, '');
  assert.deepEqual(g.issues, []);
  const l = parseUri('tel:7042;phone-context=example.com;ext=22');
  assert.equal(l.user, '7042');
  assert.deepEqual({ ...l.params }, { 'phone-context': 'example.com', ext: '22' });
  assert.deepEqual(codes(parseUri('tel:')), ['sip.uri-empty-number']);
});

test('unknown schemes are kept opaque without issues (open set)', () => {
  const u = parseUri('urn:service:sos');
  assert.equal(u.scheme, 'urn');
  assert.equal(u.opaque, 'service:sos');
  assert.deepEqual(u.issues, []);
  assert.equal(parseUri('http://example.com/x').opaque, '//example.com/x');
});

test('no scheme, empty host, junk after host', () => {
  const a = parseUri('alice@example.com:5060');
  assert.deepEqual(codes(a), ['sip.uri-no-scheme']);
  assert.equal(a.user, 'alice');
  assert.equal(a.port, 5060);
  assert.ok(codes(parseUri('sip:alice@')).includes('sip.uri-empty-host'));
  assert.ok(codes(parseUri('sip:[::1]x')).includes('sip.uri-junk'));
});

test('parameter names are case-insensitive; first value wins', () => {
  const u = parseUri('sip:a@b;Transport=tls;TRANSPORT=udp;maddr=239.255.255.1');
  assert.deepEqual({ ...u.params }, { transport: 'tls', maddr: '239.255.255.1' });
});

test('never throws on hostile input', () => {
  for (const s of ['', ':', 'sip:', 'sip:@', 'sip:[', 'sip:]:', 'sip:a@b:', ';;;', '<>', 'sip:a@b?', 'sip:a@b;=x', 'sip:\u0000@\uFFFF']) {
    const u = parseUri(s);
    assert.equal(typeof u.host, 'string');
  }
});
