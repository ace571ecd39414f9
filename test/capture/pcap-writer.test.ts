/**
 * SIP collected without its packets (HEP) written back as a pcap: read by our
 * own loader into the same calls with the same addresses and times, and by
 * tshark as valid IPv4/IPv6, UDP/TCP with good checksums.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ipBytes, PcapWriter, type PcapPacket } from '../../src/capture/pcap-writer.js';
import { CallStore } from '../../src/calls/store.js';
import { loadInputs } from '../../src/ingest/load.js';
import { request, response } from '../helpers/messages.js';

const hasTshark = spawnSync('tshark', ['-v']).status === 0;
const crlf = (s: string): Buffer => Buffer.from(s.replace(/\n/g, '\r\n'));

const packets: PcapPacket[] = [
  { sec: 1700000000, nsec: 123456000, srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 5062, dstPort: 5060, transport: 'udp', payload: crlf(request('INVITE', { callId: 'udp4' })) },
  { sec: 1700000000, nsec: 223456000, srcIp: '10.0.0.2', dstIp: '10.0.0.1', srcPort: 5060, dstPort: 5062, transport: 'udp', payload: crlf(response(200, 'OK', 'INVITE', { callId: 'udp4' })) },
  { sec: 1700000001, nsec: 0, srcIp: '2001:db8::1', dstIp: '2001:db8::2', srcPort: 5060, dstPort: 5060, transport: 'udp', payload: crlf(request('OPTIONS', { callId: 'udp6' })) },
  { sec: 1700000002, nsec: 1000, srcIp: '192.0.2.1', dstIp: '192.0.2.2', srcPort: 40000, dstPort: 5060, transport: 'tcp', payload: crlf(request('INVITE', { callId: 'tcp4' })) },
  { sec: 1700000002, nsec: 2000, srcIp: '192.0.2.2', dstIp: '192.0.2.1', srcPort: 5060, dstPort: 40000, transport: 'tcp', payload: crlf(response(100, 'Trying', 'INVITE', { callId: 'tcp4' })) },
  { sec: 1700000002, nsec: 3000, srcIp: '192.0.2.1', dstIp: '192.0.2.2', srcPort: 40000, dstPort: 5060, transport: 'tcp', payload: crlf(request('CANCEL', { callId: 'tcp4' })) },
  { sec: 1700000003, nsec: 0, srcIp: '::1', dstIp: '::ffff:10.1.2.3', srcPort: 5061, dstPort: 5060, transport: 'tcp', payload: crlf(request('MESSAGE', { callId: 'tcp6' })) },
];

function writePcap(list: PcapPacket[]): { path: string; writer: PcapWriter } {
  const chunks: Buffer[] = [];
  const writer = new PcapWriter((b) => chunks.push(b));
  for (const p of list) assert.ok(writer.packet(p));
  const path = join(mkdtempSync(join(tmpdir(), 'sipv-pcapw-')), 'out.pcap');
  writeFileSync(path, Buffer.concat(chunks));
  return { path, writer };
}

test('ipBytes reads dotted IPv4 and every IPv6 text form', () => {
  assert.deepEqual([...ipBytes('10.0.0.255')!], [10, 0, 0, 255]);
  assert.equal(ipBytes('2001:db8::1')!.toString('hex'), '20010db8000000000000000000000001');
  assert.equal(ipBytes('::')!.toString('hex'), '0'.repeat(32));
  assert.equal(ipBytes('::ffff:10.1.2.3')!.toString('hex'), '00000000000000000000ffff0a010203');
  assert.equal(ipBytes('fe80::1%eth0')!.toString('hex'), 'fe800000000000000000000000000001');
  assert.equal(ipBytes('1:2:3:4:5:6:7:8')!.toString('hex'), '00010002000300040005000600070008');
  for (const bad of ['10.0.0', '10.0.0.256', '1::2::3', '1:2:3:4:5:6:7:8:9', 'g::1', '', 'host']) assert.equal(ipBytes(bad), undefined, bad);
});

test('our loader reads back every message with its addresses, ports, transport and time', async () => {
  const { path, writer } = writePcap(packets);
  assert.deepEqual(writer.stats, { packets: 7, skipped: 0 });
  const store = new CallStore({ keep: () => true });
  const [report] = await loadInputs([path], store);
  assert.deepEqual(report!.issues, []);
  assert.equal(store.messagesSeen, packets.length);
  assert.deepEqual(store.calls().map((c) => c.callId), ['udp4', 'udp6', 'tcp4', 'tcp6']);
  const seen = store.calls().flatMap((c) => c.kept ?? []).sort((a, b) => a.seq - b.seq);
  assert.deepEqual(
    seen.map((m) => [m.sec, m.nsec, m.srcIp, m.srcPort, m.dstIp, m.dstPort, m.transport, m.msg.raw.toString()]),
    packets.map((p) => [p.sec, p.nsec, p.srcIp, p.srcPort, p.dstIp, p.dstPort, p.transport, p.payload.toString()]),
  );
});

test('a UDP datagram too big for IP is refused, not written broken; bad addresses too', () => {
  const w = new PcapWriter(() => undefined);
  assert.equal(w.packet({ ...packets[0]!, payload: Buffer.alloc(70000) }), false);
  assert.equal(w.packet({ ...packets[0]!, srcIp: 'nonsense' }), false);
  assert.equal(w.packet({ ...packets[0]!, dstIp: '::1' }), false, 'mixed families');
  assert.deepEqual(w.stats, { packets: 0, skipped: 3 });
  // Over TCP a large message is split into segments instead.
  assert.equal(w.packet({ ...packets[3]!, payload: Buffer.alloc(70000, 0x41) }), true);
  assert.equal(w.stats.packets, 2);
});

test('tshark reads the SIP with good IP, UDP and TCP checksums', { skip: hasTshark ? false : 'tshark is not installed' }, () => {
  const { path } = writePcap(packets);
  const r = spawnSync('tshark', ['-r', path, '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE',
    '-T', 'fields', '-E', 'separator=|', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'sip.Call-ID', '-e', 'sip.CSeq', '-e', 'ip.checksum.status', '-e', 'udp.checksum.status', '-e', 'tcp.checksum.status', '-e', 'frame.time_epoch'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map((l) => l.split('|'));
  assert.deepEqual(rows.map((f) => `${f[0] || f[1]} ${f[2]} ${f[3]}`), [
    '10.0.0.1 udp4 1 INVITE', '10.0.0.2 udp4 1 INVITE', '2001:db8::1 udp6 1 OPTIONS',
    '192.0.2.1 tcp4 1 INVITE', '192.0.2.2 tcp4 1 INVITE', '192.0.2.1 tcp4 1 CANCEL', '::1 tcp6 1 MESSAGE',
  ]);
  // 1 = good (2 would be "unverified", 0 bad).
  for (const f of rows) assert.ok([f[4], f[5], f[6]].filter((s) => s !== '').every((s) => s === '1'), f.join('|'));
  assert.match(rows[0]![7]!, /^1700000000\.123456/);
});
