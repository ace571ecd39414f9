/**
 * The byte-level paths of the tcpdump -A reader: a packet's dump kept as a view of the
 * chunk or copied when it straddles chunks, CRLF-saved dumps, the character-scanning
 * parse of plain `-nn` packet lines against the general one, and the payload helpers on
 * bytes against their string forms.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TextBlock } from '../../src/capture/text-block.js';
import { TextDumpDecoder } from '../../src/capture/text.js';
import { mayBePacketLine, parsePacketLine, isPacketLine } from '../../src/capture/text-line.js';
import { payloadStart, rebuildPayload, startByLength, startBySipLine } from '../../src/capture/text-payload.js';
import { portNumber } from '../../src/capture/text-ports.js';
import { payloadOf } from './payloads.js';
import { decodeAll } from './split.js';

const OPTIONS = 'OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP 10.0.0.1:5060\nContent-Length: 0\n\n';

/** One dump in several tcpdump forms: plain -nn, -v (continuation line), -vvv TCP, IPv6, a bad time. */
const MIXED = [
  'reading from file x.pcap, link-type EN10MB (Ethernet)',
  `08:00:00.000001 IP 10.0.0.1.5060 > 10.0.0.2.5060: SIP: OPTIONS sip:a@b SIP/2.0\nE..\n${OPTIONS}`,
  `2024-05-14 08:00:01.000002 IP (tos 0x0, ttl 64, id 7, offset 0, flags [none], proto UDP (17), length 124)\n    10.0.0.2.5060 > 10.0.0.1.5060: SIP, length: 96\nE..|..\nSIP/2.0 200 OK\nVia: SIP/2.0/UDP 10.0.0.1:5060\nContent-Length: 0\n\n`,
  `08:00:02.000003 IP 10.0.0.1.5060 > 10.0.0.2.5060: Flags [P.], seq 1:75, ack 1, win 5, length 74\n\tSIP: OPTIONS\nE..x\n${OPTIONS}`,
  `08:00:03.000004 IP6 fe80::1.5060 > fe80::2.5060: SIP: OPTIONS sip:a@b SIP/2.0\n\`....\n${OPTIONS}`,
  `[Error converting time] IP 10.0.0.1.5060 > 10.0.0.2.5060: SIP: OPTIONS sip:a@b SIP/2.0\nE..\n${OPTIONS}`,
].join('\n');

function decode(bytes: Buffer, cuts: number[] = [], opts = {}) {
  const d = new TextDumpDecoder(opts);
  const frames = decodeAll(d, bytes, cuts);
  return { frames, issues: d.issues };
}

for (const [name, text] of [['LF', MIXED], ['CRLF', MIXED.replaceAll('\n', '\r\n')]] as const) {
  test(`text (${name} line ends): one cut at every offset gives the same frames and issues`, () => {
    const bytes = Buffer.from(text, 'latin1');
    const whole = decode(bytes);
    assert.equal(whole.frames.length, 5);
    assert.equal(payloadOf(whole.frames[0])!.payload.toString('latin1'), OPTIONS.replaceAll('\n', '\r\n'));
    for (let a = 0; a <= bytes.length; a++) assert.deepEqual(decode(bytes, [a]), whole, `cut at ${a}`);
  });

  test(`text (${name} line ends): two cuts around every offset, and one byte per chunk`, () => {
    const bytes = Buffer.from(text, 'latin1');
    const whole = decode(bytes);
    for (let a = 0; a < bytes.length; a++) assert.deepEqual(decode(bytes, [a, Math.min(bytes.length, a + 1 + (a % 7))]), whole, `cuts at ${a}`);
    assert.deepEqual(decode(bytes, [...bytes.keys()]), whole);
  });
}

test('text: CRLF-saved and LF dumps give the same frames; issue offsets count the CRs', () => {
  const lf = decode(Buffer.from(MIXED, 'latin1'));
  const crlf = decode(Buffer.from(MIXED.replaceAll('\n', '\r\n'), 'latin1'));
  assert.deepEqual(crlf.frames, lf.frames);
  assert.deepEqual(crlf.issues.map((i) => i.code), lf.issues.map((i) => i.code));
});

test('text: a dump longer than maxPacketText is cut the same wherever the chunks end', () => {
  const body = Array.from({ length: 40 }, (_, i) => `X-Line-${i}: ${'v'.repeat(i)}`).join('\n');
  const text = `08:00:00.000001 IP 10.0.0.1.5060 > 10.0.0.2.5060: SIP: OPTIONS sip:a@b SIP/2.0\nE..\nOPTIONS sip:a@b SIP/2.0\n${body}\n\n`;
  const bytes = Buffer.from(text, 'latin1');
  const whole = decode(bytes, [], { maxPacketText: 400 });
  assert.deepEqual(whole.issues.map((i) => i.code), ['text.packet-too-long', 'text.no-date']);
  const payload = payloadOf(whole.frames[0])!.payload.toString('latin1');
  assert.ok(payload.startsWith('OPTIONS sip:a@b SIP/2.0\r\nX-Line-0: \r\n'));
  assert.ok(payload.length < 440);
  for (let a = 0; a <= bytes.length; a += 3) assert.deepEqual(decode(bytes, [a], { maxPacketText: 400 }), whole, `cut at ${a}`);
});

test('text: a line with no newline at the end of input is still read', () => {
  const text = `08:00:00.000001 IP 10.0.0.1.5060 > 10.0.0.2.5060: SIP: OPTIONS sip:a@b SIP/2.0\nE..\nOPTIONS sip:a@b SIP/2.0\nContent-Length: 0`;
  const { frames } = decode(Buffer.from(text, 'latin1'), [10, 100]);
  assert.equal(payloadOf(frames[0])!.payload.toString('latin1'), 'OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 0');
});

test('TextBlock: a view while lines are contiguous, a copy once one is not, and after detach', () => {
  const chunk = Buffer.from('aa\nbb\r\ncc\ndd\n', 'latin1');
  const b = new TextBlock();
  b.add(chunk, 0, 2);
  b.add(chunk, 3, 5);
  assert.equal(b.bytes().buffer, chunk.buffer); // a view
  assert.equal(b.bytes().toString(), 'aa\nbb');
  b.add(chunk, 7, 9); // after the dropped CR: not contiguous
  assert.notEqual(b.bytes().buffer, chunk.buffer);
  b.add(chunk, 10, 12);
  assert.equal(b.bytes().toString(), 'aa\nbb\ncc\ndd');
  b.reset();
  assert.equal(b.bytes().length, 0);
  b.add(chunk, 0, 2);
  b.detach();
  chunk.fill(0x21);
  b.add(Buffer.from('zz'), 0, 2);
  assert.equal(b.bytes().toString(), 'aa\nzz');
  const big = Buffer.alloc(10000, 0x41);
  b.add(big, 0, big.length); // grows its buffer
  assert.equal(b.bytes().length, 5 + 1 + 10000);
});

test('packet lines: the quick scan of plain -nn lines gives what the general parse gives', () => {
  const plain = '08:00:00.019199 IP 192.0.2.44.5060 > 192.168.13.54.5060: SIP: SIP/2.0 401 Unauthorized';
  assert.deepEqual({ ...parsePacketLine(plain) }, {
    sec: 8 * 3600, nsec: 19_199_000, dated: false, v6: false,
    src: '192.0.2.44', srcPort: '5060', dst: '192.168.13.54', dstPort: '5060', proto: 'udp',
  });
  const dated = parsePacketLine('2011-07-28 12:54:46.562096123 IP 10.33.6.100.64802 > 10.33.6.101.5060: Flags [P.], seq 1:789, ack 1, win 5, length 788')!;
  assert.equal(dated.sec, Date.UTC(2011, 6, 28, 12, 54, 46) / 1000);
  assert.equal(dated.nsec, 562_096_123);
  assert.deepEqual([dated.proto, dated.tcp, dated.length], ['tcp', { flags: 'P.', seq: 1, seqEnd: 789, ack: 1 }, 788]);
  assert.equal(parsePacketLine('08:00:00.000000 IP 10.0.0.1.5060 > 10.0.0.2.5060: sctp (1) [DATA]')!.proto, 'other');
  assert.equal(parsePacketLine('08:00:00.000000 IP 10.0.0.1.5060 > 10.0.0.2.5060:')!.length, undefined);
  // Forms the quick scan leaves to the patterns.
  assert.deepEqual([parsePacketLine('08:00:00.000000 IP 10.0.0.1 > 10.0.0.2: ip-proto-17')!.srcPort], ['']);
  assert.equal(parsePacketLine('08:00:00.000000 IP 10.0.0.1.sip > 10.0.0.2.5060: SIP')!.srcPort, 'sip');
  assert.equal(parsePacketLine('08:00:00.0000000000 IP 10.0.0.1.5060 > 10.0.0.2.5060: SIP'), undefined);
  assert.equal(parsePacketLine('08:00:00.000000 IP 10.0.0.1.5060 > 10.0.0.2.5060:x'), undefined);
  assert.equal(parsePacketLine('1700000000.5 IP 10.0.0.1.5060 > 10.0.0.2.5060: SIP'), undefined);
  assert.equal(parsePacketLine('1700000000.500000 IP 10.0.0.1.5060 > 10.0.0.2.5060: SIP')!.sec, 1700000000);
});

test('packet lines: the byte pre-check passes every line the timestamp pattern matches', () => {
  const lines = ['08:00:00.000000 IP', '2024-05-14 08:00:00.000000 IP', '1700000000.123456 IP', '[Error converting time] IP', '12:34:56.123456789 x'];
  for (const l of lines) {
    assert.ok(isPacketLine(l), l);
    assert.ok(mayBePacketLine(Buffer.from(`\n${l}\n`), 1, l.length + 1), l);
  }
  for (const l of ['v=0', 't=0 0', 'SIP/2.0 200 OK', '123456789', '08:00:00.00000']) assert.equal(mayBePacketLine(Buffer.from(l), 0, l.length), false, l);
});

test('payload helpers: bytes and strings give the same answers', () => {
  const dumps = ['E..\nINVITE sip:x@y SIP/2.0\nA: b\n', 'x\nSIP/2.0 200 OK\n', '..AKINVITE sip:x@y SIP/2.0\n\n', '\n\n', '', 'FOO sip:a SIP/2.0'];
  for (const d of dumps) {
    const b = Buffer.from(d, 'latin1');
    assert.equal(startBySipLine(b), startBySipLine(d), d);
    for (let n = -1; n < d.length + 4; n++) {
      assert.equal(startByLength(b, n), startByLength(d, n), `${d} ${n}`);
      assert.equal(payloadStart(b, n), payloadStart(d, n), `${d} ${n}`);
    }
    assert.deepEqual(rebuildPayload(b), Buffer.from(d.replaceAll('\n', '\r\n'), 'latin1'));
  }
  assert.equal(startByLength('\nab', 5), 0);
});

test('ports: digits up to 65535 and known names only', () => {
  assert.deepEqual(['5060', '0', '65535', '065535', '65536', '123456', '', 'sip', '5060x', 'toString'].map(portNumber), [5060, 0, 65535, undefined, undefined, undefined, undefined, 5060, undefined, undefined]);
});
