import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv4String, ipv6String } from '../../src/net/addr.js';
import { newIpHeader } from '../../src/net/ip.js';
import { decodeIpv4 } from '../../src/net/ipv4.js';
import { decodeIpv6 } from '../../src/net/ipv6.js';
import { decodeFrames, eth, frame, ipv4, ipv6, ipv6Bytes, tcp, udp } from '../helpers/packet-builders.js';

test('addr: RFC 5952 canonical IPv6 text', () => {
  const cases: [string, string][] = [
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['fd01:0:0:0:0:0:0:0', 'fd01::'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run wins
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // leftmost of equal runs
    ['0:0:0:0:0:ffff:c000:0201', '::ffff:192.0.2.1'],
    ['FE80:0:0:0:21A:A0FF:FE07:32E0', 'fe80::21a:a0ff:fe07:32e0'],
  ];
  for (const [input, want] of cases) {
    const full = input.split(':').map((g) => g.padStart(4, '0')).join('');
    assert.equal(ipv6String(Buffer.from(full, 'hex'), 0), want, input);
  }
  assert.equal(ipv6String(ipv6Bytes('fd00:183:1:1:1886:9040:8605:32b8'), 0), 'fd00:183:1:1:1886:9040:8605:32b8');
  assert.equal(ipv4String(Buffer.from([0, 192, 168, 0, 255]), 1), '192.168.0.255');
});

test('ipv4: options are skipped, padding trimmed, fragment fields read', () => {
  const pkt = ipv4({ options: Buffer.from([1, 1, 1, 0]), id: 0xbeef, fragOffset: 1480, mf: true }, udp({}, 'x'));
  const h = newIpHeader();
  assert.equal(decodeIpv4(Buffer.concat([pkt, Buffer.alloc(6)]), 0, pkt.length + 6, h), null);
  assert.equal(h.payloadStart, 24);
  assert.equal(h.payloadEnd, pkt.length);
  assert.equal(h.fragment, true);
  assert.equal(h.fragOffset, 1480);
  assert.equal(h.moreFragments, true);
  assert.equal(h.fragId, 0xbeef);
  assert.equal(h.protocol, 17);
});

test('ipv4: total length 0 (segmentation offload) means the rest of the frame', async () => {
  const pkt = ipv4({ totalLength: 0 }, udp({}, 'hello'));
  const { payloads } = await decodeFrames([frame(eth(pkt))]);
  assert.equal(payloads[0].payload.toString(), 'hello');
});

test('ipv4: damaged headers are issues', () => {
  const h = newIpHeader();
  const good = ipv4({}, udp({}, 'abc'));
  assert.equal(decodeIpv4(good, 0, 10, h)?.code, 'ipv4.truncated');
  const badIhl = Buffer.from(good);
  badIhl[0] = 0x44;
  assert.equal(decodeIpv4(badIhl, 0, badIhl.length, h)?.code, 'ipv4.bad-header-length');
  assert.equal(decodeIpv4(ipv4({ totalLength: 400 }, udp({}, 'abc')), 0, good.length, h)?.code, 'ipv4.truncated');
  assert.equal(decodeIpv4(ipv4({ totalLength: 12 }, udp({}, 'abc')), 0, good.length, h)?.code, 'ipv4.bad-total-length');
  assert.equal(decodeIpv4(ipv6({}, udp({}, 'abc')), 0, 60, h)?.code, 'ipv4.bad-version');
});

test('ipv6: extension header chain is walked to the upper protocol', async () => {
  const pkt = ipv6({ ext: [{ type: 0 }, { type: 43 }, { type: 60 }, { type: 51 }] }, tcp({ seq: 5 }, 'data'));
  const h = newIpHeader();
  assert.equal(decodeIpv6(pkt, 0, pkt.length, h), null);
  assert.equal(h.protocol, 6);
  assert.equal(h.payloadStart, 40 + 16 * 4);
  const { payloads } = await decodeFrames([frame(eth(pkt))]);
  assert.equal(payloads[0].transport, 'tcp');
  assert.equal(payloads[0].payload.toString(), 'data');
  assert.equal(payloads[0].srcIp, 'fd00::1');
});

test('ipv6: ESP and No Next Header stop the walk and count as other', async () => {
  const esp = ipv6({ next: 50 }, Buffer.alloc(24));
  const none = ipv6({ ext: [{ type: 60 }], next: 59 }, Buffer.alloc(0));
  const { payloads, decoder } = await decodeFrames([frame(eth(esp)), frame(eth(none))]);
  assert.equal(payloads.length, 0);
  assert.equal(decoder.stats.other, 2);
  assert.deepEqual(decoder.issues, []);
});

test('ipv6: an atomic fragment (offset 0, M=0) is a whole packet', async () => {
  const pkt = ipv6({ ext: [{ type: 44, fragOffset: 0, mf: false }] }, udp({}, 'atomic'));
  const { payloads, decoder } = await decodeFrames([frame(eth(pkt))]);
  assert.equal(payloads[0].payload.toString(), 'atomic');
  assert.equal(decoder.stats.fragments, 0);
});

test('ipv6: truncated extension headers are issues', () => {
  const pkt = ipv6({ ext: [{ type: 0 }] }, udp({}, 'x'));
  pkt.writeUInt16BE(4, 4); // payload length cut into the hop-by-hop header
  const h = newIpHeader();
  assert.equal(decodeIpv6(pkt, 0, 44, h)?.code, 'ipv6.truncated');
  assert.equal(decodeIpv6(pkt, 0, 30, h)?.code, 'ipv6.truncated');
});

test('udp and tcp: bad lengths are issues', async () => {
  const shortUdp = udp({}, 'abc');
  shortUdp.writeUInt16BE(4, 4);
  const longUdp = udp({}, 'abc');
  longUdp.writeUInt16BE(100, 4);
  const badTcp = tcp({}, 'abc');
  badTcp[12] = 0x40;
  const { payloads, decoder } = await decodeFrames([
    frame(eth(ipv4({}, shortUdp))),
    frame(eth(ipv4({}, longUdp))),
    frame(eth(ipv4({}, badTcp))),
    frame(eth(ipv4({ proto: 6 }, Buffer.alloc(10)))),
  ]);
  assert.equal(payloads.length, 0);
  assert.deepEqual(decoder.issues.map((i) => i.code), ['udp.bad-length', 'udp.bad-length', 'tcp.bad-header-length', 'tcp.truncated']);
});
