import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkType } from '../../src/capture/frame.js';
import { decodeLink, newLinkLayer } from '../../src/net/link.js';
import {
  decodeFrames, eth, eth8023Snap, frame, ipv4, ipv6, mpls, nullLink, pppoe, sll, sll2, udp, vlan,
} from '../helpers/packet-builders.js';

const sip = 'OPTIONS sip:a@b SIP/2.0\r\n\r\n';
const v4 = () => ipv4({ src: '192.0.2.1', dst: '198.51.100.2' }, udp({ sport: 5060, dport: 5061 }, sip));
const v6 = () => ipv6({ src: '2001:db8::1', dst: '2001:db8::2' }, udp({ sport: 5060, dport: 5061 }, sip));

const cases: [string, number, Buffer, string][] = [
  ['Ethernet II', LinkType.ETHERNET, eth(v4()), '192.0.2.1'],
  ['Ethernet II IPv6', LinkType.ETHERNET, eth(v6()), '2001:db8::1'],
  ['802.3 LLC/SNAP', LinkType.ETHERNET, eth8023Snap(v4()), '192.0.2.1'],
  ['802.1Q', LinkType.ETHERNET, eth(vlan(v4(), 10)), '192.0.2.1'],
  ['802.1ad QinQ', LinkType.ETHERNET, eth(vlan(vlan(v4(), 20), 10, 0x88a8)), '192.0.2.1'],
  ['PPPoE session', LinkType.ETHERNET, eth(pppoe(v4())), '192.0.2.1'],
  ['PPPoE IPv6 in VLAN', LinkType.ETHERNET, eth(vlan(pppoe(v6()))), '2001:db8::1'],
  ['MPLS', LinkType.ETHERNET, eth(mpls(v4())), '192.0.2.1'],
  ['Linux SLL', LinkType.LINUX_SLL, sll(v4()), '192.0.2.1'],
  ['Linux SLL with VLAN', LinkType.LINUX_SLL, sll(vlan(v6())), '2001:db8::1'],
  ['Linux SLL2', LinkType.LINUX_SLL2, sll2(v6()), '2001:db8::1'],
  ['NULL little-endian AF_INET', LinkType.NULL, nullLink(v4(), 2, true), '192.0.2.1'],
  ['NULL big-endian AF_INET', LinkType.NULL, nullLink(v4(), 2, false), '192.0.2.1'],
  ['NULL AF_INET6 24', LinkType.NULL, nullLink(v6(), 24), '2001:db8::1'],
  ['NULL AF_INET6 28', LinkType.NULL, nullLink(v6(), 28), '2001:db8::1'],
  ['NULL AF_INET6 30', LinkType.NULL, nullLink(v6(), 30), '2001:db8::1'],
  ['LOOP network order', LinkType.LOOP, nullLink(v6(), 24, false), '2001:db8::1'],
  ['RAW IPv4', LinkType.RAW, v4(), '192.0.2.1'],
  ['RAW IPv6', LinkType.RAW, v6(), '2001:db8::1'],
  ['IPV4', LinkType.IPV4, v4(), '192.0.2.1'],
  ['IPV6', LinkType.IPV6, v6(), '2001:db8::1'],
];

for (const [name, lt, data, src] of cases) {
  test(`link: ${name} yields the UDP payload`, async () => {
    const { payloads, decoder } = await decodeFrames([frame(data, lt)]);
    assert.equal(payloads.length, 1);
    assert.equal(payloads[0].srcIp, src);
    assert.equal(payloads[0].srcPort, 5060);
    assert.equal(payloads[0].dstPort, 5061);
    assert.equal(payloads[0].transport, 'udp');
    assert.equal(payloads[0].payload.toString(), sip);
    assert.equal(payloads[0].tunnels, undefined);
    assert.deepEqual(decoder.issues, []);
  });
}

test('link: VLAN stack depth and PPPoE are recorded', () => {
  const out = newLinkLayer();
  assert.equal(decodeLink(LinkType.ETHERNET, eth(vlan(vlan(pppoe(v4())))), 0, 1e9, out), null);
  assert.equal(out.vlanTags, 2);
  assert.equal(out.pppoe, true);
  assert.equal(out.ipVersion, 4);
});

test('link: ARP and non-SNAP 802.3 frames are non-IP, not errors', async () => {
  const arp = eth(Buffer.alloc(28), 0x0806);
  const stp = Buffer.concat([Buffer.alloc(12), Buffer.from([0, 38]), Buffer.from([0x42, 0x42, 0x03]), Buffer.alloc(35)]);
  const { payloads, decoder } = await decodeFrames([frame(arp), frame(stp)]);
  assert.equal(payloads.length, 0);
  assert.equal(decoder.stats.nonIp, 2);
  assert.deepEqual(decoder.issues, []);
});

test('link: truncated headers and unknown link types become issues with the frame index', async () => {
  const { payloads, decoder } = await decodeFrames([
    frame(Buffer.alloc(10), LinkType.ETHERNET, 1),
    frame(Buffer.alloc(8), LinkType.LINUX_SLL, 2),
    frame(Buffer.alloc(12), LinkType.LINUX_SLL2, 3),
    frame(Buffer.alloc(2), LinkType.NULL, 4),
    frame(Buffer.from([0x50, 0, 0]), LinkType.RAW, 5),
    frame(v4(), 147, 6),
    frame(eth(vlan(Buffer.alloc(0))).subarray(0, 16), LinkType.ETHERNET, 7),
  ]);
  assert.equal(payloads.length, 0);
  assert.deepEqual(decoder.issues.map((i) => i.code), [
    'link.truncated', 'link.truncated', 'link.truncated', 'link.truncated', 'link.bad-ip-version', 'link.unsupported', 'link.truncated',
  ]);
  assert.match(decoder.issues[5].detail, /^frame 6, byte 0: link type 147 /);
  // A byte inside a packet is named in the text: an issue's offset would read as a place in the file.
  assert.match(decoder.issues[4].detail, /^frame 5, byte 0: /);
  assert.ok(decoder.issues.every((i) => i.offset === undefined));
  assert.equal(decoder.stats.malformed, 7);
});
