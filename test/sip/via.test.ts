import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { parseOneVia, parseVia } from '../../src/sip/via.js';

const codes = (x: { issues: { code: string }[] }) => x.issues.map((i) => i.code);

test('a typical client Via with rport (RFC 3581)', () => {
  const [v] = parseVia('SIP/2.0/UDP 192.168.1.20:5060;branch=z9hG4bK-524287-1;rport');
  assert.ok(v);
  assert.equal(v.protocol, 'SIP');
  assert.equal(v.version, '2.0');
  assert.equal(v.transport, 'UDP');
  assert.equal(v.host, '192.168.1.20');
  assert.equal(v.port, 5060);
  assert.equal(v.branch, 'z9hG4bK-524287-1');
  assert.equal(v.rport, true);
  assert.deepEqual(v.issues, []);
});

test('received and rport value filled in by the server', () => {
  const v = parseOneVia('SIP/2.0/tcp client.example.com;received=203.0.113.9;rport=40123;branch=z9hG4bKx');
  assert.equal(v.transport, 'TCP');
  assert.equal(v.port, undefined);
  assert.equal(v.received, '203.0.113.9');
  assert.equal(v.rport, 40123);
});

test('comma-joined Vias, top first', () => {
  const vs = parseVia('SIP/2.0/UDP p1.example.com;branch=z9hG4bK1, SIP/2.0/TLS p2.example.com:5061;branch=z9hG4bK2');
  assert.deepEqual(vs.map((v) => [v.host, v.transport, v.port, v.branch]),
    [['p1.example.com', 'UDP', undefined, 'z9hG4bK1'], ['p2.example.com', 'TLS', 5061, 'z9hG4bK2']]);
});

test('bracketed IPv6 sent-by', () => {
  const v = parseOneVia('SIP/2.0/UDP [2001:db8::9:1]:5062;branch=z9hG4bKa;received=2001:db8::9:255');
  assert.equal(v.host, '2001:db8::9:1');
  assert.equal(v.ipv6, true);
  assert.equal(v.port, 5062);
  assert.equal(v.received, '2001:db8::9:255');
  assert.deepEqual(v.issues, []);
});

test('unbracketed IPv6 sent-by is an issue', () => {
  const v = parseOneVia('SIP/2.0/UDP 2001:db8::9:1;branch=z9hG4bKa');
  assert.deepEqual(codes(v), ['sip.via-unbracketed-ipv6']);
  assert.equal(v.host, '2001:db8::9:1');
  assert.equal(v.branch, 'z9hG4bKa');
});

test('LWS around the slashes and the equals signs is legal', () => {
  const v = parseOneVia('SIP / 2.0 / UDP   first.example.com: 4000;ttl=16 ;maddr=224.2.0.1 ;branch = z9hG4bKa7c6a8dlze.1');
  assert.equal(v.transport, 'UDP');
  assert.equal(v.host, 'first.example.com');
  assert.equal(v.port, 4000);
  assert.equal(v.ttl, 16);
  assert.equal(v.maddr, '224.2.0.1');
  assert.equal(v.branch, 'z9hG4bKa7c6a8dlze.1');
  assert.deepEqual(v.issues, []);
});

test('missing ";" between params — the ALG damage shapes', () => {
  const a = parseOneVia('SIP/2.0/UDP 10.0.0.1:5060branch=z9hG4bK77;rport');
  assert.deepEqual(codes(a), ['sip.via-missing-semicolon']);
  assert.equal(a.port, 5060);
  assert.equal(a.branch, 'z9hG4bK77');
  assert.equal(a.rport, true);
  const b = parseOneVia('SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK77 received=1.2.3.4');
  assert.deepEqual(codes(b), ['sip.via-missing-semicolon']);
  assert.equal(b.branch, 'z9hG4bK77');
  assert.equal(b.received, '1.2.3.4');
});

test('port above 65535, bad protocol, no host, bad rport', () => {
  const p = parseOneVia('SIP/2.0/UDP 10.0.0.1:70000;branch=z9hG4bK1');
  assert.deepEqual(codes(p), ['sip.via-bad-port']);
  assert.equal(p.port, 70000);
  assert.equal(p.branch, 'z9hG4bK1');
  assert.ok(codes(parseOneVia('10.0.0.1:5060;branch=z9hG4bK1')).includes('sip.via-bad-protocol'));
  assert.ok(codes(parseOneVia('SIP/2.0/UDP ;branch=1')).includes('sip.via-no-host'));
  assert.deepEqual(codes(parseOneVia('SIP/2.0/UDP h;rport=abc')), ['sip.via-bad-rport']);
  assert.deepEqual(codes(parseOneVia('SIP/2.0/UDP h:;branch=1')), ['sip.via-bad-port']);
});

test('never throws on hostile input', () => {
  for (const s of ['', ',', 'SIP/2.0/UDP', 'SIP/2.0/UDP [', 'SIP/2.0/UDP [::1', '"quoted, thing"', ';;;', 'SIP/2.0/UDP h:99999999999999']) {
    for (const v of parseVia(s)) assert.equal(typeof v.host, 'string');
  }
});
