import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeFrames, erspan2, erspan3, eth, frame, gre, gtpu, ipv4, ipv6, ppp, sctp, tcp, udp, vlan, vxlan,
} from '../helpers/packet-builders.js';

const sip = 'SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n';
const inner4 = () => ipv4({ src: '172.16.0.1', dst: '172.16.0.2' }, udp({ sport: 5060, dport: 5070 }, sip));
const inner6 = () => ipv6({ src: 'fd00:183::1', dst: 'fd01::183' }, tcp({ sport: 5060, dport: 5060, seq: 9 }, sip));
const outer = (proto: number, p: Buffer) => eth(ipv4({ src: '203.0.113.1', dst: '203.0.113.2', proto }, p));

async function one(data: Buffer) {
  const { payloads, decoder } = await decodeFrames([frame(data)]);
  assert.deepEqual(decoder.issues, []);
  assert.equal(payloads.length, 1);
  assert.equal(payloads[0].payload.toString(), sip);
  return payloads[0];
}

test('tunnel: IPv4 in IPv4 (protocol 4)', async () => {
  const p = await one(outer(4, inner4()));
  assert.equal(p.srcIp, '172.16.0.1');
  assert.deepEqual(p.tunnels, ['ipip']);
});

test('tunnel: IPv6 in IPv4 (protocol 41)', async () => {
  const p = await one(outer(41, inner6()));
  assert.equal(p.srcIp, 'fd00:183::1');
  assert.equal(p.transport, 'tcp');
  assert.deepEqual(p.tunnels, ['6in4']);
});

test('tunnel: GRE v0 with checksum, key and sequence carrying IPv4', async () => {
  const p = await one(outer(47, gre({ checksum: true, key: 5, seq: 9 }, inner4())));
  assert.equal(p.dstIp, '172.16.0.2');
  assert.deepEqual(p.tunnels, ['gre']);
});

test('tunnel: GRE carrying IPv6 and Ethernet (0x6558)', async () => {
  assert.equal((await one(outer(47, gre({}, inner6())))).dstIp, 'fd01::183');
  const p = await one(outer(47, gre({ protocol: 0x6558, key: 1 }, eth(vlan(inner4())))));
  assert.equal(p.srcIp, '172.16.0.1');
});

test('tunnel: GRE carrying PPP, and enhanced GRE v1 (PPTP) with ack', async () => {
  assert.equal((await one(outer(47, gre({ protocol: 0x880b }, ppp(inner4(), { addressControl: true }))))).srcIp, '172.16.0.1');
  const p = await one(outer(47, gre({ protocol: 0x880b, version1: true, seq: 3, ack: 2 }, ppp(inner4(), { addressControl: true, compressed: true }))));
  assert.equal(p.srcIp, '172.16.0.1');
  assert.deepEqual(p.tunnels, ['gre']);
});

test('tunnel: ERSPAN type II and type III (with platform subheader)', async () => {
  const p2 = await one(outer(47, erspan2(eth(inner4()))));
  assert.deepEqual(p2.tunnels, ['gre', 'erspan']);
  const p3 = await one(outer(47, erspan3(eth(vlan(inner6())), true)));
  assert.equal(p3.srcIp, 'fd00:183::1');
  assert.deepEqual(p3.tunnels, ['gre', 'erspan']);
  const p1 = await one(outer(47, gre({ protocol: 0x88be }, eth(inner4())))); // type I: no header
  assert.deepEqual(p1.tunnels, ['gre', 'erspan']);
});

test('tunnel: GTP-U on UDP 2152, with and without extension headers', async () => {
  const a = await one(outer(17, udp({ sport: 2152, dport: 2152 }, gtpu(inner6()))));
  assert.equal(a.srcIp, 'fd00:183::1');
  assert.deepEqual(a.tunnels, ['gtp-u']);
  const b = await one(outer(17, udp({ sport: 2152, dport: 2152 }, gtpu(inner4(), { ext: true }))));
  assert.equal(b.srcIp, '172.16.0.1');
});

test('tunnel: GTP-U echo is skipped; non-GTP bytes on 2152 stay a plain datagram', async () => {
  const echo = outer(17, udp({ sport: 2152, dport: 2152 }, gtpu(Buffer.alloc(0), { type: 1 })));
  const plain = outer(17, udp({ sport: 2152, dport: 2152 }, sip));
  const { payloads, decoder } = await decodeFrames([frame(echo), frame(plain)]);
  assert.equal(payloads.length, 1);
  assert.equal(payloads[0].srcIp, '203.0.113.1');
  assert.equal(payloads[0].tunnels, undefined);
  assert.equal(decoder.stats.other, 1);
});

test('tunnel: VXLAN on UDP 4789', async () => {
  const p = await one(outer(17, udp({ sport: 40000, dport: 4789 }, vxlan(eth(inner4())))));
  assert.deepEqual(p.tunnels, ['vxlan']);
  assert.equal(p.srcIp, '172.16.0.1');
});

test('tunnel: nested tunnels are recorded outermost first, and the depth is bounded', async () => {
  const nested = outer(47, gre({}, ipv4({ proto: 4 }, inner4())));
  const p = await one(nested);
  assert.deepEqual(p.tunnels, ['gre', 'ipip']);
  let pkt = inner4();
  for (let i = 0; i < 6; i++) pkt = ipv4({ proto: 4 }, pkt);
  const { payloads, decoder } = await decodeFrames([frame(eth(pkt))], { maxTunnelDepth: 4 });
  assert.equal(payloads.length, 0);
  assert.equal(decoder.issues[0].code, 'net.tunnel-too-deep');
});

test('tunnel: truncated GRE, ERSPAN and GTP headers are issues', async () => {
  const { payloads, decoder } = await decodeFrames([
    frame(outer(47, Buffer.from([0x30, 0, 0x08, 0]))),
    frame(outer(47, gre({ protocol: 0x22eb, seq: 1 }, Buffer.alloc(6)))),
    frame(outer(17, udp({ dport: 2152 }, Buffer.from([0x34, 0xff, 0, 4, 0, 0, 0, 1, 0, 0])))),
  ]);
  assert.equal(payloads.length, 0);
  assert.deepEqual(decoder.issues.map((i) => i.code), ['gre.truncated', 'erspan.truncated', 'gtpu.truncated']);
});

test('sctp: bundled DATA chunks become one payload each, control chunks are skipped', async () => {
  const pkt = sctp({ sport: 5060, dport: 5060 }, [
    { type: 3, body: Buffer.alloc(12) }, // SACK
    { data: 'INVITE sip:a@b SIP/2.0\r\n\r\n', ppid: 0 },
    { data: 'ACK sip:a@b SIP/2.0\r\n\r\n', ppid: 77 },
    { data: 'BYE sip:a@b SIP/2.0\r\n\r\n', ppid: 5, idata: true },
  ]);
  const { payloads, decoder } = await decodeFrames([frame(eth(ipv4({}, pkt)))]);
  assert.deepEqual(payloads.map((p) => [p.transport, p.sctpPpid, p.payload.toString().split(' ')[0]]), [
    ['sctp', 0, 'INVITE'],
    ['sctp', 77, 'ACK'],
    ['sctp', 5, 'BYE'],
  ]);
  assert.equal(decoder.stats.sctp, 1);
});

test('sctp: a chunk running past the packet is an issue; earlier chunks survive', async () => {
  const pkt = sctp({}, [{ data: 'OPTIONS sip:x SIP/2.0\r\n\r\n' }, { data: 'more' }]);
  const cut = pkt.subarray(0, pkt.length - 6);
  const { payloads, decoder } = await decodeFrames([frame(eth(ipv4({ proto: 132 }, cut)))]);
  assert.equal(payloads.length, 1);
  assert.equal(decoder.issues[0].code, 'sctp.bad-chunk-length');
});
